"""The daemon: one asyncio loop that shows due reminders, answers them and the control socket,
and watches the clock. Its decisions are decisions.py's; when a reminder is due, schedule.py's.

`Daemon` composes its parts, each in a module of this package: the alarms (arming), showing
and answering reminders (presenting), the control socket's requests (requests), the status
bar's followers (followers) and the wall-clock watch (clock_watch); config reloads and the
weekly summary are here."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from stretchd.config import Config
from stretchd.config.loading import Loaded, load_everything, stamp
from stretchd.daemon.arming import LOOK_AHEAD, Arming
from stretchd.daemon.clock_watch import ClockWatch
from stretchd.daemon.decisions import Showing
from stretchd.daemon.followers import Followers
from stretchd.daemon.holding import Held, Holds
from stretchd.daemon.ports import Action, Notice, Notifier, Senses, TerminalLauncher, stats_argv
from stretchd.daemon.presenting import Presenter
from stretchd.daemon.requests import Requests
from stretchd.daemon.shared import Shared
from stretchd.daemon.syncing import Syncing
from stretchd.errors import ConfigError, StretchdError
from stretchd.i18n import _
from stretchd.journal import log
from stretchd.schedule import Due
from stretchd.schedule.alarms import Alarms
from stretchd.store.history import Store
from stretchd.store.state import Context, status

__all__ = ["LOOK_AHEAD", "TICK", "Daemon"]

TICK = 60.0  # seconds between wall-clock checks: one wakeup a minute when idle


class Daemon:
    def __init__(self, loaded: Loaded, *, alarms: Alarms, store: Store, notifier: Notifier,
                 terminal: Callable[[Config], TerminalLauncher], senses: Senses, tz: tzinfo,
                 config_path: Path,
                 now: Callable[[], datetime] | None = None,
                 mono: Callable[[], float] = time.monotonic,
                 zone: Callable[[], tzinfo] | None = None) -> None:
        self.shared = s = Shared(loaded, store, tz, now or (lambda: datetime.now(self.shared.tz)))
        self.alarms = alarms
        self.notifier = notifier
        self.make_terminal = terminal
        self.config_path = config_path
        self.stopping = asyncio.Event()
        self._bad_config = ""  # the invalid config's error while the previous schedule runs
        self._config_notice: str | None = None  # the notification saying so, while it shows
        self._seen = loaded.stamp  # the config files as last read, valid or not
        self.holds = Holds(senses, store, now=s.now, hold=lambda: self.config.hold,
                           show=self._release, spawn=self.spawn, log=log)
        self.followers = Followers(self.follow_state)
        self.arming = Arming(s, alarms, self, self.holds.look)
        self.presenter = Presenter(s, notifier, self.holds, terminal, rearm=self.arm,
                                   publish=self.publish)
        self.clock = ClockWatch(s, mono=mono, zone=zone or (lambda: self.shared.tz),
                                rearm=self.arm, show=self._show_due)
        self.syncing = Syncing(s, self.presenter, self.holds, rearm=self.arm, publish=self.publish)
        self.requests = Requests(s, self.presenter, rearm=self.arm, reload=self.reload,
                                 running=lambda: {"config_error": self._bad_config or None,
                                                  "desktop": notifier.on_desktop,
                                                  "console_why": notifier.why_console or None,
                                                  "sync": self.syncing.info()})

    # What the parts share, as the tests and _run.py read it.

    @property
    def loaded(self) -> Loaded:
        return self.shared.loaded

    @property
    def config(self) -> Config:
        return self.shared.config

    @property
    def ctx(self) -> Context:
        return self.shared.ctx

    @property
    def store(self) -> Store:
        return self.shared.store

    @store.setter
    def store(self, store: Store) -> None:
        self.shared.store = store

    @property
    def tz(self) -> tzinfo:
        return self.shared.tz

    @property
    def now(self) -> Callable[[], datetime]:
        return self.shared.now

    @property
    def zone(self) -> Callable[[], tzinfo]:
        """Asked at each clock check: the machine's zone now."""
        return self.clock.zone

    @zone.setter
    def zone(self, zone: Callable[[], tzinfo]) -> None:
        self.clock.zone = zone

    @property
    def tasks(self) -> set[asyncio.Task[Any]]:
        return self.shared.tasks

    @property
    def showing(self) -> Showing | None:
        return self.presenter.showing

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        return self.shared.spawn(coro, what)

    async def settle(self) -> None:
        """Wait until every task the daemon started (and those they start) has finished; the
        watch over held reminders, which lasts while they are held, is not waited for."""
        while pending := self.tasks - {self.holds.watching}:
            await asyncio.gather(*pending, return_exceptions=True)

    # Configuration --------------------------------------------------------------------

    def reload(self) -> str:
        """Re-read the config and re-arm; an invalid config keeps the running schedule."""
        try:
            self.shared.loaded = load_everything(self.config_path, log)
        except ConfigError as e:
            self._seen = stamp(self.config_path)  # this broken file is said once, not every minute
            log("error", f"config not reloaded, the previous schedule stays: {e.message}")
            if e.message != self._bad_config:
                self._bad_config = e.message
                self._announce(Notice(_("stretchd: config not loaded"), f"{e.message}\n"
                                      + _("The previous schedule stays until it is fixed."), ()))
            raise
        self._seen = self.loaded.stamp
        self._bad_config = ""
        self.syncing.setup()  # [sync] changed: another folder, or none
        if self._config_notice is not None:  # fixed: the notice saying it was broken goes
            handle, self._config_notice = self._config_notice, None
            self.shared.spawn_soon(self.notifier.close(handle), "closing the config notice")
        self.arm()
        log("info", f"config reloaded: {len(self.config.reminders)} reminders")
        self.publish()
        return "reloaded"

    def reload_if_changed(self) -> None:
        now = stamp(self.config_path)
        if now == self._seen:  # read as it is now already (valid or not): said once
            return
        if not self.config_path.exists() and self.config.path:
            self._seen = now
            log("warning", f"{self.config_path} was removed; keeping the last good config "
                           "(`stretchd config path` to start a new one)")
            return
        with contextlib.suppress(ConfigError):
            self.reload()

    def _announce(self, message: Notice) -> None:
        """The config could not be loaded: a notification says so while it stays broken."""
        async def show() -> None:
            handle = await self.notifier.show(message, lambda a: None)
            if self._bad_config:
                self._config_notice = handle

        self.shared.spawn_soon(show(), "a notice")

    # Alarms and what they do ----------------------------------------------------------

    def arm(self) -> None:
        """One alarm per reminder at its next occurrence, one per pending snooze, and the
        weekly summary's."""
        self.arming.arm()

    async def fire(self, due: Due) -> None:
        """A reminder's alarm: show this occurrence, then set the alarm for the next one."""
        self.arming.arm_next(due.reminder.name, max(due.at, self.now()))
        await self.presenter.present(due)

    async def snooze_due(self, name: str, key: str) -> None:
        from stretchd.store.history import Status

        r = self.config.reminder(name)
        got = self.store.occurrence(name, key)
        if r is None or got is None or got.status != Status.SNOOZED:
            return
        await self.presenter.present(Due(r, got.scheduled, key), snoozes=got.snoozes, again=True)

    async def weekly_summary(self, moment: datetime) -> None:
        """The week's walkthroughs and the streak, with a button that opens `stretchd stats`."""
        from stretchd.daemon.decisions import weekly_notice

        self.arming.arm_weekly(max(moment, self.now()))
        message = weekly_notice(self.store.completed_days(), self.now().astimezone(self.tz).date(),
                                self.config.stats.streak_goal)
        log("info", f"weekly summary: {message.body}")

        def on_action(action: Action) -> None:
            if action in (Action.START, Action.CLICKED):
                try:
                    self.make_terminal(self.config).launch(stats_argv())
                except StretchdError as e:
                    log("error", f"the weekly summary's stats did not open: {e.message}")

        await self.notifier.show(message, on_action)

    async def _release(self, held: Held) -> None:
        await self.presenter.release(held)

    def _show_due(self, due: Due) -> None:
        self.spawn(self.presenter.present(due), f"showing {due.reminder.name}")

    # Requests and followers -----------------------------------------------------------

    async def handle(self, message: dict[str, Any]) -> dict[str, Any]:
        """Answer one request from the CLI (transport: control.serve)."""
        try:
            return await self.requests.answer(message)
        finally:
            self.publish()

    def follow_state(self) -> dict[str, Any]:
        """What a status bar shows: the next reminder, what shows or waits, today's count and
        the streak. Times as ISO text: the client counts down by itself."""
        from stretchd.store.stats import streaks

        now = self.now()
        info = status(self.ctx, now)
        nxt = next((n for n in info["next"] if n["note"] in ("", None, "snoozed")), None)
        showing = self.showing.due.reminder.name if self.showing else None
        held = self.holds.status()
        completed = self.store.completed_days()
        today = now.astimezone(self.tz).date()
        goal = self.config.stats.streak_goal
        current, _, today_counts = streaks(completed, today, goal)
        state = ("showing" if showing else "held" if held else "paused" if info["paused_until"]
                 else "snoozed" if nxt and nxt["note"] == "snoozed" else "waiting" if nxt else "idle")
        return {
            "running": True, "state": state, "showing": showing,
            "next": ({"reminder": nxt["reminder"], "at": nxt["at"], "routine": nxt["routine"],
                      "snoozed": nxt["note"] == "snoozed"} if nxt else None),
            "held": [{"reminder": h["reminder"], "reason": h["reason"]} for h in held],
            "paused_until": info["paused_until"],
            "done_today": completed.get(today, 0), "streak": current, "today_counts": today_counts,
            "streak_goal": goal,
        }

    def publish(self) -> None:
        """Something changed: the followers see it, and the shared folder gets it ([sync])."""
        self.followers.publish()
        self.syncing.soon()

    async def follow(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.followers.follow(reader, writer)

    # The wall-clock watch -------------------------------------------------------------

    def check_clock(self, since: datetime | None = None) -> None:
        """Catch up what the alarms missed: after a suspend, a clock jump, or a stop."""
        self.clock.check(since)

    def note_alive(self, now: datetime) -> None:
        self.clock.note_alive(now)

    async def check_showing(self) -> None:
        await self.presenter.check_showing()

    async def tick(self) -> None:
        """The minute check: an edited config, the clock, and a notification lost with its server."""
        try:
            self.reload_if_changed()
            self.check_clock()
            await self.check_showing()
            self.syncing.tick()
        except StretchdError as e:
            log("warning", e.message)
        self.publish()  # a new day, a hold that ended at its limit
        log("debug", "minute check done")

    async def watch_clock(self) -> None:
        while not self.stopping.is_set():
            try:
                await asyncio.wait_for(self.stopping.wait(), TICK)
            except TimeoutError:
                await self.tick()

    def resumed(self) -> None:
        """logind says the machine woke up: look at the clock now, not within the minute."""
        log("info", "resumed from sleep")
        self.holds.poke()  # a hold may have reached its limit, or its reason ended, meanwhile
        try:
            self.check_clock()
        except StretchdError as e:
            log("warning", e.message)

    # Life cycle -----------------------------------------------------------------------

    def catch_up_since_last_run(self) -> None:
        """What fell due while we were not running: since we were last up (or within grace).
        First what the other computers of [sync] answered meanwhile: that is not shown again."""
        self.syncing.setup()
        since = self.now() - self.shared.grace()
        last_up = self.clock.last_up()
        if last_up:
            since = min(since, last_up)
        self.check_clock(since=since)
        since_key = (self.now() - timedelta(days=1)).astimezone(self.tz).date().isoformat()
        self.holds.resume(since_key, self.config.reminder)
        self.presenter.show_again_what_was_left(since_key)

    async def close_showing(self) -> None:
        await self.presenter.close_showing()
        self.syncing.send()
        self.syncing.close()
