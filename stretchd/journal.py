"""Log lines for journald (or a terminal), and readiness for systemd's Type=notify."""

from __future__ import annotations

import os
import socket
import sys

LEVELS = {"error": 3, "warning": 4, "notice": 5, "info": 6, "debug": 7}


def to_journal() -> bool:
    """Is stderr journald's stream? JOURNAL_STREAM names its device and inode (systemd.exec(5)):
    a terminal opened from a unit inherits the variable, not the stream."""
    try:
        device, inode = (int(part) for part in os.environ.get("JOURNAL_STREAM", "").split(":"))
        st = os.fstat(sys.stderr.fileno())
    except (ValueError, OSError):
        return False
    return (st.st_dev, st.st_ino) == (device, inode)


def log(level: str, message: str) -> None:
    """One line on stderr: with journald's priority prefix when stderr is the journal, else
    with the program's name (a terminal, a pipe, a file)."""
    if level == "debug" and not os.environ.get("STRETCHD_DEBUG"):
        return
    prefix = f"<{LEVELS[level]}>" if to_journal() \
        else f"stretchd: {level}: " if level in ("error", "warning") else "stretchd: "
    sys.stderr.write(f"{prefix}{message}\n")
    sys.stderr.flush()


def sd_notify(message: str) -> None:
    """Tell systemd (Type=notify) how we are doing; a no-op outside systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.connect(address)
            s.sendall(message.encode())
    except OSError as e:
        log("warning", f"cannot notify systemd at {address!r}: {e}")
