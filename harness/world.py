"""A daemon in a box for unit tests: a fake notifier, terminal, senses and alarm clock, and
clocks the test moves. The alarms ring when a test moves the clock to them, as a real one would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from stretchd.config.loading import load_everything
from stretchd.daemon.core import Daemon
from stretchd.desktop.notify import Action, Notice
from stretchd.schedule.alarms import Job
from stretchd.store.history import History

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
T0 = datetime(2026, 11, 24, 7, 30, tzinfo=BERLIN)
CONFIG = ('[defaults]\nmax_snoozes = 2\n[reminders.morning]\ntime = "07:30"\n'
          '[reminders.lunch]\ntime = "12:00"\nroutine = "shotgun"\n')


class FakeNotifier:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.shown: list[tuple[Notice, Callable[[Action], None], datetime]] = []
        self.closed: list[str] = []
        self.gone: set[str] = set()  # handles whose server went away
        self.tokens: dict[str, str] = {}  # ActivationToken by handle
        self.on_desktop: bool | None = None
        self.why_console = ""
        self.closed_tickets: list[str] = []

    def ticket(self, handle: str) -> str | None:
        return f"server {handle}"

    async def close_ticket(self, ticket: str) -> None:
        self.closed_tickets.append(ticket)

    async def show(self, notice: Notice, on_action: Callable[[Action], None]) -> str:
        self.shown.append((notice, on_action, self.clock.now))
        return f"n{len(self.shown)}"

    async def close(self, handle: str) -> None:
        self.closed.append(handle)

    async def alive(self, handle: str) -> bool:
        return handle not in self.gone

    def activation_token(self, handle: str) -> str | None:
        return self.tokens.get(handle)

    def press(self, action: Action, index: int = -1) -> None:
        self.shown[index][1](action)


class FakeTerminal:
    def __init__(self) -> None:
        self.launched: list[list[str]] = []
        self.tokens: list[str | None] = []
        self.fails: str | None = None  # the error a launch raises, as with no terminal found

    def launch(self, argv: list[str], token: str | None = None) -> None:
        from stretchd.errors import StretchdError

        if self.fails:
            raise StretchdError(self.fails)
        self.launched.append(list(argv))
        self.tokens.append(token)


class FakeSenses:
    """What the person does, as a test sets it: `busy` holds every due reminder."""

    def __init__(self) -> None:
        from stretchd.desktop.busy import Reading

        self.free = Reading("meeting", False, "test")
        self.readings: list[Reading] = [self.free]
        self.reads = 0
        self.closed = 0
        self.waits: list[float] = []

    def busy(self, condition: str = "meeting", reason: str = "microphone in use") -> None:
        from stretchd.desktop.busy import Reading

        self.readings = [Reading(condition, True, "test", "", reason)]

    def done(self) -> None:
        self.readings = [self.free]

    async def read(self, hold: Any) -> list[Any]:
        self.reads += 1
        return [r for r in self.readings if r.condition in hold.when]

    async def changed(self, hold: Any, timeout: float) -> None:
        """Never returns by itself: a test looks again with World.look()."""
        self.waits.append(timeout)
        await asyncio.Event().wait()

    def poke(self) -> None: ...

    async def close(self) -> None:
        self.closed += 1


class Clock:
    """The wall clock and the monotonic clock, moving together unless a test jumps."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.mono = 1000.0

    def wall(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, to: datetime) -> None:
        self.mono += (to - self.now).total_seconds()
        self.now = to


class FakeAlarms:
    def __init__(self) -> None:
        self.set_at: dict[str, tuple[datetime, Job]] = {}
        self.graces: dict[str, timedelta] = {}

    def start(self) -> None: ...

    def shutdown(self) -> None: ...

    def set(self, key: str, at: datetime, job: Job, grace: timedelta) -> None:
        self.set_at[key] = (at, job)
        self.graces[key] = grace

    def clear(self) -> None:
        self.set_at.clear()

    def at(self, key: str) -> datetime:
        return self.set_at[key][0]


class World:
    def __init__(self, tmp_path: Path, config: str, now: datetime) -> None:
        path = tmp_path / "config.toml"
        path.write_text(config)
        self.config_path = path
        self.store = History(tmp_path / "h.sqlite3")
        self.clock = Clock(now)
        self.notifier, self.terminal, self.alarms = FakeNotifier(self.clock), FakeTerminal(), FakeAlarms()
        self.senses = FakeSenses()
        tz = now.tzinfo
        assert isinstance(tz, ZoneInfo)
        self.d = Daemon(load_everything(path, lambda level, message: None), alarms=self.alarms,
                        store=self.store, notifier=self.notifier, terminal=lambda c: self.terminal,
                        senses=self.senses, tz=tz, config_path=path, now=self.clock.wall,
                        mono=self.clock.monotonic)
        self.d.arm()

    async def ring(self, key: str) -> None:
        """Move the clocks to that alarm and let it ring, and whatever it starts finish."""
        at, job = self.alarms.set_at.pop(key)
        self.clock.advance(max(at, self.clock.now))
        await job()
        await self.d.settle()

    async def press(self, action: Action) -> None:
        self.notifier.press(action)
        await self.d.settle()

    async def live_until(self, end: datetime) -> None:
        """Time passes to `end`: each alarm rings at its time and the minute check runs each minute."""
        next_tick = self.clock.now + timedelta(minutes=1)
        while True:
            key, at = min(((k, a) for k, (a, _) in self.alarms.set_at.items()),
                          key=lambda pair: pair[1], default=("", end + timedelta(days=1)))
            if min(at, next_tick) > end:
                break
            if at <= next_tick:
                await self.ring(key)
            else:
                self.clock.advance(next_tick)
                await self.d.tick()
                await self.d.settle()
                next_tick += timedelta(minutes=1)
        self.clock.advance(end)

    def kinds(self) -> list[tuple[str, str]]:
        return [(r[1], r[3]) for r in self.store.event_rows()]

    def last_event(self) -> tuple[str, str, str, str, str | None]:
        return self.store.event_rows()[-1]

    def shown_bodies(self) -> list[str]:
        return [n.body for n, _, _ in self.notifier.shown]


def run(coro: Any) -> Any:
    return asyncio.run(coro)
