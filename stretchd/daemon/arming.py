"""The alarms: one per reminder at its next occurrence, one per pending snooze, the weekly
summary's, and a look at what the person is doing just before each reminder that can be held."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from stretchd.daemon.shared import Shared
from stretchd.schedule import Due, next_occurrence, occurrence_key, resolve
from stretchd.schedule.alarms import Alarms
from stretchd.store.history import Status

# What the person is doing is read this long before a reminder's time (it takes tens of ms,
# X11's idle time a child process), so that a free person gets it on the dot.
LOOK_AHEAD = timedelta(seconds=2)


class Jobs(Protocol):
    """What the alarms do when they ring."""

    async def fire(self, due: Due) -> None: ...

    async def snooze_due(self, name: str, key: str) -> None: ...

    async def weekly_summary(self, moment: datetime) -> None: ...


class Arming:
    def __init__(self, shared: Shared, alarms: Alarms, jobs: Jobs,
                 look: Callable[[], Awaitable[None]]) -> None:
        self.shared = shared
        self.alarms = alarms
        self.jobs = jobs
        self.look = look  # read what the person is doing (holding.Holds.look)

    def arm(self) -> None:
        """Every alarm afresh, from the config and the store as they are now."""
        s = self.shared
        self.alarms.clear()
        now = s.now()
        self.arm_weekly(now)
        for r in s.config.reminders:
            self.arm_next(r.name, now)
        since = (now - timedelta(days=1)).astimezone(s.tz).date().isoformat()
        for occ in s.store.occurrences(since, status=Status.SNOOZED):
            if occ.snoozed_until and occ.snoozed_until > now:
                key = f"snooze:{occ.reminder}:{occ.occurrence}"
                self.alarms.set(key, occ.snoozed_until,
                                partial(self.jobs.snooze_due, occ.reminder, occ.occurrence),
                                self.grace())
                self._look_before(key, occ.reminder, occ.snoozed_until)

    def grace(self) -> timedelta:
        # An alarm late by seconds (a loaded machine) still shows, even with grace 0; one late
        # by a suspend is dropped, and the clock watch shows it late or records it missed.
        return max(self.shared.grace(), timedelta(minutes=1))

    def arm_next(self, name: str, after: datetime) -> None:
        s = self.shared
        r = s.config.reminder(name)
        occ = next_occurrence(r, after, s.tz) if r else None
        if r is not None and occ is not None:
            due = Due(r, occ, occurrence_key(occ, s.tz))
            self.alarms.set(f"reminder:{name}", occ, partial(self.jobs.fire, due), self.grace())
            self._look_before(f"reminder:{name}", name, occ)

    def arm_weekly(self, after: datetime) -> None:
        s = self.shared
        weekly = s.config.stats.weekly_summary
        if weekly is None:
            return
        day, at = weekly
        local = after.astimezone(s.tz).date()
        for n in range(8):
            moment = resolve(datetime.combine(local + timedelta(days=n), at), s.tz)
            if (local + timedelta(days=n)).weekday() == day and moment > after:
                self.alarms.set("weekly", moment, partial(self.jobs.weekly_summary, moment), self.grace())
                return

    def _look_before(self, key: str, name: str, at: datetime) -> None:
        config = self.shared.config
        r = config.reminder(name)
        if r is not None and r.hold and config.hold.when:
            self.alarms.set(f"look:{key}", at - LOOK_AHEAD, self.look, timedelta(seconds=1))
