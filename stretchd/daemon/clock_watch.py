"""The wall-clock watch: what the alarms missed after a suspend, a clock jump, a change of time
zone or a stop, and when the daemon was last up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from stretchd.daemon.shared import Shared
from stretchd.journal import log
from stretchd.schedule import Due, catch_up, occurrence_key, occurrences_between
from stretchd.store.history import Kind

JUMP = 5.0  # seconds of disagreement between the wall and monotonic clocks that mean a jump
ALIVE_EVERY = timedelta(minutes=10)  # how often "still up" is written (and at stop)
ALIVE = "alive_at"  # state: when we were last up


class ClockWatch:
    def __init__(self, shared: Shared, *, mono: Callable[[], float], zone: Callable[[], tzinfo],
                 rearm: Callable[[], None], show: Callable[[Due], None]) -> None:
        self.shared = shared
        self.mono = mono  # beside the wall clock, tells a jump (a suspend) from time passing
        self.zone = zone  # asked at each check: has the machine's zone changed?
        self.rearm = rearm
        self.show = show  # a due occurrence to present
        self.last_wall = shared.now()
        self.last_mono = mono()
        self.alive_noted: datetime | None = None

    def check(self, since: datetime | None = None) -> None:
        """Catch up what the alarms missed since the last check (or since `since`)."""
        s = self.shared
        now, mono = s.now(), self.mono()
        jumped = abs((now - self.last_wall).total_seconds() - (mono - self.last_mono)) > JUMP
        zone = self.zone()
        if str(zone) != str(s.tz):
            log("notice", f"the time zone changed from {s.tz} to {zone}")
            s.tz, jumped = zone, True
            now = s.now()
        start = since or self.last_wall
        self.last_wall, self.last_mono = now, mono
        if jumped or self.alive_noted is None or not timedelta(0) <= now - self.alive_noted < ALIVE_EVERY:
            self.note_alive(now)
        if jumped:
            log("notice", "the wall clock jumped; re-arming the schedule")
            self.rearm()
        if now <= start:
            self._replayed(now, start)
            return
        handled = {(o.reminder, o.occurrence)
                   for o in s.store.occurrences((start - timedelta(days=9)).date().isoformat())}
        show, missed = catch_up(s.config.reminders, start, now, s.grace(), handled, s.tz)
        for due in missed:
            s.store.record(due.reminder.name, due.key, due.at, Kind.MISSED, now)
            log("info", f"{due.reminder.name} {due.key}: missed (due {due.at:%H:%M})")
        if show is not None:
            self.show(show)

    def note_alive(self, now: datetime) -> None:
        """When we were last up: a later start catches up on what fell due since."""
        self.shared.store.set_state(ALIVE, now.isoformat())
        self.alive_noted = now

    def last_up(self) -> datetime | None:
        alive = self.shared.store.get_state(ALIVE)
        return datetime.fromisoformat(alive) if alive else None

    def _replayed(self, now: datetime, until: datetime) -> None:
        """The clock went back: the stretch of wall time we live through again fires nothing."""
        s = self.shared
        for r in s.config.reminders:
            for occ in occurrences_between(r, now, until, s.tz):
                key = occurrence_key(occ, s.tz)
                if s.store.occurrence(r.name, key) is None:
                    s.store.record(r.name, key, occ, Kind.SKIPPED, now, detail="the clock went back")
