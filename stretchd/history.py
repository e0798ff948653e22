"""The SQLite store: walkthrough sessions and reminder outcomes, with named migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from stretchd.errors import StretchdError

Migration = Callable[[sqlite3.Connection], None]


def m001_initial(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE walks (
            id INTEGER PRIMARY KEY,
            routine TEXT NOT NULL,
            reminder TEXT,
            started TEXT NOT NULL,
            ended TEXT,
            outcome TEXT,            -- NULL while running (or if killed), 'completed', 'quit'
            step INTEGER NOT NULL DEFAULT 0,   -- the exercise reached (1-based), 0 = none
            steps INTEGER NOT NULL
        )"""
    )
    db.execute("CREATE INDEX walks_started ON walks(started)")


MIGRATIONS: tuple[Migration, ...] = (m001_initial,)


def migrate(db: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[str]:
    """Apply the migrations not yet applied, each in its own transaction; return their names."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied TEXT)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    applied = []
    for fn in migrations:
        if fn.__name__ in done:
            continue
        with db:
            db.execute("BEGIN IMMEDIATE")
            # Another process may have applied it while we waited for the lock.
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", (fn.__name__,)).fetchone():
                continue
            fn(db)
            db.execute("INSERT INTO _migrations VALUES (?, ?)",
                       (fn.__name__, datetime.now().astimezone().isoformat()))
        applied.append(fn.__name__)
    return applied


@dataclass(frozen=True)
class Walk:
    id: int
    routine: str
    reminder: str | None
    started: datetime
    ended: datetime | None
    outcome: str | None
    step: int
    steps: int

    def describe(self) -> str:
        if self.outcome == "completed":
            return "completed"
        if self.outcome == "quit":
            return f"quit at step {self.step} of {self.steps}" if self.step else "quit before starting"
        return f"interrupted at step {self.step} of {self.steps}"


def _iso(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="milliseconds")


class History:
    """One connection to the store; every write is its own committed transaction."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        try:
            if isinstance(path, Path):
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.db = sqlite3.connect(path, timeout=10, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            migrate(self.db)
        except (OSError, sqlite3.Error) as e:
            raise StretchdError(f"{path}: cannot open the history database: {e}") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, args: tuple[object, ...]) -> int:
        try:
            with self.db:
                cur = self.db.execute(sql, args)
        except sqlite3.Error as e:
            raise StretchdError(f"{self.path}: cannot write the history: {e}") from None
        return cur.lastrowid or 0

    def start_walk(self, routine: str, reminder: str | None, started: datetime, steps: int) -> int:
        return self._write(
            "INSERT INTO walks (routine, reminder, started, steps) VALUES (?, ?, ?, ?)",
            (routine, reminder, _iso(started), steps),
        )

    def progress_walk(self, walk_id: int, step: int) -> None:
        """Note the exercise reached, so a killed walkthrough still tells how far it got."""
        self._write("UPDATE walks SET step = ? WHERE id = ?", (step, walk_id))

    def finish_walk(self, walk_id: int, ended: datetime, *, completed: bool, step: int) -> None:
        self._write(
            "UPDATE walks SET ended = ?, outcome = ?, step = ? WHERE id = ?",
            (_iso(ended), "completed" if completed else "quit", step, walk_id),
        )

    def walks(self, since: datetime | None = None) -> list[Walk]:
        sql = "SELECT id, routine, reminder, started, ended, outcome, step, steps FROM walks"
        args: tuple[object, ...] = ()
        if since is not None:
            sql += " WHERE started >= ?"
            args = (_iso(since),)
        rows = self.db.execute(sql + " ORDER BY started, id", args).fetchall()
        return [
            Walk(r[0], r[1], r[2], datetime.fromisoformat(r[3]),
                 datetime.fromisoformat(r[4]) if r[4] else None, r[5], r[6], r[7])
            for r in rows
        ]
