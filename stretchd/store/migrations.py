"""The history's schema, as named migrations applied in order, each once and under a write lock."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

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


def m002_reminders(db: sqlite3.Connection) -> None:
    # One row per reminder occurrence (a reminder on a local date) with where it stands,
    # and the log of everything that happened to it.
    db.execute(
        """CREATE TABLE occurrences (
            reminder TEXT NOT NULL,
            occurrence TEXT NOT NULL,      -- the local date it belongs to
            scheduled TEXT NOT NULL,
            status TEXT NOT NULL,          -- showing, snoozed, skipped, started, dismissed, ...
            snoozes INTEGER NOT NULL DEFAULT 0,
            snoozed_until TEXT,
            PRIMARY KEY (reminder, occurrence)
        )"""
    )
    db.execute(
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            reminder TEXT NOT NULL,
            occurrence TEXT NOT NULL,
            kind TEXT NOT NULL,            -- shown, late, started, snoozed, skipped, ...
            detail TEXT
        )"""
    )
    db.execute("CREATE INDEX events_at ON events(at)")
    db.execute("CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT)")


def m003_walk_pid(db: sqlite3.Connection) -> None:
    # The walkthrough's process: while it lives, a walk with no outcome is in progress; once
    # it is gone (killed, its terminal closed before it could write), it was interrupted.
    db.execute("ALTER TABLE walks ADD COLUMN pid INTEGER")


def m004_walk_seconds(db: sqlite3.Connection) -> None:
    # The time spent in the routine's steps (the first screen, pauses and the end screen left
    # out): what `stretchd stats` counts as stretched. NULL for walks recorded before it.
    db.execute("ALTER TABLE walks ADD COLUMN seconds REAL")


def m005_shared(db: sqlite3.Connection) -> None:
    # [sync]: what this computer wrote to the shared folder (an id, and whether it is there
    # yet), the other computers' events and walks as read from it, and how far each of its
    # files was read. Events written before this count as not shared yet: a first [sync]
    # shares the history this computer already has.
    db.execute("ALTER TABLE events ADD COLUMN uid TEXT")
    db.execute("ALTER TABLE events ADD COLUMN shared INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE events ADD COLUMN until TEXT")  # a snooze's end, as it was set
    db.execute("CREATE INDEX events_uid ON events(uid)")
    db.execute("CREATE INDEX events_unshared ON events(shared) WHERE shared = 0")
    db.execute("ALTER TABLE walks ADD COLUMN uid TEXT")
    db.execute("ALTER TABLE walks ADD COLUMN shared INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE walks ADD COLUMN device TEXT")  # NULL: done on this computer
    db.execute("ALTER TABLE walks ADD COLUMN occurrence TEXT")  # its reminder's, if Start opened it
    db.execute("CREATE UNIQUE INDEX walks_uid ON walks(uid)")
    db.execute(
        """CREATE TABLE peer_events (
            uid TEXT PRIMARY KEY,
            device TEXT NOT NULL,
            at TEXT NOT NULL,              -- in that computer's time, with its UTC offset
            utc TEXT NOT NULL,             -- the same moment in UTC, to order by
            reminder TEXT,
            occurrence TEXT,
            kind TEXT NOT NULL,
            until TEXT,
            routine TEXT,
            seconds REAL
        )""")
    db.execute("CREATE INDEX peer_events_utc ON peer_events(utc)")
    db.execute("CREATE INDEX peer_events_device ON peer_events(device, utc)")
    # skipping: the read stopped inside a line too long to keep; the next one starts after it.
    db.execute("CREATE TABLE sync_files (name TEXT PRIMARY KEY, offset INTEGER NOT NULL, "
               "tail TEXT NOT NULL, skipping INTEGER NOT NULL DEFAULT 0)")


MIGRATIONS: tuple[Migration, ...] = (m001_initial, m002_reminders, m003_walk_pid, m004_walk_seconds,
                                     m005_shared)


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
