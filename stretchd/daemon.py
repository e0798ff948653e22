"""The daemon: one asyncio loop with APScheduler cron jobs, notifications and a control socket."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from stretchd import paths
from stretchd.buffered import BufferedStore
from stretchd.config import Config, Reminder, load
from stretchd.errors import ConfigError, StretchdError
from stretchd.history import History
from stretchd.journal import log, sd_notify
from stretchd.notify import Notice, Notifier
from stretchd.routines import Routine, load_all
from stretchd.schedule import Due, catch_up, occurrence_key, occurrences_between
from stretchd.session import format_duration, plan, planned_seconds
from stretchd.state import FINAL, Context
from stretchd.terminal import TerminalLauncher, walk_argv

TICK = 60.0  # seconds between wall-clock checks: one wakeup a minute when idle
JUMP = 5.0  # seconds of disagreement between the wall and monotonic clocks that mean a jump
ALIVE_EVERY = timedelta(minutes=10)  # how often "still up" is written (and at stop)
LATE = timedelta(seconds=60)  # shown this much after its time, a reminder is marked late
@dataclass
class Showing:
    due: Due
    handle: str
    snoozes: int


class Daemon:
    def __init__(self, *, store: History, notifier: Notifier, terminal: Callable[[Config], TerminalLauncher],
                 tz: tzinfo, config_path: Path | None = None,
                 now: Callable[[], datetime] | None = None,
                 zone: Callable[[], tzinfo] | None = None) -> None:
        self.store = BufferedStore(store, log)
        self.notifier = notifier
        self.make_terminal = terminal
        self.tz = tz
        self.config_path = config_path or paths.config_file()
        self.now = now or (lambda: datetime.now(self.tz))
        self.zone = zone or (lambda: self.tz)  # asked once a minute: has the zone changed?
        self.config: Config | None = None
        self.routines: dict[str, Routine] = {}
        self.showing: Showing | None = None
        self.scheduler: Any = None
        self.last_wall = self.now()
        self.last_mono = time.monotonic()
        self.stopping = asyncio.Event()
        self._system_bus: Any = None  # kept referenced so the resume signal keeps coming
        self._busy: set[tuple[str, str]] = set()  # occurrences being presented right now
        self._stamp: object = None  # what the config files looked like when last read
        self._bad_config = ""  # the last invalid config's error, so it is announced once
        self._alive_noted: datetime | None = None

    @property
    def ctx(self) -> Context:
        assert self.config is not None
        return Context(self.config, self.store, self.tz)

    # Configuration --------------------------------------------------------------------

    def stamp(self) -> object:
        """What the config file and the routines folder look like on disk (cheap to compare)."""
        def one(path: Path) -> object:
            try:
                st = path.stat()
            except OSError:
                return None
            return (st.st_ino, st.st_mtime_ns, st.st_size)

        routines_dir = paths.user_routines_dir()
        files = sorted(routines_dir.glob("*.toml")) if routines_dir.is_dir() else []
        return (one(self.config_path), one(routines_dir), tuple(one(f) for f in files))

    def load_config(self) -> Config:
        self._stamp = self.stamp()
        routines, problems = load_all(paths.user_routines_dir())
        for problem in problems:
            log("warning", f"skipped routine file {problem}")
        config = load(self.config_path, routines)
        self.routines = routines
        self.config = config
        self._bad_config = ""
        return config

    def reload(self) -> str:
        """Re-read the config and re-arm; an invalid config keeps the running schedule."""
        old, old_routines = self.config, self.routines
        try:
            self.load_config()
        except ConfigError as e:
            self.config, self.routines = old, old_routines
            log("error", f"config not reloaded, the previous schedule stays: {e.message}")
            if e.message != self._bad_config:
                self._bad_config = e.message
                self._announce(Notice("stretchd: config not loaded",
                                      f"{e.message}\nThe previous schedule stays until it is fixed.", ()))
            raise
        self.arm()
        log("info", f"config reloaded: {len(self.ctx.config.reminders)} reminders")
        return "reloaded"

    def reload_if_changed(self) -> None:
        if self.stamp() == self._stamp:
            return
        if not self.config_path.exists() and self.config is not None and self.config.path:
            self._stamp = self.stamp()
            log("warning", f"{self.config_path} was removed; keeping the last good config "
                           "(`stretchd config path` to start a new one)")
            return
        with contextlib.suppress(ConfigError):
            self.reload()

    def _announce(self, notice: Notice) -> None:
        with contextlib.suppress(RuntimeError):  # no loop (tests calling reload directly)
            asyncio.get_running_loop().create_task(self.notifier.show(notice, lambda a: None))

    # Scheduling -----------------------------------------------------------------------

    def arm(self) -> None:
        """(Re)create one cron job per reminder, and a date job per pending snooze."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.date import DateTrigger

        assert self.config is not None
        self.scheduler.remove_all_jobs()
        grace = max(1, self.config.defaults.grace_minutes * 60)
        for r in self.config.reminders:
            days = ",".join(("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d] for d in sorted(r.days))
            trigger = CronTrigger(day_of_week=days, hour=r.time.hour, minute=r.time.minute,
                                  second=r.time.second, timezone=self.tz)
            self.scheduler.add_job(self.fire, trigger, args=(r.name,), id=f"reminder:{r.name}",
                                   coalesce=True, misfire_grace_time=grace, max_instances=1)
        now = self.now()
        since = (now - timedelta(days=1)).astimezone(self.tz).date().isoformat()
        for occ in self.store.occurrences(since, status="snoozed"):
            if occ.snoozed_until and occ.snoozed_until > now:
                self.scheduler.add_job(self.snooze_due, DateTrigger(occ.snoozed_until, timezone=self.tz),
                                       args=(occ.reminder, occ.occurrence),
                                       id=f"snooze:{occ.reminder}:{occ.occurrence}",
                                       misfire_grace_time=grace, replace_existing=True)

    async def fire(self, name: str) -> None:
        """A cron job: the reminder's occurrence at (or just before) now."""
        assert self.config is not None
        r = self.config.reminder(name)
        if r is None:
            return
        now = self.now()
        grace = timedelta(minutes=self.config.defaults.grace_minutes)
        window = max(grace, timedelta(minutes=1))
        occs = occurrences_between(r, now - window, now + timedelta(seconds=1), self.tz)
        if occs:
            occ = occs[-1]
            await self.present(Due(r, occ, occurrence_key(occ, self.tz)))

    async def snooze_due(self, name: str, key: str) -> None:
        assert self.config is not None
        r = self.config.reminder(name)
        got = self.store.occurrence(name, key)
        if r is None or got is None or got.status != "snoozed":
            return
        await self.present(Due(r, got.scheduled, key), snoozes=got.snoozes, again=True)

    async def present(self, due: Due, *, snoozes: int = 0, again: bool = False,
                      detail: str | None = None) -> None:
        """Show a due occurrence unless it is handled, skipped, snoozed ahead, or paused."""
        ident = (due.reminder.name, due.key)
        if ident in self._busy:
            return
        self._busy.add(ident)
        try:
            await self._present(due, snoozes, again, detail)
        finally:
            self._busy.discard(ident)

    async def _present(self, due: Due, snoozes: int, again: bool, why: str | None = None) -> None:
        now = self.now()
        name = due.reminder.name
        got = self.store.occurrence(name, due.key)
        if got is not None and not again:
            if got.status == "snoozed" and got.snoozed_until and got.snoozed_until > now:
                self.arm()  # snoozed before it came: its date job shows it later
                return
            if got.status in FINAL or got.status == "showing":
                return
            snoozes = got.snoozes
        paused = self.store.paused_until()
        if paused is not None and now < paused:
            self.store.record(name, due.key, due.at, "skipped", now, detail="paused")
            log("info", f"{name} {due.key}: skipped, paused until {paused:%H:%M}")
            return
        if self.showing is not None:
            old = self.showing
            self.showing = None
            self.store.record(old.due.reminder.name, old.due.key, old.due.at, "superseded", now,
                              detail=f"by {name}")
            await self.notifier.close(old.handle)
        assert self.config is not None
        late = now - due.at > LATE and not again
        notice = self.notice(due.reminder, snoozes, late=late)
        showing = Showing(due, "", snoozes)
        showing.handle = await self.notifier.show(notice, lambda action: self.on_action(showing, action))
        self.showing = showing
        kind = "late" if late else "shown"
        detail = why or (f"{int((now - due.at).total_seconds() // 60)} min late" if late else (
            f"after {snoozes} snooze{'s' if snoozes != 1 else ''}" if again else None))
        self.store.record(name, due.key, due.at, kind, now, status="showing", detail=detail,
                          snoozes=snoozes)
        log("info", f"{name} {due.key}: {kind}" + (f" ({detail})" if detail else ""))

    def notice(self, r: Reminder, snoozes: int, *, late: bool) -> Notice:
        assert self.config is not None
        routine = self.routines.get(r.routine)
        length = format_duration(planned_seconds(plan(routine))) if routine else "?"
        title_name = routine.title if routine else r.routine
        body = f"{r.name.capitalize()}: {title_name} ({length})"
        if late:
            body += f" — it was due at {r.time:%H:%M}"
        minutes = self.config.defaults.snooze_minutes
        buttons = [("start", "Start")]
        if snoozes < self.config.defaults.max_snoozes:
            buttons.append(("snooze", f"Snooze {minutes} min"))
        buttons.append(("skip", "Skip"))
        return Notice("Time to stretch", body, tuple(buttons),
                      command=f"stretchd walk {r.routine} · stretchd snooze · stretchd skip")

    # Actions on the showing notification ----------------------------------------------

    def on_action(self, showing: Showing, action: str) -> None:
        """desktop-notifier calls this from the loop; the work happens in a task."""
        asyncio.get_running_loop().create_task(self.act(showing, action))

    async def act(self, showing: Showing, action: str, minutes: int | None = None) -> str:
        if self.showing is not showing:
            return "that notification is no longer showing"
        assert self.config is not None
        now = self.now()
        due = showing.due
        name = due.reminder.name
        self.showing = None
        if action in ("start", "clicked"):
            self.store.record(name, due.key, due.at, "started", now,
                              detail="body clicked" if action == "clicked" else None)
            try:
                self.make_terminal(self.config).launch(walk_argv(due.reminder.routine, name))
            except StretchdError as e:
                log("error", e.message)
                self._announce(Notice("stretchd: no terminal to open",
                                      f"{e.message}\nOr run in a terminal: stretchd walk "
                                      f"{due.reminder.routine}", ()))
            # A server may keep it open after the click (dunst does), its buttons dead now.
            await self.notifier.close(showing.handle)
            return f"started {name}"
        if action == "snooze":
            if showing.snoozes >= self.config.defaults.max_snoozes:
                self.showing = showing
                return f"{name} was snoozed {showing.snoozes} times already; Start or Skip it"
            until = now + timedelta(minutes=minutes or self.config.defaults.snooze_minutes)
            self.store.record(name, due.key, due.at, "snoozed", now, snoozes=showing.snoozes + 1,
                              snoozed_until=until)
            await self.notifier.close(showing.handle)
            self.arm()
            return f"snoozed {name} until {until.astimezone(self.tz):%H:%M}"
        if action == "skip":
            self.store.record(name, due.key, due.at, "skipped", now)
            await self.notifier.close(showing.handle)
            return f"skipped {name}"
        if action == "dismissed":
            self.store.record(name, due.key, due.at, "dismissed", now)
            await self.notifier.close(showing.handle)  # already gone; lets the notifier forget it
            return f"dismissed {name}"
        self.showing = showing
        return f"unknown action {action}"

    # The wall-clock watch -------------------------------------------------------------

    def check_clock(self, since: datetime | None = None) -> None:
        """Catch up what the scheduler missed: after a suspend, a clock jump, or a stop."""
        assert self.config is not None
        now, mono = self.now(), time.monotonic()
        jumped = abs((now - self.last_wall).total_seconds() - (mono - self.last_mono)) > JUMP
        zone = self.zone()
        if str(zone) != str(self.tz):
            log("notice", f"the time zone changed from {self.tz} to {zone}")
            self.tz, jumped = zone, True
            now = self.now()
        start = since or self.last_wall
        self.last_wall, self.last_mono = now, mono
        if jumped or self._alive_noted is None or not timedelta(0) <= now - self._alive_noted < ALIVE_EVERY:
            self.note_alive(now)
        if jumped:
            log("notice", "the wall clock jumped; re-arming the schedule")
            self.arm()
        if now <= start:
            self._replayed(now, start)
            return
        handled = {(o.reminder, o.occurrence)
                   for o in self.store.occurrences((start - timedelta(days=9)).date().isoformat())}
        grace = timedelta(minutes=self.config.defaults.grace_minutes)
        show, missed = catch_up(self.config.reminders, start, now, grace, handled, self.tz)
        for due in missed:
            self.store.record(due.reminder.name, due.key, due.at, "missed", now)
            log("info", f"{due.reminder.name} {due.key}: missed (due {due.at:%H:%M})")
        if show is not None:
            asyncio.get_running_loop().create_task(self.present(show))

    def note_alive(self, now: datetime) -> None:
        """When we were last up: a later start catches up on what fell due since."""
        self.store.set_state("alive_at", now.isoformat())
        self._alive_noted = now

    def _replayed(self, now: datetime, until: datetime) -> None:
        """The clock went back: the stretch of wall time we live through again fires nothing."""
        assert self.config is not None
        for r in self.config.reminders:
            for occ in occurrences_between(r, now, until, self.tz):
                key = occurrence_key(occ, self.tz)
                if self.store.occurrence(r.name, key) is None:
                    self.store.record(r.name, key, occ, "skipped", now, detail="the clock went back")

    async def watch_clock(self) -> None:
        while not self.stopping.is_set():
            try:
                await asyncio.wait_for(self.stopping.wait(), TICK)
            except TimeoutError:
                try:
                    self.reload_if_changed()
                    self.check_clock()
                    await self.check_showing()
                except StretchdError as e:
                    log("warning", e.message)

    async def check_showing(self) -> None:
        """A notification server that died took the notification with it: show it again."""
        showing = self.showing
        alive = getattr(self.notifier, "alive", None)
        if showing is None or alive is None or await alive(showing.handle):
            return
        log("warning", f"{showing.due.reminder.name}: the notification server went away while it "
                       "showed; showing it again")
        if self.showing is showing:
            self.showing = None
            await self.present(showing.due, snoozes=showing.snoozes, again=True,
                               detail="again: the notification server went away")

    def resumed(self) -> None:
        """logind says the machine woke up: look at the clock now, not within the minute."""
        log("info", "resumed from sleep")
        try:
            self.check_clock()
        except StretchdError as e:
            log("warning", e.message)

    # Life cycle -----------------------------------------------------------------------

    async def run(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        from stretchd.control import serve
        from stretchd.sleep import watch_resume

        assert self.config is not None
        self.scheduler = AsyncIOScheduler(timezone=self.tz)
        self.arm()
        self.scheduler.start()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stopping.set)
        loop.add_signal_handler(signal.SIGINT, self.stopping.set)
        loop.add_signal_handler(signal.SIGHUP, self._sighup)
        # What fell due while we were not running: since we were last alive (or within grace).
        since = self.now() - timedelta(minutes=self.config.defaults.grace_minutes)
        alive = self.store.get_state("alive_at")
        if alive:
            since = min(since, datetime.fromisoformat(alive))
        self.check_clock(since=since)
        server = await serve(self)
        self._system_bus = await watch_resume(self.resumed, log)
        source = self.config_path if self.config.path else "the built-in default"
        log("info", f"running: {len(self.config.reminders)} reminders from {source}")
        sd_notify("READY=1\nSTATUS=reminders armed")
        watch = loop.create_task(self.watch_clock())
        await self.stopping.wait()
        sd_notify("STOPPING=1")
        self.note_alive(self.now())
        watch.cancel()
        server.close()
        self.scheduler.shutdown(wait=False)
        log("info", "stopped")

    def _sighup(self) -> None:
        with contextlib.suppress(ConfigError):  # reload() has logged it; the old schedule runs on
            self.reload()


def main() -> int:
    """`stretchd run`: the exit code (0 stopped, 1 cannot start, 78 invalid config)."""
    from stretchd.control import acquire_lock
    from stretchd.notify import ConsoleNotifier, DesktopNotifier, FallbackNotifier
    from stretchd.terminal import SystemTerminal
    from stretchd.zone import ZoneWatch, local_zone

    try:
        lock = acquire_lock()
    except StretchdError as e:
        log("error", e.message)
        return e.exit_code
    try:
        store = History(paths.database_file())
    except StretchdError as e:
        # Reminding matters more than remembering: carry on with a history in memory.
        log("error", f"{e.message}; reminding anyway, keeping the history in memory until "
                     "the next start")
        store = History(":memory:")
    notifier = FallbackNotifier(DesktopNotifier(), ConsoleNotifier(), log)
    daemon = Daemon(store=store, notifier=notifier, tz=local_zone(),
                    terminal=lambda config: SystemTerminal(config.defaults.terminal),
                    zone=ZoneWatch())
    try:
        daemon.load_config()
    except ConfigError as e:
        for problem in e.problems:
            log("error", problem)
        log("error", "not started: fix the config (`stretchd config check`) and start again")
        return e.exit_code
    try:
        asyncio.run(daemon.run())
    except KeyboardInterrupt:
        pass
    finally:
        store.close()
        lock.close()
    return 0
