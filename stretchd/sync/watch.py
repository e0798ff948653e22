"""The shared folder watched through inotify: a file another computer's copy arrived in (the
engine renames it into place, or appends to it) is named to the daemon at once, not polled."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

# What a change in the folder looks like: Syncthing renames a finished file over the old one
# (moved to); an engine that writes in place modifies or closes it.
_CHANGES = ("MOVED_TO", "CLOSE_WRITE", "MODIFY", "CREATE")
# The folder itself went (deleted, moved, unmounted): the watch is over.
_GONE = ("DELETE_SELF", "MOVE_SELF", "UNMOUNT", "IGNORED")


class Watch:
    def __init__(self, path: Path, changed: Callable[[set[str] | None], None],
                 gone: Callable[[], None]) -> None:
        self.path = path
        self.changed = changed
        self.gone = gone
        self._inotify: Any = None  # an inotify_simple.INotify, imported only when watched
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Watch the folder; OSError if it cannot be watched (gone, or no inotify left)."""
        from inotify_simple import INotify, flags

        inotify = INotify()
        mask = 0
        for name in (*_CHANGES, "DELETE_SELF", "MOVE_SELF", "ONLYDIR"):
            mask |= getattr(flags, name)
        try:
            inotify.add_watch(str(self.path), mask)
        except OSError:
            inotify.close()
            raise
        self._inotify = inotify
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(inotify.fileno(), self._ready)

    def _ready(self) -> None:
        from inotify_simple import flags

        inotify = self._inotify
        if inotify is None:
            return
        try:
            events = inotify.read(timeout=0)
        except OSError:
            events = []
        names: set[str] = set()
        gone = False
        change = 0
        for name in _CHANGES:
            change |= getattr(flags, name)
        ended = 0
        for name in _GONE:
            ended |= getattr(flags, name)
        overflow = False
        for e in events:
            if e.mask & flags.Q_OVERFLOW:
                overflow = True
            elif e.mask & ended:
                gone = True
            elif e.mask & change and e.name:
                names.add(e.name)
        if overflow:
            self.changed(None)  # events were lost: any file may have changed
        elif names:
            self.changed(names)
        if gone:
            self.close()
            self.gone()

    def close(self) -> None:
        inotify, self._inotify = self._inotify, None
        if inotify is None:
            return
        if self._loop is not None:
            with contextlib.suppress(Exception):
                self._loop.remove_reader(inotify.fileno())
        inotify.close()
