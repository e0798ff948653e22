"""The daemon: one asyncio loop that shows due reminders, answers them and the control socket,
and watches the clock. Its decisions are decisions.py's; when a reminder is due, schedule.py's."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from stretchd import commands
from stretchd.alarms import Alarms
from stretchd.config import Config
from stretchd.decisions import (
    Showing,
    Verdict,
    answer,
    is_late,
    left_unanswered,
    notice,
    shown_as,
    verdict,
)
from stretchd.errors import ConfigError, StretchdError
from stretchd.history import Kind, Status, Store
from stretchd.holding import Held, Holds, Senses, after
from stretchd.journal import log
from stretchd.loading import Loaded, load_everything, stamp
from stretchd.notify import Action, Notice, Notifier
from stretchd.schedule import (
    Due,
    catch_up,
    next_occurrence,
    occurrence_key,
    occurrences_between,
    resolve,
)
from stretchd.state import (
    Context,
    pause,
    resume,
    skip_next,
    snooze_minutes,
    snooze_next,
    status,
    unskip,
)
from stretchd.terminal import FIX as TERMINAL_FIX
from stretchd.terminal import Launched, TerminalLauncher, stats_argv, walk_argv

START_WAIT = 10.0  # seconds a terminal has to show the walkthrough once it is started
TICK = 60.0  # seconds between wall-clock checks: one wakeup a minute when idle
JUMP = 5.0  # seconds of disagreement between the wall and monotonic clocks that mean a jump
ALIVE_EVERY = timedelta(minutes=10)  # how often "still up" is written (and at stop)
ON_SCREEN = "on_screen"  # state: the notification showing now, to close after a kill (notify.ticket)
# What the person is doing is read this long before a reminder's time (it takes tens of ms,
# X11's idle time a child process), so that a free person gets it on the dot.
LOOK_AHEAD = timedelta(seconds=2)


class Daemon:
    def __init__(self, loaded: Loaded, *, alarms: Alarms, store: Store, notifier: Notifier,
                 terminal: Callable[[Config], TerminalLauncher], senses: Senses, tz: tzinfo,
                 config_path: Path,
                 now: Callable[[], datetime] | None = None,
                 mono: Callable[[], float] = time.monotonic,
                 zone: Callable[[], tzinfo] | None = None) -> None:
        self.loaded = loaded
        self.alarms = alarms
        self.store = store
        self.notifier = notifier
        self.make_terminal = terminal
        self.tz = tz
        self.config_path = config_path
        self.now = now or (lambda: datetime.now(self.tz))
        self.mono = mono  # beside the wall clock, tells a jump (a suspend) from time passing
        self.zone = zone or (lambda: self.tz)  # asked once a minute: has the zone changed?
        self.showing: Showing | None = None
        self.last_wall = self.now()
        self.last_mono = mono()
        self.stopping = asyncio.Event()
        self.tasks: set[asyncio.Task[Any]] = set()
        self._busy: set[tuple[str, str]] = set()  # occurrences being presented right now
        self._bad_config = ""  # the invalid config's error while the previous schedule runs
        self._config_notice: str | None = None  # the notification saying so, while it shows
        self._seen = loaded.stamp  # the config files as last read, valid or not
        self._alive_noted: datetime | None = None
        self.holds = Holds(senses, store, now=self.now, hold=lambda: self.config.hold,
                           show=self._release, spawn=self.spawn, log=log)
        # `stretchd status --follow` clients, and the state they were last sent.
        self.followers: set[asyncio.StreamWriter] = set()
        self._followed: dict[str, Any] | None = None

    @property
    def config(self) -> Config:
        return self.loaded.config

    @property
    def ctx(self) -> Context:
        return Context(self.config, self.store, self.tz)

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        """Run coro as a task the daemon keeps, and log its exception rather than lose it."""
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self.tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                e = t.exception()
                log("error", f"{what} failed: {type(e).__name__}: {e}")

        task.add_done_callback(done)
        return task

    async def settle(self) -> None:
        """Wait until every task the daemon started (and those they start) has finished; the
        watch over held reminders, which lasts while they are held, is not waited for."""
        while pending := self.tasks - {self.holds.watching}:
            await asyncio.gather(*pending, return_exceptions=True)

    # Configuration --------------------------------------------------------------------

    def reload(self) -> str:
        """Re-read the config and re-arm; an invalid config keeps the running schedule."""
        try:
            self.loaded = load_everything(self.config_path, log)
        except ConfigError as e:
            self._seen = stamp(self.config_path)  # this broken file is said once, not every minute
            log("error", f"config not reloaded, the previous schedule stays: {e.message}")
            if e.message != self._bad_config:
                self._bad_config = e.message
                self._announce(Notice("stretchd: config not loaded",
                                      f"{e.message}\nThe previous schedule stays until it is fixed.", ()),
                               config_problem=True)
            raise
        self._seen = self.loaded.stamp
        self._bad_config = ""
        if self._config_notice is not None:  # fixed: the notice saying it was broken goes
            handle, self._config_notice = self._config_notice, None
            self._spawn_soon(self.notifier.close(handle), "closing the config notice")
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

    def _spawn_soon(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop: a reload called outside the daemon (tests)
            coro.close()
            return
        self.spawn(coro, what)

    def _announce(self, message: Notice, *, config_problem: bool = False) -> None:
        async def show() -> None:
            handle = await self.notifier.show(message, lambda a: None)
            if config_problem and self._bad_config:
                self._config_notice = handle

        self._spawn_soon(show(), "a notice")

    # Alarms ---------------------------------------------------------------------------

    def arm(self) -> None:
        """One alarm per reminder at its next occurrence, one per pending snooze, and the
        weekly summary's."""
        self.alarms.clear()
        now = self.now()
        self._arm_weekly(now)
        for r in self.config.reminders:
            self._arm_next(r.name, now)
        since = (now - timedelta(days=1)).astimezone(self.tz).date().isoformat()
        for occ in self.store.occurrences(since, status=Status.SNOOZED):
            if occ.snoozed_until and occ.snoozed_until > now:
                key = f"{occ.reminder}:{occ.occurrence}"
                self.alarms.set(f"snooze:{key}", occ.snoozed_until,
                                partial(self.snooze_due, occ.reminder, occ.occurrence), self._alarm_grace())
                self._look_before(f"snooze:{key}", occ.reminder, occ.snoozed_until)

    def _grace(self) -> timedelta:
        return timedelta(minutes=self.config.defaults.grace_minutes)

    def _alarm_grace(self) -> timedelta:
        # An alarm late by seconds (a loaded machine) still shows, even with grace 0; one late
        # by a suspend is dropped, and the clock watch shows it late or records it missed.
        return max(self._grace(), timedelta(minutes=1))

    def _arm_next(self, name: str, after: datetime) -> None:
        r = self.config.reminder(name)
        occ = next_occurrence(r, after, self.tz) if r else None
        if r is not None and occ is not None:
            due = Due(r, occ, occurrence_key(occ, self.tz))
            self.alarms.set(f"reminder:{name}", occ, partial(self.fire, due), self._alarm_grace())
            self._look_before(f"reminder:{name}", name, occ)

    def _arm_weekly(self, after: datetime) -> None:
        weekly = self.config.stats.weekly_summary
        if weekly is None:
            return
        day, at = weekly
        local = after.astimezone(self.tz).date()
        for n in range(8):
            moment = resolve(datetime.combine(local + timedelta(days=n), at), self.tz)
            if (local + timedelta(days=n)).weekday() == day and moment > after:
                self.alarms.set("weekly", moment, partial(self.weekly_summary, moment),
                                self._alarm_grace())
                return

    async def weekly_summary(self, moment: datetime) -> None:
        """The week's walkthroughs and the streak, with a button that opens `stretchd stats`."""
        from stretchd.stats import weekly_notice

        self._arm_weekly(max(moment, self.now()))
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

    def _look_before(self, key: str, name: str, at: datetime) -> None:
        r = self.config.reminder(name)
        if r is not None and r.hold and self.config.hold.when:
            self.alarms.set(f"look:{key}", at - LOOK_AHEAD, self.holds.look, timedelta(seconds=1))

    async def fire(self, due: Due) -> None:
        """A reminder's alarm: show this occurrence, then set the alarm for the next one."""
        self._arm_next(due.reminder.name, max(due.at, self.now()))
        await self.present(due)

    async def snooze_due(self, name: str, key: str) -> None:
        r = self.config.reminder(name)
        got = self.store.occurrence(name, key)
        if r is None or got is None or got.status != Status.SNOOZED:
            return
        await self.present(Due(r, got.scheduled, key), snoozes=got.snoozes, again=True)

    # Showing ---------------------------------------------------------------------------

    async def present(self, due: Due, *, snoozes: int = 0, again: bool = False,
                      why: str | None = None, problem: str | None = None, hold: bool = True,
                      held: Held | None = None) -> None:
        """Show a due occurrence unless it is handled, skipped, snoozed ahead, or paused; hold
        it while the person is busy (`hold`). `held`: it was held, and is let go now."""
        ident = (due.reminder.name, due.key)
        if ident in self._busy:
            return
        self._busy.add(ident)
        try:
            await self._present(due, snoozes, again, why, problem, hold, held)
        finally:
            self._busy.discard(ident)
            self.publish()

    async def _present(self, due: Due, snoozes: int, again: bool, why: str | None,
                       problem: str | None, hold: bool, held: Held | None) -> None:
        now = self.now()
        name = due.reminder.name
        got = self.store.occurrence(name, due.key)
        decided = verdict(got, due, now, self.store.paused_until(), again=again)
        if decided == Verdict.SNOOZED_AHEAD:
            self.arm()  # snoozed before it came: its snooze alarm shows it later
        if decided == Verdict.PAUSED:
            self.store.record(name, due.key, due.at, Kind.SKIPPED, now, detail="paused")
        if decided != Verdict.SHOW:
            log("info", f"{name} {due.key}: due, not shown ({got.status if got else decided})")
            return
        if got is not None and not again:
            snoozes = got.snoozes
        if hold and await self.holds.check(due, snoozes):
            return
        now = self.now()  # reading what the person does took a moment
        if self.showing is not None:
            old, self.showing = self.showing, None
            self.store.record(old.due.reminder.name, old.due.key, old.due.at, Kind.SUPERSEDED, now,
                              detail=f"by {name}")
            await self.notifier.close(old.handle)
        message = notice(due.reminder, self.loaded.routines.get(due.reminder.routine), snoozes,
                         self.config.defaults, late=is_late(due, now, again=again), problem=problem,
                         after=after(held.reason) if held else None)
        holder: list[Showing] = []
        handle = await self.notifier.show(message, lambda action: self.on_action(holder[0], action))
        self.showing = Showing(due, handle, snoozes)
        self.store.set_state(ON_SCREEN, self.notifier.ticket(handle))
        holder.append(self.showing)
        kind, detail = shown_as(due, now, snoozes, again=again, why=why)
        self.store.record(name, due.key, due.at, kind, now, status=Status.SHOWING, detail=detail,
                          snoozes=snoozes)
        log("info", f"{name} {due.key}: {kind}" + (f" ({detail})" if detail else ""))

    async def _release(self, held: Held) -> None:
        """The person can act now: show what was held, saying why it comes late."""
        await self.present(held.due, snoozes=held.snoozes, again=True, hold=False, held=held,
                           why=held.why(self.now()))

    def on_action(self, showing: Showing, action: Action) -> None:
        """Called from the loop by the notification's answer on the bus; the work happens in a task."""
        async def answer_and_tell() -> None:
            await self.act(showing, action)
            self.publish()

        self.spawn(answer_and_tell(), f"the answer {action}")

    async def act(self, showing: Showing, action: Action, minutes: int | None = None) -> str:
        if self.showing is not showing:
            return "that notification is no longer showing"
        now = self.now()
        due = showing.due
        outcome = answer(action, showing, now, self.tz, self.config.defaults, minutes)
        if outcome.kind is None:
            return outcome.message
        self.showing = None
        self.store.set_state(ON_SCREEN, None)
        if outcome.open_walk:
            try:
                launched = self.make_terminal(self.config).launch(
                    walk_argv(due.reminder.routine, due.reminder.name),
                    token=self.notifier.activation_token(showing.handle))
            except StretchdError as e:
                await self._start_failed(showing, e.message)
                return f"{due.reminder.name} did not start: {e.message}"
            if launched is not None:
                self.spawn(self._watch_start(showing, launched, now), f"watching {launched.name} start")
        self.store.record(due.reminder.name, due.key, due.at, outcome.kind, now, detail=outcome.detail,
                          snoozes=outcome.snoozes, snoozed_until=outcome.snoozed_until)
        # A server may keep it open after a click (dunst does), its buttons dead now; and a
        # dismissed one is gone already, but closing lets the notifier forget it.
        await self.notifier.close(showing.handle)
        if outcome.snoozed_until is not None:
            self.arm()
        return outcome.message

    def answer_held(self, action: Action, minutes: int | None, name: str | None) -> str | None:
        """Snooze or skip from the command line while a reminder is held (and none shows)."""
        outcome = self.holds.answer(action, minutes, name, self.config.defaults, self.tz)
        if outcome is not None and outcome.snoozed_until is not None:
            self.arm()
        return outcome.message if outcome else None

    async def _watch_start(self, showing: Showing, launched: Launched, since: datetime) -> None:
        """A terminal can fail after it started: gnome-terminal outside GNOME exits at once,
        saying so on stderr. Until the walkthrough reports in (its row in the history), watch
        the terminal: one that ended with words on stderr and no walkthrough failed; then the
        next terminal found ("auto") is tried, and when none is left the reminder shows again
        saying why. One still open after START_WAIT, or ended cleanly, is trusted."""
        name = showing.due.reminder.name
        started = time.monotonic()
        while True:
            await asyncio.sleep(0.25)
            if any(w.reminder == name for w in self.store.walks(since - timedelta(seconds=5))):
                return
            waited = time.monotonic() - started
            if not launched.ended():
                if waited > START_WAIT:
                    return  # its window is open
                continue
            if launched.clean():
                return
            if waited < START_WAIT:
                continue  # it said something on its way out: the walkthrough may still come
            problem = f"{launched.name} could not open a window: {launched.said()}"
            nxt = launched.next()
            if nxt is None:
                await self._start_failed(showing, f"{problem}; {TERMINAL_FIX}")
                return
            log("warning", f"{name}: {problem}; trying {nxt.name}")
            launched, started = nxt, time.monotonic()

    async def _start_failed(self, showing: Showing, problem: str) -> None:
        """No terminal opened: say so in the history, and show the reminder again with the
        reason and what to do in its body, its buttons still there."""
        due = showing.due
        log("error", f"{due.reminder.name}: {problem}")
        self.store.record(due.reminder.name, due.key, due.at, Kind.START_FAILED, self.now(),
                          status=Status.SHOWING, detail=problem)
        await self.notifier.close(showing.handle)
        await self.present(due, snoozes=showing.snoozes, again=True, why="again: Start did not work",
                           problem=problem)

    # Requests from the control socket -------------------------------------------------

    async def handle(self, message: dict[str, Any]) -> dict[str, Any]:
        """Answer one request from the CLI (transport: control.serve)."""
        try:
            return await self._handle(message)
        finally:
            self.publish()

    async def _handle(self, message: dict[str, Any]) -> dict[str, Any]:
        request = commands.from_wire(message)
        now, ctx, showing = self.now(), self.ctx, self.showing
        match request:
            case commands.Status():
                return {**status(ctx, now), "running": True, "pid": os.getpid(),
                        "config_error": self._bad_config or None,
                        "desktop": self.notifier.on_desktop,
                        "console_why": self.notifier.why_console or None,
                        "showing": ({"reminder": showing.due.reminder.name, "snoozes": showing.snoozes}
                                    if showing else None),
                        "held": self.holds.status()}
            case commands.Snooze(minutes=minutes):
                minutes = snooze_minutes(minutes, self.config)
                if showing is not None:
                    return {"message": await self.act(showing, Action.SNOOZE, minutes)}
                reply = self.answer_held(Action.SNOOZE, minutes, None) or snooze_next(ctx, now, minutes)
                self.arm()
                return {"message": reply}
            case commands.Skip(reminder=reminder):
                if showing is not None and reminder in (None, showing.due.reminder.name):
                    return {"message": await self.act(showing, Action.SKIP)}
                return {"message": self.answer_held(Action.SKIP, None, reminder)
                        or skip_next(ctx, now, reminder)}
            case commands.Unskip(reminder=reminder):
                reply, due = unskip(ctx, now, reminder)
                self.arm()
                if due.at <= now:  # skipped while it showed, or since: show it now
                    self.spawn(self.present(due, why="after an unskip"), f"showing {due.reminder.name}")
                return {"message": reply}
            case commands.Pause(until=until):
                return {"message": pause(ctx, now, until)}
            case commands.Resume():
                return {"message": resume(ctx)}
            case commands.Reload():
                try:
                    return {"message": self.reload()}
                except ConfigError as e:
                    raise ConfigError(f"{e.message} (the daemon keeps the previous schedule)") from None
            case commands.Ping():
                return {"message": "pong"}
            case commands.Walked():
                return {"message": "noted"}

    # `stretchd status --follow` ---------------------------------------------------------

    def follow_state(self) -> dict[str, Any]:
        """What a status bar shows: the next reminder, what shows or waits, today's count and
        the streak. Times as ISO text: the client counts down by itself."""
        from stretchd.stats import streaks

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
        """Send the state to every follower if it changed (nothing is done with none)."""
        if not self.followers:
            return
        try:
            state = self.follow_state()
        except StretchdError as e:
            log("warning", f"status for followers: {e.message}")
            return
        except Exception as e:  # a bug here must not stop the clock watch or a request
            log("error", f"status for followers failed: {type(e).__name__}: {e}")
            return
        if state == self._followed:
            return
        self._followed = state
        line = (json.dumps(state) + "\n").encode()
        for writer in list(self.followers):
            try:
                writer.write(line)
            except (OSError, RuntimeError):
                self.followers.discard(writer)

    async def follow(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A `status --follow` client: the state now, then a line a change, until it goes."""
        self.followers.add(writer)
        self._followed = None  # the newcomer gets the state now (the others see it again)
        self.publish()
        if self._followed is None:  # it could not be read: say why, and let the client retry
            self.followers.discard(writer)
            writer.write(b'{"ok": false, "error": "the daemon cannot read its state; see its log"}\n')
            return
        try:
            while await reader.read(4096):  # it sends nothing more; b"" when it goes
                pass
        except (OSError, ConnectionError):
            pass
        finally:
            self.followers.discard(writer)

    # The wall-clock watch -------------------------------------------------------------

    def check_clock(self, since: datetime | None = None) -> None:
        """Catch up what the alarms missed: after a suspend, a clock jump, or a stop."""
        now, mono = self.now(), self.mono()
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
        show, missed = catch_up(self.config.reminders, start, now, self._grace(), handled, self.tz)
        for due in missed:
            self.store.record(due.reminder.name, due.key, due.at, Kind.MISSED, now)
            log("info", f"{due.reminder.name} {due.key}: missed (due {due.at:%H:%M})")
        if show is not None:
            self.spawn(self.present(show), f"showing {show.reminder.name}")

    def note_alive(self, now: datetime) -> None:
        """When we were last up: a later start catches up on what fell due since."""
        self.store.set_state("alive_at", now.isoformat())
        self._alive_noted = now

    def _replayed(self, now: datetime, until: datetime) -> None:
        """The clock went back: the stretch of wall time we live through again fires nothing."""
        for r in self.config.reminders:
            for occ in occurrences_between(r, now, until, self.tz):
                key = occurrence_key(occ, self.tz)
                if self.store.occurrence(r.name, key) is None:
                    self.store.record(r.name, key, occ, Kind.SKIPPED, now, detail="the clock went back")

    async def tick(self) -> None:
        """The minute check: an edited config, the clock, and a notification lost with its server."""
        try:
            self.reload_if_changed()
            self.check_clock()
            await self.check_showing()
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

    async def check_showing(self) -> None:
        """A notification server that died took the notification with it: show it again."""
        showing = self.showing
        if showing is None or await self.notifier.alive(showing.handle):
            return
        log("warning", f"{showing.due.reminder.name}: the notification server went away while it "
                       "showed; showing it again")
        if self.showing is showing:
            self.showing = None
            self.store.set_state(ON_SCREEN, None)
            await self.present(showing.due, snoozes=showing.snoozes, again=True,
                               why="again: the notification server went away")

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
        """What fell due while we were not running: since we were last up (or within grace)."""
        since = self.now() - self._grace()
        alive = self.store.get_state("alive_at")
        if alive:
            since = min(since, datetime.fromisoformat(alive))
        self.check_clock(since=since)
        since_key = (self.now() - timedelta(days=1)).astimezone(self.tz).date().isoformat()
        self.holds.resume(since_key, self.config.reminder)
        self.show_again_what_was_left(since_key)

    def show_again_what_was_left(self, since_key: str) -> None:
        """What the last daemon left showing or snoozed, unanswered, shows again once: its
        notification went with it (or stays with buttons that lead nowhere)."""
        now = self.now()
        left = self.store.get_state(ON_SCREEN)
        if left:  # the last daemon was killed with it on screen: its buttons lead nowhere
            self.store.set_state(ON_SCREEN, None)
            self.spawn(self.notifier.close_ticket(left), "closing what the last run left")
        show, missed = left_unanswered(self.store.occurrences(since_key), now, self._grace())
        for o in missed:
            self.store.record(o.reminder, o.occurrence, o.scheduled, Kind.MISSED, now,
                              detail="unanswered when stretchd stopped")
        for o in show:
            r = self.config.reminder(o.reminder)
            if r is not None:
                late = int((now - (o.snoozed_until or o.scheduled)).total_seconds() // 60)
                why = "again: stretchd restarted" + (f", {late} min late" if late >= 1 else "")
                self.spawn(self.present(Due(r, o.scheduled, o.occurrence), snoozes=o.snoozes, again=True,
                                        why=why), f"showing {r.name} again")

    async def close_showing(self) -> None:
        """At stop: the notification on screen goes with us (its buttons would lead nowhere).
        Its occurrence stays unanswered, for the next start to show again."""
        if self.showing is not None:
            with contextlib.suppress(Exception):  # a server gone meanwhile: nothing to close
                await self.notifier.close(self.showing.handle)
            self.store.set_state(ON_SCREEN, None)
