"""The history file under a running daemon: deleted, or in a state folder that refuses writes.

A folder that refuses writes, as an ordinary user meets it (root writes anyway): `chmod 444
~/.local/state/stretchd/*; chmod 500 ~/.local/state/stretchd`, then the daemon starts. What it
accepts is seen at once, written once the folder takes writes again, and a stop that still
cannot write says in one line what is lost. A deleted file: the daemon notices, says so once,
and carries on in a new one at its path with everything it held."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.history import database, events
from harness.kit import MORNING, start_console_daemon, wait_for
from harness.sandbox import xdg_home
from harness.sessions import ensure_user, root_env, user_python


class User:
    """stretchd as an ordinary user with a home of its own, on the console (no desktop)."""

    def __init__(self, base: Path) -> None:
        self.pw = ensure_user()
        self.python = user_python(base, self.pw)
        self.env = {**xdg_home(base / "user"), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                    "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus",
                    "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/system-bus"}
        for path in (base / "user", *(Path(self.env[k]) for k in self.env if k.startswith(("XDG_", "HOME")))):
            shutil.chown(path, self.pw.pw_name, self.pw.pw_name)
        self.state = database(self.env).parent
        self.err = base / "daemon.err"
        self.daemon: subprocess.Popen[bytes] | None = None

    def argv(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.pw.pw_name, "--", "env", "-i",
                *(f"{k}={v}" for k, v in self.env.items()), str(self.python), "-m", "stretchd", *args]

    def cli(self, *args: str, code: int = 0) -> str:
        out = subprocess.run(self.argv(*args), capture_output=True, text=True, timeout=30, env=root_env(),
                             cwd="/")
        assert out.returncode == code, out.stderr
        return out.stdout

    def start(self) -> None:
        self.daemon = subprocess.Popen(self.argv("run"), stdout=subprocess.DEVNULL,
                                       stderr=self.err.open("w"), env=root_env(), cwd="/",
                                       start_new_session=True)
        wait_for(lambda: "running: " in self.err.read_text(), 60, "the daemon to start")
        wait_for(lambda: self.cli("status").startswith("stretchd is running"), 60, "the daemon to answer")

    def stop(self) -> str:
        assert self.daemon is not None
        # The daemon itself (runuser's child), as systemd stops it: runuser, told to stop,
        # would kill it two seconds later, in the middle of writing on a busy machine.
        child = int(Path(f"/proc/{self.daemon.pid}/task/{self.daemon.pid}/children").read_text().split()[0])
        os.kill(child, signal.SIGTERM)
        self.daemon.wait(60)
        self.daemon = None
        wait_for(lambda: "stretchd: stopped" in self.err.read_text(), 30, "the daemon to stop")
        return self.err.read_text()

    def refuse_writes(self, refuse: bool = True) -> None:
        """As the user would, with chmod."""
        for f in self.state.iterdir():
            f.chmod(0o444 if refuse else 0o644)
        self.state.chmod(0o500 if refuse else 0o700)


@pytest.fixture
def user() -> Iterator[User]:
    base = Path(tempfile.mkdtemp(prefix="stretchd-ro-"))  # not under root's 0700 tmp_path
    os.chmod(base, 0o755)
    u = User(base)
    try:
        u.start()
        u.stop()  # the history exists, as it does on a machine that ran stretchd before
        u.refuse_writes()
        u.start()
        yield u
    finally:
        if u.daemon is not None:
            os.killpg(u.daemon.pid, signal.SIGKILL)
            u.daemon.wait()
        shutil.rmtree(base, ignore_errors=True)


def test_what_it_accepts_is_seen_at_once_and_written_once_the_folder_takes_writes(user: User) -> None:
    assert "keeping what happens in memory" in user.err.read_text()
    assert user.cli("pause", "--for", "5m").startswith("paused until")
    assert "Paused until" in user.cli("status")
    assert user.cli("resume").startswith("resumed")  # not "was not paused"
    assert "Paused until" not in user.cli("status")
    assert user.cli("pause", "--for", "2h").startswith("paused until")
    assert user.cli("skip", "evening").startswith("skipped evening")
    assert "(skipped)" in next(line for line in user.cli("status").splitlines() if "evening" in line)
    assert events(user.env, at_rest=True) == []  # nothing could be written yet
    user.refuse_writes(False)
    err = user.stop()  # the stop finds the folder writable: all of it lands
    assert "the history store takes writes again; nothing was lost" in err
    assert events(user.env, at_rest=True) == [("evening", "skipped")]
    status = user.cli("status", code=69)  # no daemon now (69): read from the history itself
    assert "Paused until" in status
    assert "(skipped)" in next(line for line in status.splitlines() if "evening" in line)


def test_a_stop_that_still_cannot_write_says_what_is_lost_in_one_line(user: User) -> None:
    user.cli("pause", "--for", "2h")
    user.cli("skip", "evening")
    err = user.stop()
    lost = [line for line in err.splitlines() if "lost at this stop" in line]
    assert len(lost) == 1, err
    assert f"{user.state / 'stretchd.sqlite3'}: cannot write the history; lost at this stop: " in lost[0]
    assert "a pause" in lost[0] and "evening skipped" in lost[0]
    assert "Traceback" not in err


@pytest.mark.clock
def test_a_history_deleted_under_the_daemon_is_carried_on_with_all_it_held(
        tmp_path: Path, xdg_env: dict[str, str], daemons: list[object], write_config: object) -> None:
    write_config(MORNING + '[reminders.evening]\ntime = "21:00"\nroutine = "shotgun"\n')  # type: ignore[operator]
    d = start_console_daemon(tmp_path, xdg_env, daemons, faketime="2026-11-24 07:29:57")
    wait_for(lambda: "Time to stretch" in d.out(), 20, "the reminder")
    wait_for(lambda: events() == [("morning", "shown")], 10, "the shown row")
    database().unlink()  # as `rm ~/.local/state/stretchd/stretchd.sqlite3` does
    assert d.cli("history").returncode == 0  # a command that opens it makes a new, empty one
    snoozed = d.cli("snooze", "5")
    assert snoozed.returncode == 0 and snoozed.stdout.startswith("snoozed morning until 07:3"), snoozed
    assert d.cli("skip", "evening").returncode == 0
    assert d.stop() == 0
    err = d.err()
    assert err.count("was deleted or replaced while stretchd ran") == 1, err
    assert events() == [("morning", "shown"), ("morning", "snoozed"), ("evening", "skipped")]
    # Started again: the snoozed morning is still snoozed, the evening still skipped.
    d2 = start_console_daemon(tmp_path, xdg_env, daemons, faketime="2026-11-24 07:31:00")
    status = d2.cli("status").stdout
    assert "(snoozed)" in next(line for line in status.splitlines() if "morning" in line), status
    assert "(skipped)" in next(line for line in status.splitlines() if "evening" in line), status
    assert "Time to stretch" not in d2.out() and "Traceback" not in d2.err()
