"""Writing a file whole or not at all: for config.toml's edits and the service's unit."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from stretchd.errors import StretchdError
from stretchd.i18n import _

NEW_FILE_MODE = 0o644


def write_atomic(path: Path, text: str, new_mode: int = NEW_FILE_MODE) -> None:
    """Replace PATH's content whole or not at all: a temp file beside it, fsync, rename.

    A symlink (a config kept in a dotfiles repository) stays a link: its target is written.
    An existing file keeps its permission bits.
    """
    try:
        target = path.resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = new_mode
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), mode)
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_dir(target.parent)
    except (OSError, RuntimeError) as e:  # RuntimeError: a symlink loop
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        # TRANSLATORS: {error} is the system's reason, e.g. "Permission denied".
        raise StretchdError(_("{file}: cannot write: {error}").format(file=path, error=reason)) from None


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)  # the rename itself reaches the disk
    finally:
        os.close(fd)
