"""The history's side of [sync]: what this computer has not put in the shared folder yet, the
other computers' events and walks as read from it, and how far each file was read."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from stretchd.errors import StretchdError
from stretchd.store.history import History, Kind
from stretchd.sync.events import Event, Wire, new_id
from stretchd.sync.folder import Mark

# The history's kinds as the shared folder names them; the rest stays on this computer (a
# skip undone, a Start that opened no terminal, an answer that came from another computer).
WIRE = {Kind.SHOWN: Wire.SHOWN, Kind.LATE: Wire.SHOWN, Kind.HELD: Wire.HELD,
        Kind.STARTED: Wire.STARTED, Kind.SNOOZED: Wire.SNOOZED, Kind.SKIPPED: Wire.SKIPPED,
        Kind.DISMISSED: Wire.DISMISSED, Kind.MISSED: Wire.MISSED}
BATCH = 500  # events written to the folder at a time


@dataclass(frozen=True)
class Outgoing:
    table: str  # "events" or "walks"
    rowid: int
    event: Event | None  # None: nothing to share (it stays here); marked all the same


def _error(history: History, e: sqlite3.Error) -> StretchdError:
    return StretchdError(f"{history.path}: cannot share the history: {e}")


def unshared(history: History, device: str, limit: int = BATCH) -> list[Outgoing]:
    """What this computer recorded and has not put in the folder yet, oldest first; each with
    an id that is kept, so a write that is repeated (the mark after it was lost) adds nothing."""
    db = history.db
    out: list[Outgoing] = []
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
                    uid, device, wire, datetime.fromisoformat(at), reminder, occurrence, snooze_end)))
            walks = db.execute(
                "SELECT id, uid, routine, reminder, started, ended, seconds, outcome FROM walks "
                "WHERE shared = 0 AND device IS NULL AND outcome IS NOT NULL ORDER BY id LIMIT ?",
                (limit,)).fetchall()
            for rowid, uid, routine, reminder, started, ended, seconds, outcome in walks:
                if outcome != "completed" or not ended:
                    out.append(Outgoing("walks", rowid, None))
                    continue
                if uid is None:
                    uid = new_id()
                    db.execute("UPDATE walks SET uid = ? WHERE id = ?", (uid, rowid))
                out.append(Outgoing("walks", rowid, Event(
                    uid, device, Wire.COMPLETED, datetime.fromisoformat(ended), reminder,
                    started[:10] if reminder else None, routine=routine, seconds=seconds)))
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


def own_ids(history: History, ids: Iterable[str]) -> set[str]:
    """Which of these ids this computer wrote."""
    ids = list(ids)
    found: set[str] = set()
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        marks = ",".join("?" * len(part))
        for table in ("events", "walks"):
            found.update(r[0] for r in history.db.execute(
                f"SELECT uid FROM {table} WHERE uid IN ({marks})", part))
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
    return {name: Mark(offset, tail) for name, offset, tail
            in history.db.execute("SELECT name, offset, tail FROM sync_files")}


def set_mark(history: History, name: str, mark: Mark) -> None:
    try:
        with history.db:
            history.db.execute(
                "INSERT INTO sync_files VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "offset = excluded.offset, tail = excluded.tail", (name, mark.offset, mark.tail))
    except sqlite3.Error as e:
        raise _error(history, e) from None


def computers(history: History) -> dict[str, str]:
    """Each other computer seen in the folder, with the time of its last event (its own time)."""
    return {device: at for device, at in history.db.execute(
        "SELECT device, at FROM peer_events p WHERE utc = "
        "(SELECT max(utc) FROM peer_events q WHERE q.device = p.device) GROUP BY device "
        "ORDER BY device")}


def peer_rows(history: History, since: datetime | None = None) -> list[tuple[str, str, str, str, str]]:
    """Other computers' events for `history`: (at in its time, device, reminder, kind, detail),
    oldest first; completed walks are in the walks."""
    sql = ("SELECT at, device, coalesce(reminder, ''), kind, coalesce(until, '') FROM peer_events "
           "WHERE kind != 'completed'")
    args: tuple[str, ...] = ()
    if since is not None:
        sql += " AND utc >= ?"
        args = (since.astimezone(UTC).isoformat(timespec="milliseconds"),)
    rows = history.db.execute(sql + " ORDER BY utc, uid", args).fetchall()
    return [(at, device, reminder, kind, f"until {until[11:16]}" if until else "")
            for at, device, reminder, kind, until in rows]


# Where an occurrence stands on another computer, from its events: the strongest answer.
_STANDING = {"shown": (0, "showing"), "held": (0, "held"), "missed": (1, "missed"),
             "dismissed": (1, "dismissed"), "snoozed": (2, "snoozed"), "skipped": (3, "skipped"),
             "started": (4, "started"), "completed": (4, "started")}


def stats_rows(history: History, device: str) -> tuple[list[tuple[str, str, str, int, int]],
                                                       list[tuple[str, str, str | None, str | None,
                                                                  str | None, float | None]]]:
    """`stretchd stats --device` for another computer: its occurrences as its events leave
    them, and its completed walks (History.stats_rows' shapes)."""
    found: dict[tuple[str, str], tuple[int, str, int, int]] = {}
    for reminder, occurrence, kind in history.db.execute(
            "SELECT reminder, occurrence, kind FROM peer_events WHERE device = ? AND reminder IS "
            "NOT NULL AND occurrence IS NOT NULL", (device,)):
        rank, status = _STANDING.get(kind, (0, "showing"))
        old = found.get((reminder, occurrence), (-1, "showing", 0, 0))
        best = (rank, status) if rank > old[0] else old[:2]
        found[(reminder, occurrence)] = (*best, old[2] or kind == "snoozed", old[3] or kind == "held")
    occurrences = [(r, o, status, int(snoozed), int(held))
                   for (r, o), (_, status, snoozed, held) in found.items()]
    walks = history.db.execute(
        "SELECT routine, started, ended, outcome, reminder, seconds FROM walks WHERE device = ?",
        (device,)).fetchall()
    return occurrences, walks


def devices(history: History) -> list[str]:
    return [r[0] for r in history.db.execute("SELECT DISTINCT device FROM peer_events ORDER BY 1")]
