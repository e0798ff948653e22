"""The history's side of [sync]: what this computer has not put in the shared folder yet, the
other computers' events and walks as read from it, and how far each file was read."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from stretchd import l10n
from stretchd.errors import StretchdError
from stretchd.i18n import _
from stretchd.store.history import History, Kind
from stretchd.sync.events import Event, Wire, new_id
from stretchd.sync.folder import Mark

# The history's kinds as the shared folder names them; the rest stays on this computer (a
# skip undone, a Start that opened no terminal, an answer that came from another computer).
WIRE = {Kind.SHOWN: Wire.SHOWN, Kind.LATE: Wire.SHOWN, Kind.HELD: Wire.HELD,
        Kind.STARTED: Wire.STARTED, Kind.SNOOZED: Wire.SNOOZED, Kind.SKIPPED: Wire.SKIPPED,
        Kind.DISMISSED: Wire.DISMISSED, Kind.MISSED: Wire.MISSED}
BATCH = 500  # events written to the folder at a time
WRITER = "sync_writer"  # state: this history's writer id in the folder's lines


@dataclass(frozen=True)
class Outgoing:
    table: str  # "events" or "walks"
    rowid: int
    event: Event | None  # None: nothing to share (it stays here); marked all the same


def _error(history: History, e: sqlite3.Error) -> StretchdError:
    # TRANSLATORS: {file} is the database's path; {error} is SQLite's reason.
    return StretchdError(_("{file}: cannot share the history: {error}").format(file=history.path, error=e))


def unshared(history: History, device: str, limit: int = BATCH) -> list[Outgoing]:
    """What this computer recorded and has not put in the folder yet, oldest first; each with
    an id that is kept, so a write that is repeated (the mark after it was lost) adds nothing."""
    db = history.db
    out: list[Outgoing] = []
    me = writer(history)
    try:
        with db:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute(
                "SELECT id, uid, at, reminder, occurrence, kind, until FROM events "
                "WHERE shared = 0 ORDER BY id LIMIT ?", (limit,)).fetchall()
            for rowid, uid, at, reminder, occurrence, kind, until in rows:
                wire = WIRE.get(kind)
                if wire is None:
                    out.append(Outgoing("events", rowid, None))
                    continue
                if uid is None:
                    uid = new_id()
                    db.execute("UPDATE events SET uid = ? WHERE id = ?", (uid, rowid))
                snooze_end = datetime.fromisoformat(until) if wire == Wire.SNOOZED and until else None
                if wire == Wire.SNOOZED and snooze_end is None:
                    out.append(Outgoing("events", rowid, None))
                    continue
                out.append(Outgoing("events", rowid, Event(
                    uid, device, wire, datetime.fromisoformat(at), reminder, occurrence, snooze_end,
                    writer=me)))
            walks = db.execute(
                "SELECT id, uid, routine, reminder, ended, seconds, outcome, occurrence FROM walks "
                "WHERE shared = 0 AND device IS NULL AND outcome IS NOT NULL ORDER BY id LIMIT ?",
                (limit,)).fetchall()
            for rowid, uid, routine, reminder, ended, seconds, outcome, occurrence in walks:
                if outcome != "completed" or not ended:
                    out.append(Outgoing("walks", rowid, None))
                    continue
                if uid is None:
                    uid = new_id()
                    db.execute("UPDATE walks SET uid = ? WHERE id = ?", (uid, rowid))
                # The occurrence its Start answered (a walk's own date may be the next day's).
                out.append(Outgoing("walks", rowid, Event(
                    uid, device, Wire.COMPLETED, datetime.fromisoformat(ended), reminder,
                    occurrence if reminder else None, routine=routine, seconds=seconds, writer=me)))
    except sqlite3.Error as e:
        raise _error(history, e) from None
    return out


def mark_shared(history: History, sent: Iterable[Outgoing]) -> None:
    sent = list(sent)
    try:
        with history.db:
            for table in ("events", "walks"):
                ids = [(o.rowid,) for o in sent if o.table == table]
                history.db.executemany(f"UPDATE {table} SET shared = 1 WHERE id = ?", ids)
    except sqlite3.Error as e:
        raise _error(history, e) from None


def _read(history: History, sql: str, args: tuple[object, ...] = ()) -> list[Any]:
    try:
        return history.db.execute(sql, args).fetchall()
    except sqlite3.Error as e:
        # TRANSLATORS: {file} is the database's path; {error} is SQLite's reason.
        raise StretchdError(_("{file}: cannot read the shared history: {error}").format(
            file=history.path, error=e)) from None


def writer(history: History) -> str:
    """This history's own id in the folder's lines: another writer under this computer's
    name is another computer (a history started afresh here reads its old lines as restored)."""
    found = history.get_state(WRITER)
    if found is None:
        found = new_id()
        # A history that takes no writes: a new id each start (its lines are not written either).
        with contextlib.suppress(StretchdError):
            history.set_state(WRITER, found)
    return found


def add(history: History, events: Iterable[Event]) -> list[Event]:
    """Keep other computers' events (each once, by its id); return those that were new. A
    completed walkthrough is also a walk in the history, so streaks and stats count it."""
    new: list[Event] = []
    try:
        with history.db:
            history.db.execute("BEGIN IMMEDIATE")
            for e in events:
                cur = history.db.execute(
                    "INSERT OR IGNORE INTO peer_events (uid, device, at, utc, reminder, occurrence, "
                    "kind, until, routine, seconds) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (e.id, e.device, e.at.isoformat(timespec="milliseconds"),
                     e.at.astimezone(UTC).isoformat(timespec="milliseconds"), e.reminder,
                     e.occurrence, e.kind, e.until.isoformat(timespec="milliseconds") if e.until
                     else None, e.routine, e.seconds))
                if not cur.rowcount:
                    continue
                new.append(e)
                if e.kind == Wire.COMPLETED:
                    # In that computer's time: its date is the day the walk counts for.
                    started = e.at - timedelta(seconds=e.seconds or 0)
                    history.db.execute(
                        "INSERT OR IGNORE INTO walks (routine, reminder, started, ended, outcome, "
                        "step, steps, seconds, uid, shared, device) "
                        "VALUES (?, ?, ?, ?, 'completed', 0, 0, ?, ?, 1, ?)",
                        (e.routine, e.reminder, started.isoformat(timespec="milliseconds"),
                         e.at.isoformat(timespec="milliseconds"), e.seconds, e.id, e.device))
    except sqlite3.Error as e:
        raise _error(history, e) from None
    return new


def marks(history: History) -> dict[str, Mark]:
    return {name: Mark(offset, tail, bool(skipping)) for name, offset, tail, skipping
            in _read(history, "SELECT name, offset, tail, skipping FROM sync_files")}


def set_mark(history: History, name: str, mark: Mark) -> None:
    try:
        with history.db:
            history.db.execute(
                "INSERT INTO sync_files VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "offset = excluded.offset, tail = excluded.tail, skipping = excluded.skipping",
                (name, mark.offset, mark.tail, int(mark.skipping)))
    except sqlite3.Error as e:
        raise _error(history, e) from None


def computers(history: History) -> dict[str, str]:
    """Each other computer seen in the folder, with the time of its last event (its own time)."""
    # SQLite takes the bare column `at` from the row that has max(utc); the index makes it a
    # walk of one entry per computer.
    return {device: at for device, at, _utc in _read(history,
        "SELECT device, at, max(utc) FROM peer_events GROUP BY device ORDER BY device")}


def peer_rows(history: History, since: datetime | None = None) -> list[tuple[str, str, str, str, str]]:
    """Other computers' events for `history`: (at in its time, device, reminder, kind, detail),
    oldest first; completed walks are in the walks."""
    sql = ("SELECT at, device, coalesce(reminder, ''), kind, coalesce(until, '') FROM peer_events "
           "WHERE kind != 'completed'")
    args: tuple[str, ...] = ()
    if since is not None:
        sql += " AND utc >= ?"
        args = (since.astimezone(UTC).isoformat(timespec="milliseconds"),)
    rows = _read(history, sql + " ORDER BY utc, uid", args)
    # TRANSLATORS: the detail of another computer's snooze in `stretchd history`; {time} is 07:40.
    return [(at, device, reminder, kind,
             _("until {time}").format(time=l10n.time_of_day(datetime.fromisoformat(until))) if until else "")
            for at, device, reminder, kind, until in rows]


def devices(history: History) -> list[str]:
    return [r[0] for r in _read(history, "SELECT DISTINCT device FROM peer_events ORDER BY 1")]
