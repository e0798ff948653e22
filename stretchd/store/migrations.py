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


MIGRATIONS: tuple[Migration, ...] = (m001_initial, m002_reminders, m003_walk_pid, m004_walk_seconds)


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
