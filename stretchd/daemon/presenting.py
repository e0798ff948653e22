"""Presenting due reminders and answering them: what shows now, the answer to each button,
the terminal that Start opens, and what a restart or a lost server leaves to show again."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from stretchd.config import Config
from stretchd.daemon.decisions import (
    Showing,
    Verdict,
    answer,
    is_late,
    left_unanswered,
    notice,
    shown_as,
    verdict,
)
from stretchd.daemon.holding import Held, Holds, after
from stretchd.daemon.ports import (
    TERMINAL_FIX,
    Action,
    Notifier,
    Started,
    TerminalLauncher,
    walk_argv,
)
from stretchd.daemon.shared import Shared
from stretchd.errors import StretchdError
from stretchd.i18n import _
from stretchd.journal import log
from stretchd.schedule import Due
from stretchd.store.history import Kind, Status

START_WAIT = 10.0  # seconds a terminal has to show the walkthrough once it is started
ON_SCREEN = "on_screen"  # state: the notification showing now, to close after a kill (notify.ticket)


class Presenter:
    def __init__(self, shared: Shared, notifier: Notifier, holds: Holds,
                 terminal: Callable[[Config], TerminalLauncher], *,
                 rearm: Callable[[], None], publish: Callable[[], None]) -> None:
        self.shared = shared
        self.notifier = notifier
        self.holds = holds
        self.make_terminal = terminal
        self.rearm = rearm  # a snooze sets an alarm
        self.publish = publish  # followers see each change
        self.showing: Showing | None = None
        self._busy: set[tuple[str, str]] = set()  # occurrences being presented right now
        # Told when an occurrence is presented no more (an answer from elsewhere waits for it).
        self.done_presenting: Callable[[tuple[str, str]], None] = lambda ident: None

    def _on_screen(self, handle: str | None) -> None:
        self.shared.store.set_state(ON_SCREEN, self.notifier.ticket(handle) if handle else None)

    def forget_on_screen(self) -> None:
        """The notification on screen was answered elsewhere ([sync]) and is being closed."""
        self._on_screen(None)

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
            self.done_presenting(ident)
            self.publish()

    def presenting(self, reminder: str, key: str) -> bool:
        """Whether that occurrence is being shown or held right now (between awaits)."""
        return (reminder, key) in self._busy

    async def _present(self, due: Due, snoozes: int, again: bool, why: str | None,
                       problem: str | None, hold: bool, held: Held | None) -> None:
        s = self.shared
        now = s.now()
        name = due.reminder.name
        got = s.store.occurrence(name, due.key)
        decided = verdict(got, due, now, s.store.paused_until(), again=again)
        if decided == Verdict.SNOOZED_AHEAD:
            self.rearm()  # snoozed before it came: its snooze alarm shows it later
        if decided == Verdict.PAUSED:
            s.store.record(name, due.key, due.at, Kind.SKIPPED, now, detail="paused")
        if decided != Verdict.SHOW:
            log("info", f"{name} {due.key}: due, not shown ({got.status if got else decided})")
            return
        if got is not None and not again:
            snoozes = got.snoozes
        if hold and await self.holds.check(due, snoozes):
            return
        now = s.now()  # reading what the person does took a moment
        if self.showing is not None:
            old, self.showing = self.showing, None
            s.store.record(old.due.reminder.name, old.due.key, old.due.at, Kind.SUPERSEDED, now,
                           detail=f"by {name}")
            await self.notifier.close(old.handle)
        message = notice(due.reminder, s.loaded.routines.get(due.reminder.routine), snoozes,
                         s.config.defaults, late=is_late(due, now, again=again), problem=problem,
                         after=after(held.reason) if held else None)
        holder: list[Showing] = []
        handle = await self.notifier.show(message, lambda action: self.on_action(holder[0], action))
        self.showing = Showing(due, handle, snoozes)
        self._on_screen(handle)
        holder.append(self.showing)
        kind, detail = shown_as(due, now, snoozes, again=again, why=why)
        s.store.record(name, due.key, due.at, kind, now, status=Status.SHOWING, detail=detail,
                       snoozes=snoozes)
        log("info", f"{name} {due.key}: {kind}" + (f" ({detail})" if detail else ""))

    async def release(self, held: Held) -> None:
        """The person can act now: show what was held, saying why it comes late."""
        await self.present(held.due, snoozes=held.snoozes, again=True, hold=False, held=held,
                           why=held.why(self.shared.now()))

    def on_action(self, showing: Showing, action: Action) -> None:
        """Called from the loop by the notification's answer on the bus; the work happens in a task."""
        async def answer_and_tell() -> None:
            await self.act(showing, action)
            self.publish()

        self.shared.spawn(answer_and_tell(), f"the answer {action}")

    async def act(self, showing: Showing, action: Action, minutes: int | None = None) -> str:
        s = self.shared
        if self.showing is not showing:
            return _("that notification is no longer showing")
        now = s.now()
        due = showing.due
        outcome = answer(action, showing, now, s.tz, s.config.defaults, minutes)
        if outcome.kind is None:
            return outcome.message
        self.showing = None
        self._on_screen(None)
        if outcome.open_walk:
            try:
                launched = self.make_terminal(s.config).launch(
                    walk_argv(due.reminder.routine, due.reminder.name),
                    token=self.notifier.activation_token(showing.handle))
            except StretchdError as e:
                await self._start_failed(showing, e.message)
                # TRANSLATORS: {reminder} is a reminder's name; {error} why no terminal opened.
                return _("{reminder} did not start: {error}").format(reminder=due.reminder.name,
                                                                     error=e.message)
            if launched is not None:
                s.spawn(self._watch_start(showing, launched, now), f"watching {launched.name} start")
        s.store.record(due.reminder.name, due.key, due.at, outcome.kind, now, detail=outcome.detail,
                       snoozes=outcome.snoozes, snoozed_until=outcome.snoozed_until)
        # A server may keep it open after a click (dunst does), its buttons dead now; and a
        # dismissed one is gone already, but closing lets the notifier forget it.
        await self.notifier.close(showing.handle)
        if outcome.snoozed_until is not None:
            self.rearm()
        return outcome.message

    def answer_held(self, action: Action, minutes: int | None, name: str | None) -> str | None:
        """Snooze or skip from the command line while a reminder is held (and none shows)."""
        s = self.shared
        outcome = self.holds.answer(action, minutes, name, s.config.defaults, s.tz)
        if outcome is not None and outcome.snoozed_until is not None:
            self.rearm()
        return outcome.message if outcome else None

    async def _watch_start(self, showing: Showing, launched: Started, since: datetime) -> None:
        """A terminal can fail after it started: gnome-terminal outside GNOME exits at once,
        saying so on stderr. Until the walkthrough reports in (its row in the history), watch
        the terminal: one that ended with words on stderr and no walkthrough failed; then the
        next terminal found ("auto") is tried, and when none is left the reminder shows again
        saying why. One still open after START_WAIT, or ended cleanly, is trusted."""
        name = showing.due.reminder.name
        started = time.monotonic()
        while True:
            await asyncio.sleep(0.25)
            if any(w.reminder == name and w.device is None
                   for w in self.shared.store.walks(since - timedelta(seconds=5))):
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
            said = launched.said()
            nxt = launched.next()
            if nxt is None:
                # TRANSLATORS: {terminal} is a program (gnome-terminal); {error} what it said.
                problem = _("{terminal} could not open a window: {error}").format(
                    terminal=launched.name, error=said)
                await self._start_failed(showing, f"{problem}; {_(TERMINAL_FIX)}")
                return
            log("warning", f"{name}: {launched.name} could not open a window: {said}; trying {nxt.name}")
            launched, started = nxt, time.monotonic()

    async def _start_failed(self, showing: Showing, problem: str) -> None:
        """No terminal opened: say so in the history, and show the reminder again with the
        reason and what to do in its body, its buttons still there."""
        due = showing.due
        log("error", f"{due.reminder.name}: {problem}")
        self.shared.store.record(due.reminder.name, due.key, due.at, Kind.START_FAILED,
                                 self.shared.now(), status=Status.SHOWING, detail=problem)
        await self.notifier.close(showing.handle)
        await self.present(due, snoozes=showing.snoozes, again=True, why="again: Start did not work",
                           problem=problem)

    async def check_showing(self) -> None:
        """A notification server that died took the notification with it: show it again."""
        showing = self.showing
        if showing is None or await self.notifier.alive(showing.handle):
            return
        log("warning", f"{showing.due.reminder.name}: the notification server went away while it "
                       "showed; showing it again")
        if self.showing is showing:
            self.showing = None
            self._on_screen(None)
            await self.present(showing.due, snoozes=showing.snoozes, again=True,
                               why="again: the notification server went away")

    def show_again_what_was_left(self, since_key: str) -> None:
        """What the last daemon left showing or snoozed, unanswered, shows again once: its
        notification went with it (or stays with buttons that lead nowhere)."""
        s = self.shared
        now = s.now()
        left = s.store.get_state(ON_SCREEN)
        if left:  # the last daemon was killed with it on screen: its buttons lead nowhere
            s.store.set_state(ON_SCREEN, None)
            s.spawn(self.notifier.close_ticket(left), "closing what the last run left")
        show, missed = left_unanswered(s.store.occurrences(since_key), now, s.grace())
        for o in missed:
            s.store.record(o.reminder, o.occurrence, o.scheduled, Kind.MISSED, now,
                           detail="unanswered when stretchd stopped")
        for o in show:
            r = s.config.reminder(o.reminder)
            if r is not None:
                late = int((now - (o.snoozed_until or o.scheduled)).total_seconds() // 60)
                why = "again: stretchd restarted" + (f", {late} min late" if late >= 1 else "")
                s.spawn(self.present(Due(r, o.scheduled, o.occurrence), snoozes=o.snoozes, again=True,
                                     why=why), f"showing {r.name} again")

    async def close_showing(self) -> None:
        """At stop: the notification on screen goes with us (its buttons would lead nowhere).
        Its occurrence stays unanswered, for the next start to show again."""
        if self.showing is not None:
            with contextlib.suppress(Exception):  # a server gone meanwhile: nothing to close
                await self.notifier.close(self.showing.handle)
            self._on_screen(None)
