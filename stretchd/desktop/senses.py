"""The daemon's senses on a real desktop: busy.py's readings when a reminder falls due, and
while one is held, the sources' own change signals (D-Bus, `pw-dump --monitor`).

Connections are opened when a reminder falls due and closed when nothing is held."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Callable

from stretchd.config import Hold, conditions
from stretchd.config.conditions import Reading
from stretchd.desktop import busy
from stretchd.desktop.dbus import Bus

SETTLE = 0.2  # seconds for the rest of a change to arrive (a stream's state, then its removal)
Log = Callable[[str, str], None]


class DesktopSenses:
    def __init__(self, log: Log) -> None:
        self.log = log
        self._session: Bus | None = None
        self._system: Bus | None = None
        self._changed: asyncio.Event | None = None
        self._watching = False
        self._monitor: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    def _buses(self) -> tuple[Bus, Bus]:
        self._session = self._session or Bus()
        self._system = self._system or Bus(system=True)
        return self._session, self._system

    async def read(self, hold: Hold) -> list[Reading]:
        session, system = self._buses()
        return await busy.read(hold.when, away_minutes=hold.away_minutes,
                               mako_modes=hold.mako_modes, session=session, system=system)

    async def say_unseen(self, hold: Hold) -> None:
        """Said once at start: the conditions no source here can read, so they never hold."""
        try:
            readings = await self.read(hold)
        finally:
            await self.close()
        unseen = [r.describe() for r in readings if r.busy is None]
        if unseen:
            self.log("notice", f"hold: not watched here, so never holding a reminder: {'; '.join(unseen)}")

    async def changed(self, hold: Hold, timeout: float) -> None:
        event = self._event()
        if not self._watching:
            self._watching = True
            await self._watch(hold)
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return
        await asyncio.sleep(SETTLE)
        event.clear()

    def poke(self) -> None:
        self._event().set()

    def _event(self) -> asyncio.Event:
        self._changed = self._changed or asyncio.Event()
        return self._changed

    async def _watch(self, hold: Hold) -> None:
        """Subscribe to what signals the end of each enabled condition (conditions.py). Those
        with no signal (mako's modes, GNOME's setting, idle time, /proc) are read once a minute
        instead."""
        session, system = self._buses()
        wanted = conditions.named(hold.when)
        rules = [rule for c in wanted for rule in c.session_rules]
        if rules:
            await session.watch(rules, self.poke)
        if any(c.logind for c in wanted):
            path = await busy.login_session(system)
            if path:  # PropertiesChanged (LockedHint, IdleHint), Lock and Unlock
                await system.watch([f"type='signal',sender='org.freedesktop.login1',path='{path}'"],
                                   self.poke)
        pw_dump = shutil.which("pw-dump") if any(c.pipewire for c in wanted) else None
        if pw_dump:
            try:
                self._monitor = await asyncio.create_subprocess_exec(
                    pw_dump, "--monitor", "--no-colors", stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
            except OSError as e:
                self.log("debug", f"pw-dump --monitor did not start: {e}")
            else:
                self._reader = asyncio.get_running_loop().create_task(self._read_monitor(self._monitor))

    async def _read_monitor(self, proc: asyncio.subprocess.Process) -> None:
        """pw-dump prints the whole graph as one JSON array, then one array per change; a
        line holding only "]" ends each."""
        assert proc.stdout is not None
        first = True
        async for line in proc.stdout:
            if line.rstrip() == b"]":
                if not first:
                    self.poke()
                first = False

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        if self._monitor is not None:
            with contextlib.suppress(ProcessLookupError):
                self._monitor.kill()
            await self._monitor.wait()
            self._monitor = None
        for bus in (self._session, self._system):
            if bus is not None:
                bus.close()
        self._session = self._system = None
        self._watching = False
        if self._changed is not None:
            self._changed.clear()

