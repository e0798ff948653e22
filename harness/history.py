"""The history a stretchd under test wrote, read as the tests and benchmarks check it."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from unittest import mock


def database(env: Mapping[str, str] | None = None) -> Path:
    """The history file of a stretchd run with `env`'s XDG directories (this process's when
    None), where stretchd.paths puts it."""
    from stretchd import paths

    if env is None:
        return paths.database_file()
    with mock.patch.dict(os.environ, {k: v for k, v in env.items() if k.startswith(("XDG_", "HOME"))}):
        return paths.database_file()


def events(env: Mapping[str, str] | None = None, columns: str = "reminder, kind",
           where: str = "", at_rest: bool = False) -> list[tuple[Any, ...]]:
    """The events table's `columns`, oldest first; [] while the daemon has not made it yet.

    at_rest: a history nothing writes now (its folder refuses writes, or its daemon stopped),
    read without the -wal and -shm files a reader makes: made by root, another user's daemon
    could not open them again."""
    path = database(env)
    if not path.exists():
        return []
    target = f"{path.as_uri()}?immutable=1" if at_rest else str(path)
    try:
        with contextlib.closing(sqlite3.connect(target, timeout=10, uri=at_rest)) as db:
            return db.execute(f"SELECT {columns} FROM events {where} ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # the daemon has created the file, not its tables yet
        return []


def running_walk(env: Mapping[str, str] | None = None) -> int | None:
    """The pid of the walkthrough under way (recorded, not ended), if any."""
    path = database(env)
    if not path.exists():
        return None
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=10)) as db:
            row = db.execute("SELECT pid FROM walks WHERE outcome IS NULL ORDER BY id DESC").fetchone()
    except sqlite3.OperationalError:  # the daemon has created the file, not its tables yet
        return None
    return int(row[0]) if row and row[0] else None


def walked_every(path: Path, days: int, every: int) -> None:
    """A history at `path` of the reminder "morning" shown, started and its "shotgun" walk
    completed at noon every `every` days over the last `days` (today's included)."""
    import datetime as dt

    from stretchd.store.history import History, Kind, Status

    now = dt.datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
    with History(path) as h:
        for i in range(0, days, every):
            at = now - dt.timedelta(days=i)
            key = at.date().isoformat()
            h.record("morning", key, at, Kind.SHOWN, at, status=Status.SHOWING)
            h.record("morning", key, at, Kind.STARTED, at)
            walk = h.start_walk("shotgun", "morning", at, 3)
            h.finish_walk(walk, at + dt.timedelta(minutes=4), outcome="completed", step=3)
