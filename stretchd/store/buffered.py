"""The history store as the daemon uses it: writes it refuses (disk full, read-only) are kept
in memory, in order, and retried, while reads see where they leave each occurrence and the
state (a pause). A history that could not even be opened for writing is read as it stands and
opened again when a write is next due, or at stop; a stop that still cannot write says what is
lost."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from datetime import date, datetime

from stretchd.errors import StretchdError
from stretchd.store.history import History, Kind, Occurrence, Status, Walk

MAX_UNWRITTEN = 10_000  # writes kept in memory while the store refuses them
# How a state change reads in the line a stop writes when it could not keep it.
STATE_CHANGES = {("paused_until", False): "a pause", ("paused_until", True): "a resume",
                 ("alive_at", False): "when it last ran"}
Log = Callable[[str, str], None]


class BufferedStore:
    def __init__(self, store: History, log: Log, reopen: Callable[[], History] | None = None) -> None:
        """reopen: how to open the history for writing, when `store` is only its reading."""
        self.store = store
        self.log = log
        self._reopen = reopen
        self._unwritten: list[tuple[str, Callable[[], None]]] = []  # refused writes, in order
        self._failing = reopen is not None
        # Occurrences as the unwritten writes leave them: what the daemon reads meanwhile.
        self._pending: dict[tuple[str, str], Occurrence] = {}
        self._reopened: set[tuple[str, str]] = set()  # reopened by unwritten writes
        self._state: dict[str, str | None] = {}  # state keys as the unwritten writes leave them

    def record(self, reminder: str, key: str, scheduled: datetime, kind: Kind, at: datetime, *,
               status: Status | None = None, detail: str | None = None, snoozes: int | None = None,
               snoozed_until: datetime | None = None) -> None:
        """History.record, kept in memory and retried if the store cannot take it now."""
        self.keep(f"{reminder} {kind}", lambda: self.store.record(
            reminder, key, scheduled, kind, at, status=status, detail=detail, snoozes=snoozes,
            snoozed_until=snoozed_until))
        if self._unwritten:  # not in the store yet: remember where the occurrence stands
            old = self.occurrence(reminder, key)
            self._reopened.discard((reminder, key))
            count = snoozes if snoozes is not None else old.snoozes if old else 0
            self._pending[(reminder, key)] = Occurrence(reminder, key, scheduled,
                                                        status or Status(kind), count, snoozed_until)

    def reopen(self, reminder: str, key: str, at: datetime) -> None:
        self.keep(f"{reminder} reopened", lambda: self.store.reopen(reminder, key, at))
        if self._unwritten:
            self._pending.pop((reminder, key), None)
            self._reopened.add((reminder, key))

    def completed_days(self) -> dict[date, int]:
        return self.store.completed_days()  # walks are the walkthrough's writes, not ours

    def walks(self, since: datetime | None = None) -> list[Walk]:
        return self.store.walks(since)

    def occurrence(self, reminder: str, key: str) -> Occurrence | None:
        """The store's occurrence, or where unwritten writes leave it."""
        if (reminder, key) in self._reopened:
            return None
        return self._pending.get((reminder, key)) or self.store.occurrence(reminder, key)

    def occurrences(self, since_key: str, status: Status | None = None) -> list[Occurrence]:
        """History.occurrences, with what the store has not taken yet."""
        got = {(o.reminder, o.occurrence): o for o in self.store.occurrences(since_key)}
        got.update((k, o) for k, o in self._pending.items() if o.occurrence >= since_key)
        for k in self._reopened:
            got.pop(k, None)
        return sorted((o for o in got.values() if status is None or o.status == status),
                      key=lambda o: o.scheduled)

    def last_event(self, reminder: str, key: str, kind: Kind) -> tuple[datetime, str | None] | None:
        return self.store.last_event(reminder, key, kind)

    def set_state(self, key: str, value: str | None) -> None:
        what = STATE_CHANGES.get((key, value is None), key)
        self.keep(what, lambda: self.store.set_state(key, value))
        if self._unwritten:
            self._state[key] = value

    def get_state(self, key: str) -> str | None:
        """The store's state, or what unwritten writes set it to."""
        return self._state[key] if key in self._state else self.store.get_state(key)

    def paused_until(self) -> datetime | None:
        value = self.get_state("paused_until")
        return datetime.fromisoformat(value) if value else None

    @property
    def reading_only(self) -> bool:
        """The history could not be opened for writing: it is read as it stands meanwhile."""
        return self._reopen is not None

    def keep(self, what: str, write: Callable[[], None]) -> None:
        """Run the write after those still waiting; on failure keep it and say so once.
        what: the change in a few words, for the line that says what a stop lost."""
        self._unwritten.append((what, write))
        self.retry()

    def retry(self) -> None:
        """Write what waits, in order, to the history: opened again first if it could not be,
        or followed to its path if it was deleted or replaced under us."""
        if self._reopen is None and self.store.replaced():
            try:
                self.store = carry_over(self.store, self.log)
            except StretchdError as e:  # the folder refuses a new one: read the old one meanwhile
                self.log("error", e.message)
        if self._reopen is not None:
            try:
                writable = self._reopen()
            except StretchdError:
                pass
            else:
                self.store.close()
                self.store, self._reopen = writable, None
        while self._unwritten:
            try:
                self._unwritten[0][1]()
            except StretchdError as e:
                if not self._failing:
                    self.log("error", f"{e.message}; reminding anyway, and keeping what happens in "
                                      "memory until the store takes writes again")
                self._failing = True
                del self._unwritten[:-MAX_UNWRITTEN]
                return
            self._unwritten.pop(0)
        if self._failing and self._reopen is None:
            self.log("notice", "the history store takes writes again; nothing was lost")
            self._failing = False
            self._pending.clear()
            self._reopened.clear()
            self._state.clear()

    def close(self) -> None:
        """Write what waits, one last try; say in one line what could not be, then close."""
        self.retry()
        if self._unwritten:
            what = [w for w, _ in self._unwritten]
            shown = ", ".join(what[:6]) + (f" and {len(what) - 6} more" if len(what) > 6 else "")
            self.log("error", f"{getattr(self.store, 'path', 'the history')}: cannot write the history; "
                              f"lost at this stop: {shown}")
        self.store.close()


TABLES = ("events", "occurrences", "state", "walks", "peer_events", "sync_files")
# An event and a walk, their row ids aside: what tells two apart (a copy restored under us has
# the same, perhaps without the id it was shared under since), then what [sync] adds.
EVENT, EVENT_SYNC = "at, reminder, occurrence, kind, detail", "uid, shared, until"
WALK = "routine, reminder, started, ended, outcome, step, steps, pid, seconds, device, occurrence"
WALK_SYNC = "uid, shared"


def carry_over(old: History, log: Log) -> History:
    """The history file was deleted or replaced under us: a history at its path again (the
    one there, or a new one) with everything the old one held added, then the old one closed."""
    path = old.path
    columns = {"events": (EVENT, EVENT_SYNC), "walks": (WALK, WALK_SYNC)}
    rows = {t: old.db.execute(f"SELECT {', '.join(columns[t]) if t in columns else '*'} FROM {t}")
            .fetchall() for t in TABLES}
    # Out of WAL mode first: its -wal and -shm files, still at the path, would be taken by the
    # new one for its own. The old one stays usable if the new one cannot be opened.
    with contextlib.suppress(sqlite3.Error):
        old.db.execute("PRAGMA journal_mode=DELETE")
    new = History(path)
    old.close()
    with new.db:
        new.db.execute("BEGIN IMMEDIATE")
        for table, (content, synced) in columns.items():
            n = len(content.split(","))
            have = set(new.db.execute(f"SELECT {content} FROM {table}"))
            marks = ", ".join("?" for _ in f"{content}, {synced}".split(","))
            new.db.executemany(f"INSERT OR IGNORE INTO {table} ({content}, {synced}) VALUES ({marks})",
                               [r for r in rows[table] if r[:n] not in have])
            # One there already: it keeps the id it was shared under, and that it was.
            where = " AND ".join(f"{c.strip()} IS ?" for c in content.split(","))
            new.db.executemany(f"UPDATE {table} SET uid = coalesce(uid, ?), shared = max(shared, ?) "
                               f"WHERE {where}", [(r[n], r[n + 1], *r[:n]) for r in rows[table]
                                                  if r[:n] in have and r[n] is not None])
        for table in ("occurrences", "state", "peer_events", "sync_files"):
            if rows[table]:
                marks = ", ".join("?" for _ in rows[table][0])
                new.db.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", rows[table])
    log("warning", f"{path} was deleted or replaced while stretchd ran; carrying on in the one "
                   "there now, with everything the old one held")
    return new
