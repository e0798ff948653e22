"""Holding a due reminder while the person is busy or away, and letting it go the moment they
can act: what is held, since when and why, and the one task that watches while anything is.

Nothing here runs between reminders: the conditions are read 2 s before one falls due (and
again at its time if the person was busy then), and watched (their sources' signals, else one
check a minute) only while one is held."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any

from stretchd.config import Defaults, Hold, Reminder, conditions
from stretchd.config.conditions import Reading
from stretchd.daemon.decisions import Answer, Showing, answer
from stretchd.daemon.ports import Action, Senses
from stretchd.i18n import N_, _
from stretchd.schedule import Due
from stretchd.store.history import Kind, Status, Store

CHECK = 60.0  # seconds between checks while a reminder is held, where no signal says sooner
FRESH = timedelta(seconds=5)  # a reading ahead of a reminder's time still counts this long


def after(reason: str | None) -> str:
    """Why a held reminder comes late, said in its notification, by the reason that held it last."""
    return _(conditions.AFTER.get(reason or "", N_("after a hold")))


def holding(readings: Iterable[Reading]) -> Reading | None:
    """The first condition that holds a reminder now."""
    return next((r for r in readings if r.busy), None)


@dataclass(frozen=True)
class Held:
    due: Due
    since: datetime
    snoozes: int
    reason: str  # the latest reason it is held for

    def minutes(self, now: datetime) -> int:
        return int((now - self.since).total_seconds() // 60)

    def why(self, now: datetime) -> str:
        """The history's detail when it finally shows."""
        return f"after {self.minutes(now)} min held: {self.reason}"


Show = Callable[[Held], Awaitable[None]]
Spawn = Callable[[Coroutine[Any, Any, Any], str], "asyncio.Task[Any]"]
Log = Callable[[str, str], None]


class Holds:
    """The reminders held now, keyed by (reminder, occurrence)."""

    def __init__(self, senses: Senses, store: Store, *, now: Callable[[], datetime],
                 hold: Callable[[], Hold], show: Show, spawn: Spawn, log: Log) -> None:
        self.senses = senses
        self.store = store
        self.now = now
        self.hold = hold  # the config's [hold], as it is now (it is reloaded)
        self.show = show
        self.spawn = spawn
        self.log = log
        self.held: dict[tuple[str, str], Held] = {}
        self.watching: asyncio.Task[Any] | None = None
        self._reading = 0  # reads in progress: the senses are not closed under them
        self._ahead: tuple[datetime, Reading | None] | None = None  # look(): when, and its answer

    async def look(self) -> None:
        """Read ahead of a reminder's time: if the person is free then, it shows on the dot."""
        self._ahead = (self.now(), await self._read(say="ahead of a reminder"))
        await self._close_if_idle()

    async def _read(self, say: str = "") -> Reading | None:
        """The condition that holds a reminder now, if any. A source that fails is not busy:
        a reminder shown in a call beats one never shown. `say`: log what was read, as what."""
        self._reading += 1
        try:
            readings = await self.senses.read(self.hold())
            if say:  # why a reminder was shown or held, in the log (not each minute of a hold)
                self.log("info", f"{say}: read {'; '.join(r.describe() for r in readings) or 'nothing'}")
            return holding(readings)
        except Exception as e:
            self.log("warning", f"reading what the person is doing failed ({type(e).__name__}: {e}); "
                                "not holding")
            return None
        finally:
            self._reading -= 1

    async def check(self, due: Due, snoozes: int, since: datetime | None = None,
                    reason: str | None = None) -> bool:
        """At a due time: if the person is busy, hold the reminder (True). `since`: a hold
        carried over from before a restart, already recorded."""
        if not due.reminder.hold or not self.hold().when:
            return False
        ahead = self._ahead  # one look serves every reminder due at that time
        if ahead is not None and ahead[1] is None and timedelta(0) <= self.now() - ahead[0] <= FRESH:
            return False  # free a moment ago: shown on time (a call starting since is missed)
        busy = await self._read(say=f"{due.reminder.name} {due.key}")
        if busy is None:
            await self._close_if_idle()
            return False
        now, name = self.now(), due.reminder.name
        if since is None:
            self.store.record(name, due.key, due.at, Kind.HELD, now, status=Status.HELD,
                              detail=busy.reason, snoozes=snoozes)
            self.log("info", f"{name} {due.key}: held ({busy.reason})")
        self.held[(name, due.key)] = Held(due, since or now, snoozes, busy.reason or reason or "")
        if self.watching is None or self.watching.done():
            self.watching = self.spawn(self.watch(), "watching held reminders")
        return True

    def resume(self, since_key: str, reminder: Callable[[str], Reminder | None]) -> None:
        """At start: reminders held when the daemon stopped are held again, shown if the
        person is free now, or recorded as missed past the limit."""
        now = self.now()
        limit = timedelta(minutes=self.hold().hold_at_most_minutes)
        for occ in self.store.occurrences(since_key, status=Status.HELD):
            r = reminder(occ.reminder)
            event = self.store.last_event(occ.reminder, occ.occurrence, Kind.HELD)
            since, reason = event or (occ.scheduled, None)
            if r is None or now - since >= limit:
                self.store.record(occ.reminder, occ.occurrence, occ.scheduled, Kind.MISSED, now,
                                  detail=f"held {int((now - since).total_seconds() // 60)} min: {reason}")
            else:
                held = Held(Due(r, occ.scheduled, occ.occurrence), since, occ.snoozes, reason or "")
                self.spawn(self._again(held), f"holding {occ.reminder} again")

    async def _again(self, held: Held) -> None:
        if not await self.check(held.due, held.snoozes, since=held.since, reason=held.reason):
            await self.show(held)

    def answer(self, action: Action, minutes: int | None, name: str | None, defaults: Defaults,
               tz: tzinfo) -> Answer | None:
        """A snooze or a skip from the command line for a held reminder (of that name): what
        it did, recorded; None if none is held."""
        held = next((h for h in self.held.values() if name in (None, h.due.reminder.name)), None)
        if held is None:
            return None
        due, now = held.due, self.now()
        outcome = answer(action, Showing(due, "", held.snoozes), now, tz, defaults, minutes)
        if outcome.kind is not None:
            del self.held[(due.reminder.name, due.key)]
            self.store.record(due.reminder.name, due.key, due.at, outcome.kind, now,
                              detail=f"while held: {held.reason}", snoozes=outcome.snoozes,
                              snoozed_until=outcome.snoozed_until)
        return outcome

    def poke(self) -> None:
        if self.held:
            self.senses.poke()

    async def watch(self) -> None:
        try:
            while self.held:
                await self.senses.changed(self.hold(), self._timeout())
                await self.review()
        finally:
            await self._close_if_idle()

    def _timeout(self) -> float:
        """Until the next check: a minute, or sooner if a hold reaches its limit before."""
        limit = timedelta(minutes=self.hold().hold_at_most_minutes)
        now = self.now()
        first = min((h.since + limit - now).total_seconds() for h in self.held.values())
        return max(0.1, min(CHECK, first + 0.05))

    async def review(self) -> None:
        """Record as missed what was held too long; show the rest if the person is free."""
        now, hold = self.now(), self.hold()
        limit = timedelta(minutes=hold.hold_at_most_minutes)
        for ident, held in list(self.held.items()):
            got = self.store.occurrence(*ident)
            if got is None or got.status != Status.HELD:
                del self.held[ident]  # answered meanwhile
            elif now - held.since >= limit:
                del self.held[ident]
                detail = f"held {held.minutes(now)} min: {held.reason}"
                self.store.record(*ident, held.due.at, Kind.MISSED, now, detail=detail)
                self.log("info", f"{ident[0]} {ident[1]}: missed ({detail})")
        if not self.held:
            return
        busy = await self._read() if hold.when else None
        if busy is not None:
            for ident, held in self.held.items():
                if busy.reason != held.reason:
                    self.held[ident] = replace(held, reason=busy.reason)
            return
        for ident in list(self.held):
            await self.show(self.held.pop(ident))

    async def _close_if_idle(self) -> None:
        if not self.held and not self._reading:
            await self.senses.close()

    def status(self) -> list[dict[str, Any]]:
        """For `stretchd status`: each held reminder, since when and why."""
        now = self.now()
        limit = timedelta(minutes=self.hold().hold_at_most_minutes)
        return [{"reminder": h.due.reminder.name, "since": h.since.isoformat(),
                 "minutes": h.minutes(now), "reason": h.reason,
                 "until": (h.since + limit).isoformat()}
                for h in sorted(self.held.values(), key=lambda h: h.since)]


class NoSenses:
    """Holding turned off for a run (tests of other parts): nobody is ever busy."""

    async def read(self, hold: Hold) -> list[Reading]:
        return []

    async def changed(self, hold: Hold, timeout: float) -> None:
        await asyncio.sleep(timeout)

    def poke(self) -> None:
        pass

    async def close(self) -> None:
        pass
