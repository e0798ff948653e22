"""The guided console walkthrough: a live countdown per step, keys to pause, skip and quit."""

from __future__ import annotations

import contextlib
import math
import os
import select
import signal
import sys
import termios
import time
import tty
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Protocol

from rich.console import Console, Group, RenderableType
from rich.text import Text

from stretchd import bigtext
from stretchd.history import History
from stretchd.routines import SAFETY_LINE, SAFETY_NOTICE, Routine
from stretchd.screen import Line, View, fit, text_lines, wants_ascii
from stretchd.session import (
    Cue,
    Item,
    Timer,
    announcement,
    breath_phase,
    cues,
    exercise_count,
    format_clock,
    format_duration,
    lead,
    plan,
    planned_seconds,
)
from stretchd.voice import Voice

REDRAW = 0.2  # seconds between redraws of the countdown


class Keys(Protocol):
    def read(self, timeout: float) -> str | None:
        """The next key pressed within timeout seconds, or None."""


class TerminalKeys:
    """Single keys from a terminal in cbreak mode (no Enter needed, no echo)."""

    def __init__(self, stream: IO[str]) -> None:
        self.fd = stream.fileno()

    @contextlib.contextmanager
    def raw(self) -> Iterator[TerminalKeys]:
        saved = termios.tcgetattr(self.fd)
        try:
            tty.setcbreak(self.fd)
            yield self
        finally:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)

    def read(self, timeout: float) -> str | None:
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return None
        data = os.read(self.fd, 32)
        if not data:
            raise EOFError
        if data.startswith(b"\x1b") and len(data) > 1:
            return ""  # an arrow key or the mouse wheel (an escape sequence), not Esc
        return data.decode(errors="replace")[:1]


@dataclass(frozen=True)
class Outcome:
    completed: bool
    step: int  # exercises reached (1-based); 0 if quit before the first
    steps: int
    elapsed: float  # seconds from Enter to the end, on the walkthrough's clock


class Interrupted(Exception):
    """The terminal went away (SIGHUP) or we were asked to stop (SIGTERM)."""


KEY_GUARD = 1.0  # seconds of the end screen in which a key (a double-tapped n) is ignored
STALE = 0.5  # a cue this late (a busy machine, a resumed pause) is not said at all
END_KEYS = ("Any key closes this screen", "Any key closes")
INTRO_KEYS = ("Press Enter to begin · q to quit", "Enter begin · q quit")


def countdown(seconds: float) -> str:
    """Seconds left as the big countdown shows them: "10", "1:30"; 9.3 s reads 10."""
    whole = math.ceil(max(0.0, seconds) - 1e-9)
    return format_clock(whole) if whole >= 60 else str(whole)


GET_READY = ("GET READY", "READY")
HOLD = ("HOLD",)
PAUSED = ("PAUSED",)


def _breathe(phase: str) -> tuple[str, ...]:
    return (f"BREATHE {phase.upper()}", phase.upper())


def _side(item: Item) -> tuple[tuple[str, ...], ...]:
    """The side as a block word, if the step has one: (("LEFT",),)."""
    return ((item.side.upper(),),) if item.side in ("left", "right") else ()


def _rep(item: Item) -> str:
    return f"{item.rep} of {item.reps}" if item.reps > 1 else ""


class Rooms:
    """The widest countdown and block words of a routine, so the scale holds from step to step."""

    def __init__(self, items: list[Item]) -> None:
        bigs = [countdown(i.seconds) if i.breaths is None or i.get_ready else str(i.breaths)
                for i in items]
        self.big = max(bigs, key=lambda t: bigtext.width(t, 1))
        phases = [GET_READY, HOLD, PAUSED]
        if any(i.breaths is not None for i in items):
            phases += [_breathe("in"), _breathe("out")]
        places = [phases]
        sides = [side for i in items for side in _side(i)]
        if sides:
            places.append(sides)

        def widest(words: list[str]) -> str:
            return max(words, key=lambda t: bigtext.width(t, 1))

        self.words = tuple((widest([alts[0] for alts in place]), widest([alts[-1] for alts in place]))
                           for place in places)


def intro(routine: Routine, items: list[Item], voice_note: str = "") -> list[tuple[str, str]]:
    """The first screen's paragraphs, the most important first."""
    parts = [(f"{routine.title} · {format_duration(planned_seconds(items))} · "
              f"{exercise_count(items)} stretches", "bold"), ("", "")]
    parts += [(line, "bold") for line in SAFETY_NOTICE[:1]]
    if routine.needs:
        parts.append((f"You need {' and '.join(routine.needs)}.", "bold"))
    if voice_note:
        parts.append((voice_note, ""))
    parts += [(f"- {line}", "") for line in (*SAFETY_NOTICE[1:], *routine.warnings)]
    if routine.setup:
        parts += [("", ""), ("Get ready", "bold")] + [(f"- {line}", "") for line in routine.setup]
    if routine.summary:
        parts += [("", ""), (routine.summary, "")]
    return parts


def now_line(items: list[Item], index: int) -> str:
    """What to do now, the words also said: "Switch sides. Next: Right knee to ...". """
    item = items[index]
    ends = lead(items, index)
    if item.get_ready:
        return " ".join(p for p in (ends, "Next:", announcement(item)) if p)
    if index > 0 and items[index - 1].get_ready:
        return announcement(item)
    return " ".join(p for p in (ends, announcement(item)) if p)


def view(routine: Routine, timer: Timer, rooms: Rooms) -> View:
    items, index = timer.items, max(timer.index, 0)
    item = timer.current
    phase: tuple[str, ...] = GET_READY if item.get_ready else HOLD
    extra: tuple[str, ...] = ()
    if item.breaths is not None and not item.get_ready:
        number, breath = breath_phase(item, timer.elapsed(), routine.breath_seconds)
        big = str(number)
        phase = _breathe(breath)
        extra = (f"Breathe {breath}. Breath {number} of {item.breaths}.",)
    else:
        big = countdown(timer.remaining())
    after = next((i for i in items[index:] if i.number > item.number), None)
    if timer.paused:
        keys = ("Space resume · n skip to the next · q quit", "Space resume · n skip · q quit",
                "Spc resume n skip q quit")
    elif item.get_ready:
        keys = ("Space pause/resume · n start it now · q quit", "Space pause · n start now · q quit",
                "Spc pause n start q quit")
    else:
        keys = ("Space pause/resume · n skip to the next · q quit", "Space pause · n skip · q quit",
                "Spc pause n skip q quit")
    # While getting ready, what comes next is the stretch on screen: one "Next:" line only.
    following = "" if item.get_ready else (
        f"Next: {after.label()}" if after else "Next: done, this is the last stretch")
    return View(
        big=big, words=(PAUSED if timer.paused else phase, *_side(item)), rep=_rep(item),
        extra=extra, now=now_line(items, index),
        instruction=item.step.instruction, cautions=item.step.cautions, tips=item.step.tips,
        header=(f"{routine.title} · step {item.number} of {exercise_count(items)} · "
                f"{format_clock(timer.remaining_total())} left"),
        next=following, keys=keys, big_room=rooms.big,
        word_rooms=rooms.words,
    )


def _draw(lines: list[Line]) -> RenderableType:
    # Text, not markup: the lines hold the routine's own words.
    return Group(*(Text(line.text, style=line.style, no_wrap=True, overflow="crop")
                   for line in lines))


def screen(routine: Routine, timer: Timer, width: int, height: int, *,
           rooms: Rooms | None = None, ascii: bool = False) -> RenderableType:
    return _draw(fit(view(routine, timer, rooms or Rooms(timer.items)), width, height, ascii=ascii))


def print_plain(routine: Routine, echo: Callable[[str], None]) -> None:
    """The whole routine as plain lines, for a pipe or a file."""
    items = plan(routine)
    echo(f"{routine.title} ({routine.name}): {format_duration(planned_seconds(items))}, "
         f"{exercise_count(items)} stretches")
    if routine.summary:
        echo(routine.summary)
    echo("Safety:")
    for line in (*SAFETY_NOTICE, *routine.warnings):
        echo(f"  - {line}")
    if routine.setup:
        echo("Get ready:")
        for line in routine.setup:
            echo(f"  - {line}")
    for step in routine.steps:
        mine = [item for item in items if item.step is step and not item.get_ready]
        first = mine[0]
        timing = (f"{first.breaths} deep breaths (about {format_duration(first.seconds)})"
                  if first.breaths is not None else f"hold {format_duration(first.seconds)}")
        head = f"{step.title}: " + (f"{step.breaths} deep breaths" if step.breaths else timing)
        if step.sides != ("both",):
            head += f", {' and '.join(step.sides)} side alternately"
        if step.repetitions.high > 1:
            head += f", {step.repetitions} times"
        echo("")
        echo(head)
        echo(f"   {step.instruction}")
        for tip in step.tips:
            echo(f"   - {tip}")
        for caution in step.cautions:
            echo(f"   ! {caution}")
        for item in mine:
            echo(f"  {item.number:>2}. {item.label()}: {timing}")
    echo("")
    if routine.references:
        echo("Sources:")
        for ref in routine.references:
            echo(f"  {ref}")


@contextlib.contextmanager
def _stop_on_hangup() -> Iterator[None]:
    def handler(signum: int, frame: object) -> None:
        raise Interrupted(signal.Signals(signum).name)

    old = {s: signal.signal(s, handler) for s in (signal.SIGHUP, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def walk(
    routine: Routine,
    *,
    console: Console,
    keys: Keys,
    history: History | None = None,
    reminder: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    wallclock: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    speaker: Voice | None = None,
    chime: Callable[[], None] | None = None,
    end_wait: float | None = None,
    ascii: bool | None = None,
    voice_note: str = "",
    streak_goal: int = 1,
) -> Outcome:
    """Lead through the routine on a live screen; record the session in history.

    speaker says the cues; chime marks each transition (default: the terminal bell); the
    end screen stays until a key, or end_wait seconds at most.
    """
    ascii = wants_ascii() if ascii is None else ascii
    ring = chime or console.bell

    def release(wait: float) -> None:
        """Let the last phrase finish (up to wait seconds) and reap the chimes."""
        if speaker:
            speaker.close(wait)
        close = getattr(chime, "close", None)
        if close:
            close()

    items = plan(routine)
    total = exercise_count(items)
    timer = Timer(items, clock)
    rooms = Rooms(items)
    walk_id = (history.start_walk(routine.name, reminder, wallclock(), total, pid=os.getpid())
               if history else None)
    reached = 0
    pending: list[Cue] = []
    cued = -1  # the item whose cues are pending

    def say_due() -> float | None:
        """Say the latest cue now due (older ones are passed over); when the next one is."""
        nonlocal pending
        start = timer.deadline - timer.current.seconds
        now = clock()
        due = [c for c in pending if start + c.offset <= now + 1e-9]
        if due:
            pending = pending[len(due):]
            # The start cue says what to do and on which side: late is better than never.
            # A count or a breath come too late would say the wrong thing: it is passed over.
            if speaker and (now - (start + due[-1].offset) <= STALE or due[-1].offset == 0):
                speaker.say(due[-1].phrase)
        return start + pending[0].offset if pending else None

    def page(paragraphs: list[tuple[str, str]], key_hints: tuple[str, ...],
             big: tuple[str, ...] = ()) -> RenderableType:
        width, height = console.size
        return _draw(text_lines(paragraphs, key_hints, width, height, ascii=ascii, big=big))

    try:
        with _stop_on_hangup(), console.screen(hide_cursor=True) as scr:
            if speaker:
                speaker.say(SAFETY_LINE)
            while True:
                scr.update(page(intro(routine, items, voice_note), INTRO_KEYS))
                key = keys.read(0.5)  # redrawn twice a second: a resized window is redrawn
                if key in ("\r", "\n"):
                    break
                if key in ("q", "Q", "\x1b"):
                    raise KeyboardInterrupt
            timer.start()
            ring()
            while not timer.done:
                if timer.update():
                    ring()
                if timer.done:
                    break
                if timer.index != cued:
                    cued, pending = timer.index, cues(items, timer.index, routine.breath_seconds)
                next_cue = None if timer.paused else say_due()
                if timer.current.number != reached:  # the step on screen, get-ready included
                    reached = timer.current.number
                    if history and walk_id:
                        history.progress_walk(walk_id, reached)
                width, height = console.size
                scr.update(screen(routine, timer, width, height, rooms=rooms, ascii=ascii))
                wait = REDRAW if timer.paused else min(REDRAW, timer.remaining())
                if next_cue is not None:
                    wait = min(wait, max(0.0, next_cue - clock()))
                key = keys.read(wait)
                if key == " ":
                    timer.toggle_pause()
                elif key in ("n", "N"):
                    timer.skip()
                    ring()
                elif key in ("q", "Q", "\x1b"):
                    raise KeyboardInterrupt
            assert timer.started_at is not None and timer.finished_at is not None
            elapsed = timer.finished_at - timer.started_at
            if history and walk_id:
                history.finish_walk(walk_id, wallclock(), outcome="completed", step=total,
                                    seconds=timer.in_steps())
            if speaker:
                speaker.say("Done.")
            _end_screen(routine, elapsed, history, streak_goal, wallclock, keys, end_wait, clock,
                        lambda paragraphs, hints, big: scr.update(page(paragraphs, hints, big)))
    except BaseException as stop:
        release(0)
        if not isinstance(stop, KeyboardInterrupt | Interrupted | EOFError):
            raise
        if timer.done:  # recorded as completed already; the end screen was closed
            assert timer.started_at is not None and timer.finished_at is not None
            return Outcome(True, total, total, timer.finished_at - timer.started_at)
        if history and walk_id:
            history.finish_walk(walk_id, wallclock(), step=reached, seconds=timer.in_steps(),
                                outcome="interrupted" if isinstance(stop, Interrupted) else "quit")
        elapsed = (clock() - timer.started_at) if timer.started_at is not None else 0.0
        return Outcome(False, reached, total, elapsed)
    release(2.0)
    return Outcome(True, total, total, elapsed)


def _end_screen(routine: Routine, elapsed: float, history: History | None, streak_goal: int,
                wallclock: Callable[[], datetime], keys: Keys, end_wait: float | None,
                clock: Callable[[], float],
                show: Callable[[list[tuple[str, str]], tuple[str, ...], tuple[str, ...]], None],
                ) -> None:
    """DONE and the streak in block letters, then "Done: Hips and lower back, 4 min 2 s. 3 days
    in a row." in words, until a key, or end_wait seconds."""
    done = f"Done: {routine.title}, {format_duration(elapsed)}."
    big: tuple[str, ...] = ("DONE",)
    if history:
        words, days = streak(history.completed_days(), wallclock().astimezone().date(), streak_goal)
        done += " " + words
        big += (days,) if days else ()
    shown_at = clock()
    closes_at = None if end_wait is None else shown_at + end_wait
    while True:
        left = None if closes_at is None else max(0.0, closes_at - clock())
        hints = END_KEYS if left is None else (
            f"Any key closes · closes by itself in {math.ceil(left)} s", f"Any key · {math.ceil(left)} s")
        show([(done, "bold"), ("", ""), ("Well done. Stretch again at your next reminder.", "")],
             hints, big)
        if left == 0.0:
            return
        key = keys.read(1.0 if left is None else min(1.0, left))
        if key and clock() - shown_at >= KEY_GUARD:  # not a key meant for the last stretch
            return


def streak_line(completed: dict[date, int], today: date, goal: int) -> str:
    """The streak as the end screen says it (a day counts with `goal` completed)."""
    return streak(completed, today, goal)[0]


def streak(completed: dict[date, int], today: date, goal: int) -> tuple[str, str]:
    """The streak in words, and in block letters where today counts: ("3 days in a row.",
    "3 DAYS"); ("A streak starts today.", "DAY 1")."""
    from stretchd.stats import streaks

    current, _, today_counts = streaks(completed, today, goal)
    if not today_counts:
        more = goal - completed.get(today, 0)
        keeps = f"keeps your {current}-day streak" if current else "starts a streak"
        return f"{completed.get(today, 0)} of {goal} today: {more} more {keeps}.", ""
    if current <= 1:
        return "A streak starts today.", "DAY 1"
    return f"{current} days in a row.", f"{current} DAYS"


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
