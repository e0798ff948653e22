"""The history store as the daemon uses it: writes it refuses (disk full, read-only) are kept
in memory, in order, and retried, while reads see where they leave each occurrence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from stretchd.errors import StretchdError
from stretchd.history import History, Kind, Occurrence, Status

MAX_UNWRITTEN = 10_000  # writes kept in memory while the store refuses them
Log = Callable[[str, str], None]


class BufferedStore:
    def __init__(self, store: History, log: Log) -> None:
        self.store = store
        self.log = log
        self._unwritten: list[Callable[[], None]] = []  # writes the store refused, in order
        self._failing = False
        # Occurrences as the unwritten writes leave them: what the daemon reads meanwhile.
        self._pending: dict[tuple[str, str], Occurrence] = {}
        self._reopened: set[tuple[str, str]] = set()  # reopened by unwritten writes

    def record(self, reminder: str, key: str, scheduled: datetime, kind: Kind, at: datetime, *,
               status: Status | None = None, detail: str | None = None, snoozes: int | None = None,
               snoozed_until: datetime | None = None) -> None:
        """History.record, kept in memory and retried if the store cannot take it now."""
        self.keep(lambda: self.store.record(reminder, key, scheduled, kind, at, status=status,
                                            detail=detail, snoozes=snoozes, snoozed_until=snoozed_until))
        if self._unwritten:  # not in the store yet: remember where the occurrence stands
            old = self.occurrence(reminder, key)
            self._reopened.discard((reminder, key))
            count = snoozes if snoozes is not None else old.snoozes if old else 0
            self._pending[(reminder, key)] = Occurrence(reminder, key, scheduled,
                                                        status or Status(kind), count, snoozed_until)

    def reopen(self, reminder: str, key: str, at: datetime) -> None:
        self.keep(lambda: self.store.reopen(reminder, key, at))
        if self._unwritten:
            self._pending.pop((reminder, key), None)
            self._reopened.add((reminder, key))

    def completed_days(self) -> dict[date, int]:
        return self.store.completed_days()  # walks are the walkthrough's writes, not ours

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
        self.keep(lambda: self.store.set_state(key, value))

    def get_state(self, key: str) -> str | None:
        return self.store.get_state(key)

    def paused_until(self) -> datetime | None:
        return self.store.paused_until()

    def keep(self, write: Callable[[], None]) -> None:
        """Run the write after those still waiting; on failure keep it and say so once."""
        self._unwritten.append(write)
        while self._unwritten:
            try:
                self._unwritten[0]()
            except StretchdError as e:
                if not self._failing:
                    self.log("error", f"{e.message}; reminding anyway, and keeping what happens in "
                                      "memory until the store takes writes again")
                self._failing = True
                del self._unwritten[:-MAX_UNWRITTEN]
                return
            self._unwritten.pop(0)
        if self._failing:
            self.log("notice", "the history store takes writes again; nothing was lost")
            self._failing = False
            self._pending.clear()
            self._reopened.clear()
