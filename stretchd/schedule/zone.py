"""The machine's time zone: read it, and notice when it changes while the daemon runs."""

from __future__ import annotations

import datetime as dt
from datetime import datetime, tzinfo


def local_zone(reload: bool = False) -> tzinfo:
    """The machine's zone as a real zone (with its DST rules), honouring $TZ.

    With reload, read the system's setting again (it may have changed while we ran)."""
    import tzlocal

    try:
        return tzlocal.reload_localzone() if reload else tzlocal.get_localzone()
    except Exception:  # tzlocal raises assorted errors on odd set-ups: fall back to the offset
        return datetime.now().astimezone().tzinfo or dt.UTC


class ZoneWatch:
    """The local zone, read again only when the files that name it change (a stat a minute,
    not the millisecond tzlocal takes to read them)."""

    FILES = ("/etc/localtime", "/etc/timezone")

    def __init__(self) -> None:
        self._stamp: object = None
        self._zone: tzinfo | None = None

    def __call__(self) -> tzinfo:
        import os

        stamp: list[tuple[int, int, int] | None] = []
        for name in self.FILES:
            try:
                st = os.lstat(name)
                stamp.append((st.st_ino, st.st_mtime_ns, os.stat(name).st_ino))
            except OSError:
                stamp.append(None)
        if self._zone is None or stamp != self._stamp:
            self._zone = local_zone(reload=self._zone is not None)
            self._stamp = stamp
        return self._zone
