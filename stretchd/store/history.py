"""The SQLite store: walkthrough sessions and reminder outcomes, with named migrations."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from stretchd.errors import StretchdError
from stretchd.i18n import _
from stretchd.store.migrations import migrate


class Status(StrEnum):
    """Where a reminder's occurrence stands."""

    SHOWING = "showing"
    HELD = "held"  # due while the person was busy or away: it shows when they can act
    SNOOZED = "snoozed"
    SKIPPED = "skipped"
    STARTED = "started"
    DISMISSED = "dismissed"
    SUPERSEDED = "superseded"
    MISSED = "missed"


# Statuses after which an occurrence needs nothing more.
FINAL = frozenset({Status.SKIPPED, Status.STARTED, Status.DISMISSED, Status.SUPERSEDED, Status.MISSED})
# Statuses the person did not choose: when the reminder is moved to a later time the same
# day, the occurrence at the new time still shows.
UNANSWERED = frozenset({Status.SHOWING, Status.HELD, Status.DISMISSED, Status.SUPERSEDED, Status.MISSED})


class Kind(StrEnum):
    """What happened to an occurrence: one event in the history."""

    SHOWN = "shown"
    LATE = "late"  # shown after its time (a suspend, a stop)
    HELD = "held"  # not shown yet: the person is busy or away (the detail says how)
    STARTED = "started"
    START_FAILED = "start failed"  # no terminal could be opened; the reminder shows again
    SNOOZED = "snoozed"
    SKIPPED = "skipped"
    DISMISSED = "dismissed"
    SUPERSEDED = "superseded"
    MISSED = "missed"
    UNSKIPPED = "unskipped"  # a skip undone: the occurrence is as if nothing had happened yet
    ELSEWHERE = "answered elsewhere"  # on another computer of [sync] (the detail says which)


@dataclass(frozen=True)
class Walk:
    id: int
    routine: str
    reminder: str | None
    started: datetime
    ended: datetime | None
    outcome: str | None  # None while it runs, or if it died before it could say
    step: int
    steps: int
    pid: int | None = None
    device: str | None = None  # the computer it was done on, if not this one ([sync])

    def running(self) -> bool:
        """Whether its walkthrough is still going (its process lives and is a walk)."""
        if self.outcome is not None or self.pid is None:
            return False
        try:
            cmdline = Path(f"/proc/{self.pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return b"walk" in cmdline  # not another program that got the pid since

    def describe(self) -> str:
        """How it went, for `stretchd history`: "completed", "quit at step 2 of 4"."""
        if self.outcome == "completed":
            # TRANSLATORS: how a walkthrough went, in `stretchd history`: done to its end.
            return _("completed")
        what = {"quit": "quit", None: "in progress" if self.running() else "interrupted"}.get(
            self.outcome, "interrupted")
        if not self.step:
            if what == "in progress":
                # TRANSLATORS: how a walkthrough goes, in `stretchd history`: its first screen shows.
                return _("in progress, not started yet")
            # TRANSLATORS: how a walkthrough went, in `stretchd history`: ended on its first screen.
            return _("quit before starting") if what == "quit" else _("interrupted before starting")
        if what == "quit":
            # TRANSLATORS: how a walkthrough went, in `stretchd history`: {step} of {steps} exercises.
            at_step = _("quit at step {step} of {steps}")
        elif what == "in progress":
            at_step = _("in progress at step {step} of {steps}")
        else:
            at_step = _("interrupted at step {step} of {steps}")
        return at_step.format(step=self.step, steps=self.steps)


@dataclass(frozen=True)
class Occurrence:
    reminder: str
    occurrence: str
    scheduled: datetime
    status: Status
    snoozes: int
    snoozed_until: datetime | None


def handled(got: Occurrence | None, scheduled: datetime) -> bool:
    """Whether the occurrence due at `scheduled` needs nothing more (or shows, or is held,
    already).

    A row left unanswered at another time (the reminder was moved since) does not count."""
    if got is None or not (got.status in FINAL or got.status in (Status.SHOWING, Status.HELD)):
        return False
    return not (got.status in UNANSWERED and got.scheduled != scheduled)


class Store(Protocol):
    """Reminder occurrences and state, as the daemon and the state commands use them:
    a History, or the daemon's BufferedStore over one."""

    def record(self, reminder: str, occurrence: str, scheduled: datetime, kind: Kind,
               at: datetime, *, status: Status | None = None, detail: str | None = None,
               snoozes: int | None = None, snoozed_until: datetime | None = None) -> None: ...

    def reopen(self, reminder: str, occurrence: str, at: datetime) -> None: ...

    def occurrence(self, reminder: str, occurrence: str) -> Occurrence | None: ...

    def occurrences(self, since_key: str, status: Status | None = None) -> list[Occurrence]: ...

    def get_state(self, key: str) -> str | None: ...

    def last_event(self, reminder: str, occurrence: str, kind: Kind) -> tuple[datetime, str | None] | None:
        """When the occurrence's latest event of this kind happened, and its detail."""

    def set_state(self, key: str, value: str | None) -> None: ...

    def completed_days(self) -> dict[date, int]: ...

    def paused_until(self) -> datetime | None: ...

    def walks(self, since: datetime | None = None) -> list[Walk]: ...


# A walk for `stretchd stats`: routine, started, ended, outcome, reminder, seconds in its steps.
WalkStats = tuple[str, str, str | None, str | None, str | None, float | None]


def _drop_orphans(path: Path) -> None:
    """A -wal or -shm file without its database is what a deletion under a running daemon
    leaves: a new database must not take them for its own (the daemon keeps its open ones,
    and carries what it held over to the new one)."""
    if not path.exists():
        for orphan in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            orphan.unlink(missing_ok=True)


def _identity(path: Path | str) -> tuple[int, int] | None:
    """The file's device and inode; None for one in memory or gone."""
    if not isinstance(path, Path):
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _iso(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="milliseconds")


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class History:
    """One connection to the store; every write is its own committed transaction."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        try:
            if isinstance(path, Path):
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                _drop_orphans(path)
            self.db = sqlite3.connect(path, timeout=10, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL survives any crash of ours (kill -9 included); only a power cut
            # may lose the last commits. FULL would fsync each write: wakeups all day long.
            self.db.execute("PRAGMA synchronous=NORMAL")
            migrate(self.db)
            # SQLite opens a file it may not write read-only, without a word (a folder or file
            # that refuses writes, with a -shm file another reader left): find out now.
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("ROLLBACK")
            self.identity = _identity(path)
        except (OSError, sqlite3.Error) as e:
            # TRANSLATORS: {file} is the database's path; {error} is SQLite's or the system's reason.
            raise StretchdError(_("{file}: cannot open the history database: {error}").format(
                file=path, error=e)) from None

    def replaced(self) -> bool:
        """Is the file at our path gone, or another one, since we opened it (deleted or
        replaced under us; we would write on into a file nobody reads)?"""
        return self.identity is not None and _identity(self.path) != self.identity

    @classmethod
    def for_reading(cls, path: Path) -> History:
        """The history as it stands, read-only, when it cannot be opened for writing (a folder
        or file that refuses writes); an empty one in memory if it cannot be read either."""
        history = cls.__new__(cls)
        history.path, history.identity = path, None
        try:
            # immutable: a WAL database in a read-only folder cannot make its -shm file.
            history.db = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True, timeout=10,
                                         isolation_level=None)
            history.db.execute("SELECT count(*) FROM events").fetchone()
        except (OSError, sqlite3.Error, ValueError):
            history.db = sqlite3.connect(":memory:", isolation_level=None)
            migrate(history.db)
        return history

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
            # TRANSLATORS: {file} is the database's path; {error} is SQLite's reason.
            raise StretchdError(_("{file}: cannot write the history: {error}").format(
                file=self.path, error=e)) from None
        return cur.lastrowid or 0

    def start_walk(self, routine: str, reminder: str | None, started: datetime, steps: int,
                   pid: int | None = None) -> int:
        """A walk begins; one a reminder's Start opened belongs to the occurrence that Start
        answered (the daemon records it as it opens the terminal: a snoozed one may be
        yesterday's)."""
        occurrence = None
        if reminder is not None:
            row = self.db.execute(
                "SELECT occurrence FROM events WHERE reminder = ? AND kind = 'started' AND at >= ? "
                "ORDER BY id DESC LIMIT 1", (reminder, _iso(started - timedelta(hours=1)))).fetchone()
            occurrence = row[0] if row else started.astimezone().date().isoformat()
        return self._write(
            "INSERT INTO walks (routine, reminder, started, steps, pid, occurrence) "
            "VALUES (?, ?, ?, ?, ?, ?)", (routine, reminder, _iso(started), steps, pid, occurrence))

    def progress_walk(self, walk_id: int, step: int) -> None:
        """Note the exercise reached, so a killed walkthrough still tells how far it got."""
        self._write("UPDATE walks SET step = ? WHERE id = ?", (step, walk_id))

    def finish_walk(self, walk_id: int, ended: datetime, *, outcome: str, step: int,
                    seconds: float | None = None) -> None:
        """outcome: "completed", "quit" (q pressed), or "interrupted" (its terminal closed);
        seconds: the time spent in the routine's steps."""
        self._write(
            "UPDATE walks SET ended = ?, outcome = ?, step = ?, seconds = ? WHERE id = ?",
            (_iso(ended), outcome, step, seconds, walk_id),
        )

    def walks(self, since: datetime | None = None) -> list[Walk]:
        sql = "SELECT id, routine, reminder, started, ended, outcome, step, steps, pid, device FROM walks"
        args: tuple[object, ...] = ()
        if since is not None:
            sql += " WHERE started >= ?"
            args = (_iso(since),)
        rows = self.db.execute(sql + " ORDER BY started, id", args).fetchall()
        return [
            Walk(r[0], r[1], r[2], datetime.fromisoformat(r[3]),
                 datetime.fromisoformat(r[4]) if r[4] else None, r[5], r[6], r[7], r[8], r[9])
            for r in rows
        ]

    def completed_days(self) -> dict[date, int]:
        """How many walkthroughs were completed on each local date (by when they ended:
        stored in the machine's zone, so the text's date is the local one)."""
        try:
            rows = self.db.execute(
                "SELECT substr(ended, 1, 10), count(*) FROM walks WHERE outcome = 'completed' "
                "GROUP BY 1").fetchall()
        except sqlite3.Error as e:
            # TRANSLATORS: {file} is the database's path; {error} is SQLite's reason.
            raise StretchdError(_("{file}: cannot read the history: {error}").format(
                file=self.path, error=e)) from None
        return {date.fromisoformat(r[0]): r[1] for r in rows}

    # Reminder occurrences and their events -------------------------------------------

    def record(self, reminder: str, occurrence: str, scheduled: datetime, kind: Kind,
               at: datetime, *, status: Status | None = None, detail: str | None = None,
               snoozes: int | None = None, snoozed_until: datetime | None = None) -> None:
        """Log an event and set the occurrence's status (default: the event's kind), at once."""
        status = status or Status(kind)
        try:
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                until = _iso(snoozed_until) if snoozed_until else None
                self.db.execute(
                    "INSERT INTO events (at, reminder, occurrence, kind, detail, until) "
                    "VALUES (?,?,?,?,?,?)", (_iso(at), reminder, occurrence, kind, detail, until))
                self.db.execute(
                    """INSERT INTO occurrences (reminder, occurrence, scheduled, status, snoozes,
                                                snoozed_until)
                       VALUES (?, ?, ?, ?, coalesce(?, 0), ?)
                       ON CONFLICT (reminder, occurrence) DO UPDATE SET
                         scheduled = excluded.scheduled,
                         status = excluded.status,
                         snoozes = coalesce(?, snoozes),
                         snoozed_until = excluded.snoozed_until""",
                    (reminder, occurrence, _iso(scheduled), status, snoozes, until, snoozes))
        except sqlite3.Error as e:
            # TRANSLATORS: {file} is the database's path; {error} is SQLite's reason.
            raise StretchdError(_("{file}: cannot write the history: {error}").format(
                file=self.path, error=e)) from None

    def reopen(self, reminder: str, occurrence: str, at: datetime) -> None:
        """Undo where an occurrence stands (a skip): log it, and forget its status."""
        try:
            with self.db:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.execute("INSERT INTO events (at, reminder, occurrence, kind) VALUES (?,?,?,?)",
                                (_iso(at), reminder, occurrence, Kind.UNSKIPPED))
                self.db.execute("DELETE FROM occurrences WHERE reminder = ? AND occurrence = ?",
                                (reminder, occurrence))
        except sqlite3.Error as e:
            # TRANSLATORS: {file} is the database's path; {error} is SQLite's reason.
            raise StretchdError(_("{file}: cannot write the history: {error}").format(
                file=self.path, error=e)) from None

    def occurrence(self, reminder: str, occurrence: str) -> Occurrence | None:
        row = self.db.execute(
            "SELECT reminder, occurrence, scheduled, status, snoozes, snoozed_until FROM occurrences"
            " WHERE reminder = ? AND occurrence = ?", (reminder, occurrence)).fetchone()
        return self._occ(row) if row else None

    @staticmethod
    def _occ(row: tuple[str, str, str, str, int, str | None]) -> Occurrence:
        return Occurrence(row[0], row[1], datetime.fromisoformat(row[2]), Status(row[3]), row[4],
                          _dt(row[5]))

    def occurrences(self, since_key: str, status: Status | None = None) -> list[Occurrence]:
        """Occurrences on or after a local date (as 'YYYY-MM-DD'), optionally of one status."""
        sql = ("SELECT reminder, occurrence, scheduled, status, snoozes, snoozed_until "
               "FROM occurrences WHERE occurrence >= ?")
        args: tuple[str, ...] = (since_key,)
        if status:
            sql += " AND status = ?"
            args += (status,)
        return [self._occ(r) for r in self.db.execute(sql + " ORDER BY scheduled", args)]

    def event_rows(self, since: datetime | None = None) -> list[tuple[str, str, str, str, str | None]]:
        """Events as stored (at as ISO text), oldest first: cheap enough for 100k rows."""
        sql = "SELECT at, reminder, occurrence, kind, detail FROM events"
        args: tuple[str, ...] = ()
        if since is not None:
            sql += " WHERE at >= ?"
            args = (_iso(since),)
        return self.db.execute(sql + " ORDER BY at, id", args).fetchall()

    def last_event(self, reminder: str, occurrence: str, kind: Kind) -> tuple[datetime, str | None] | None:
        row = self.db.execute(
            "SELECT at, detail FROM events WHERE reminder = ? AND occurrence = ? AND kind = ? "
            "ORDER BY id DESC LIMIT 1", (reminder, occurrence, kind)).fetchone()
        return (datetime.fromisoformat(row[0]), row[1]) if row else None

    def count_events(self, since: datetime) -> int:
        return int(self.db.execute("SELECT count(*) FROM events WHERE at >= ?",
                                   (_iso(since),)).fetchone()[0])

    def daily(self, since: datetime) -> list[tuple[str, str, int]]:
        """(local date, what, how many) for events and walks, by date: a long history at a glance."""
        return self.db.execute(
            """SELECT day, what, count(*) FROM (
                 SELECT substr(at, 1, 10) AS day, kind AS what FROM events WHERE at >= ?1
                 UNION ALL
                 SELECT substr(started, 1, 10), coalesce(outcome, 'interrupted') FROM walks
                 WHERE started >= ?1)
               GROUP BY day, what ORDER BY day, what""", (_iso(since),)).fetchall()

    def get_state(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: str | None) -> None:
        if value is None:
            self._write("DELETE FROM state WHERE key = ?", (key,))
        else:
            self._write("INSERT INTO state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                        "value = excluded.value", (key, value))

    def paused_until(self) -> datetime | None:
        return _dt(self.get_state("paused_until"))
