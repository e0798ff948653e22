"""The guided console walkthrough: a live countdown per step, keys to pause, skip and quit.

A Walk goes through its screens (the first screen, the steps, the end screen) as a loop of
keys and deadlines; how the screens were left is an Ending, and decide() alone maps it to what
the history records and walk() returns. What the screens show is stretchd.walkthrough.view.
"""

from __future__ import annotations

import contextlib
import enum
import os
import select
import signal
import sys
import termios
import time
import tty
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Protocol

from rich.console import Console, ScreenContext
from rich.control import Control

from stretchd.i18n import _
from stretchd.routines import Routine, safety_line
from stretchd.routines.plan import Cue, Timer, cues, exercise_count, plan
from stretchd.store.history import History
from stretchd.walkthrough.paint import Painter
from stretchd.walkthrough.pictures import FRAMES_PER_SECOND, KITTY_DELETE, Figure, Mode
from stretchd.walkthrough.screen import wants_ascii
from stretchd.walkthrough.view import (
    Placed,
    Rooms,
    countdown,
    done_page,
    end_keys,
    framing,
    get_ready,
    hold,
    intro,
    intro_keys,
    now_line,
    page,
    paused,
    print_plain,
    screen,
    streak,
    view,
)
from stretchd.walkthrough.voice import Voice

# What the tests and the CLI import from here, the screens' names included (from view.py).
__all__ = [
    "KEY_GUARD",
    "REDRAW",
    "STALE",
    "Ending",
    "Interrupted",
    "Keys",
    "Options",
    "Outcome",
    "Rooms",
    "TerminalKeys",
    "Verdict",
    "Walk",
    "countdown",
    "decide",
    "get_ready",
    "hold",
    "intro",
    "intro_keys",
    "is_interactive",
    "now_line",
    "paused",
    "print_plain",
    "screen",
    "streak",
    "view",
    "walk",
]

REDRAW = 0.2  # seconds between redraws of the countdown
KEY_GUARD = 1.0  # seconds of the end screen in which a key (a double-tapped n) is ignored
STALE = 0.5  # a cue this late (a busy machine, a resumed pause) is not said at all
DONE_WAIT = 2.0  # seconds the last phrase ("Done.") may go on once the walk has ended
QUIT_KEYS = ("q", "Q", "\x1b")


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
        ready, _writable, _errors = select.select([self.fd], [], [], max(0.0, timeout))
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


class Ending(enum.Enum):
    """How the walk's screens were left."""

    COMPLETED = "completed"  # the last step ran out, and the end screen closed (a key, or by itself)
    QUIT = "quit"  # q or Esc, on the first screen or in the steps; or Ctrl-C
    STDIN_CLOSED = "stdin closed"
    INTERRUPTED = "interrupted"  # SIGHUP or SIGTERM


@dataclass(frozen=True)
class Verdict:
    """What the history records of a walk (history.finish_walk) and what walk() returns."""

    outcome: str  # "completed", "quit" or "interrupted"
    step: int
    seconds: float  # in the steps, pauses left out: what `stretchd stats` counts
    returned: Outcome
    voice_wait: float  # seconds the last phrase may go on


def decide(how: Ending, *, reached: int, total: int, started: float | None,
           finished: float | None, now: float, seconds: float) -> Verdict:
    """How a walk ended, as what is recorded and returned. reached: the step last on screen (0
    before Enter); started, finished: the timer's; now, seconds: the clock's and the timer's."""
    if finished is not None:
        # The last step ran out: complete, even if the end screen was then stopped (which
        # only cuts the voice short).
        assert started is not None
        wait = DONE_WAIT if how is Ending.COMPLETED else 0.0
        return Verdict("completed", total, seconds, Outcome(True, total, total, finished - started), wait)
    assert how is not Ending.COMPLETED, "completed before the last step ran out"
    # Stdin closed leaves the walk as q would; only a signal is told apart.
    outcome = "interrupted" if how is Ending.INTERRUPTED else "quit"
    elapsed = 0.0 if started is None else now - started
    return Verdict(outcome, reached, seconds, Outcome(False, reached, total, elapsed), 0.0)


def _local_now() -> datetime:
    return datetime.now().astimezone()


@dataclass(frozen=True)
class Options:
    """How a walk goes, beside the routine and what it talks to."""

    reminder: str | None = None  # the reminder that started it, for the history
    end_wait: float | None = None  # the end screen closes by itself after this many seconds
    ascii: bool | None = None  # None: as the locale and terminal allow (wants_ascii)
    voice_note: str = ""  # a line on the first screen about the voice
    streak_goal: int = 1  # walks completed that make a day count in the streak
    figure: Figure | None = None  # the picture of each position; None: no pictures
    clock: Callable[[], float] = time.monotonic
    wallclock: Callable[[], datetime] = _local_now


@contextlib.contextmanager
def _on_signals(signals: tuple[signal.Signals, ...],
                act: Callable[[signal.Signals], None]) -> Iterator[None]:
    """act(signal) on each of signals while inside; the handlers before are put back after."""
    def handler(signum: int, frame: object) -> None:
        act(signal.Signals(signum))

    old = {s: signal.signal(s, handler) for s in signals}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _hang_up(signum: signal.Signals) -> None:
    raise Interrupted(signum.name)


def walk(
    routine: Routine,
    *,
    console: Console,
    keys: Keys,
    history: History | None = None,
    reminder: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    wallclock: Callable[[], datetime] = _local_now,
    speaker: Voice | None = None,
    chime: Callable[[], None] | None = None,
    end_wait: float | None = None,
    ascii: bool | None = None,
    voice_note: str = "",
    streak_goal: int = 1,
    figure: Figure | None = None,
) -> Outcome:
    """Lead through the routine on a live screen; record the session in history.

    speaker says the cues; chime marks each transition (default: the terminal bell); the
    end screen stays until a key, or end_wait seconds at most.
    """
    options = Options(reminder=reminder, end_wait=end_wait, ascii=ascii, voice_note=voice_note,
                      streak_goal=streak_goal, figure=figure, clock=clock, wallclock=wallclock)
    return Walk(routine, console=console, keys=keys, history=history, speaker=speaker,
                chime=chime, options=options).run()


class Walk:
    """One walk through a routine: its screens in turn, then decide() on how they were left."""

    def __init__(self, routine: Routine, *, console: Console, keys: Keys, history: History | None,
                 speaker: Voice | None, chime: Callable[[], None] | None, options: Options) -> None:
        self.routine, self.console, self.keys, self.history = routine, console, keys, history
        self.speaker, self.chime, self.options = speaker, chime, options
        self.ring = chime or console.bell
        self.clock = options.clock
        self.ascii = wants_ascii() if options.ascii is None else options.ascii
        self.items = plan(routine)
        self.total = exercise_count(self.items)
        self.timer = Timer(self.items, self.clock)
        self.rooms = Rooms(self.items)
        self.walk_id: int | None = None
        self.reached = 0  # the step last on screen, get-ready included
        self.cued = -1  # the item whose cues are pending
        self.pending: list[Cue] = []
        self.recorded = False
        self.placed: tuple[object, ...] | None = None  # the terminal graphics on screen now
        self.placed_rows = range(0)  # and the rows they take
        self.damaged = False  # the screen may not show the last frame (SIGCONT, SIGWINCH)
        self.frame: object = None  # the step's frame on screen now, as a value
        # On a terminal, a frame's changed rows alone are drawn (a file gets whole frames).
        self.painter = Painter(console) if console.is_terminal else None

    def run(self) -> Outcome:
        if self.history:
            self.walk_id = self.history.start_walk(self.routine.name, self.options.reminder,
                                                   self.options.wallclock(), self.total,
                                                   pid=os.getpid())
        try:
            how = self._until_stopped()
        except BaseException:
            self._release(0.0)  # a bug: no voice nor chime goes on after it
            raise
        verdict = self._decide(how)
        self._release(verdict.voice_wait)
        self._record(verdict)
        return verdict.returned

    def _decide(self, how: Ending) -> Verdict:
        timer = self.timer
        return decide(how, reached=self.reached, total=self.total, started=timer.started_at,
                      finished=timer.finished_at, now=self.clock(), seconds=timer.in_steps())

    def _record(self, verdict: Verdict) -> None:
        """Tell the history how the walk ended, once: a completed walk before its end screen."""
        if self.recorded:
            return
        self.recorded = True
        if self.history and self.walk_id:
            self.history.finish_walk(self.walk_id, self.options.wallclock(), outcome=verdict.outcome,
                                     step=verdict.step, seconds=verdict.seconds)

    def _release(self, wait: float) -> None:
        """Let the last phrase finish (up to wait seconds) and reap the chimes."""
        if self.speaker:
            self.speaker.close(wait)
        close = getattr(self.chime, "close", None)
        if close:
            close()

    def _until_stopped(self) -> Ending:
        """The screens, until they end by the walk's course or a key, or are stopped: a signal
        (SIGHUP, SIGTERM), Ctrl-C, stdin closed. A stop is only turned into its Ending here."""
        try:
            # A hangup or a TERM ends the walk; a stop and continue (the shell wrote over the
            # screen) or a resize has the next frame drawn whole.
            with _on_signals((signal.SIGHUP, signal.SIGTERM), _hang_up), \
                    _on_signals((signal.SIGCONT, signal.SIGWINCH), self._damaged):
                return self._screens()
        except Interrupted:
            return Ending.INTERRUPTED
        except EOFError:
            return Ending.STDIN_CLOSED
        except KeyboardInterrupt:
            return Ending.QUIT

    def _damaged(self, signum: signal.Signals) -> None:
        """The next frame is drawn whole, its picture too (a signal handler: flags only)."""
        self.damaged = True

    def _screens(self) -> Ending:
        with self.console.screen(hide_cursor=True) as scr:
            if self.speaker:
                self.speaker.say(safety_line())
            how = self._intro(scr)
            if how is not None:
                return how
            try:
                how = self._steps(scr)
            finally:
                self._graphics(None, (0, 0))  # the last picture goes with the steps, however left
            if how is Ending.COMPLETED:
                done = self._decide(how)
                self._record(done)  # before the end screen, whose streak counts this walk
                if self.speaker:
                    self.speaker.say(_("Done."))
                self._end_screen(scr, done.returned.elapsed)
            return how

    def _page(self, scr: ScreenContext, paragraphs: list[tuple[str, str]],
              key_hints: tuple[str, ...], big: tuple[str, ...] = ()) -> None:
        width, height = self.console.size
        if self.painter is not None:
            self.painter.forget()
            self.console.control(Control.home())  # a row drawn last left the cursor mid-screen
        scr.update(page(paragraphs, key_hints, width, height, ascii=self.ascii, big=big))

    def _intro(self, scr: ScreenContext) -> Ending | None:
        """The first screen until Enter (None: the steps begin) or q (QUIT)."""
        while True:
            self._page(scr, intro(self.routine, self.items, self.options.voice_note), intro_keys())
            key = self.keys.read(0.5)  # redrawn twice a second: a resized window is redrawn
            if key in ("\r", "\n"):
                return None
            if key in QUIT_KEYS:
                return Ending.QUIT

    def _steps(self, scr: ScreenContext) -> Ending:
        """The countdown, step by step, until the last runs out (COMPLETED) or q (QUIT)."""
        timer = self.timer
        timer.start()
        self.ring()
        while True:
            if timer.update():
                self.ring()
            if timer.done:
                return Ending.COMPLETED
            next_cue = self._cue()
            if timer.current.number != self.reached:  # the step on screen, get-ready included
                self.reached = timer.current.number
                if self.history and self.walk_id:
                    self.history.progress_walk(self.walk_id, self.reached)
            width, height = self.console.size
            if self.damaged:  # drawn whole again: the text, and the picture over it
                self.damaged = False
                self.frame = None
                if self.painter is not None:
                    self.painter.forget()
                self.placed = self.placed and ("damaged",)
            figure = self.options.figure
            shown, placed, drawn = framing(self.routine, timer, width, height, rooms=self.rooms,
                                           ascii=self.ascii, figure=figure)
            if (drawn, (width, height)) != self.frame:  # an unchanged frame is not drawn again
                self.frame = (drawn, (width, height))
                if self.painter is not None:
                    redrawn = self.painter.paint(shown, (width, height))  # type: ignore[arg-type]
                else:
                    scr.update(shown)
                    redrawn = [(row, 0, width) for row in range(height)]
                self._graphics(placed, (width, height), redrawn)
            wait = REDRAW if timer.paused else min(REDRAW, timer.remaining())
            if figure is not None and timer.current.get_ready and not timer.paused:
                wait = min(wait, 1 / FRAMES_PER_SECOND)  # the figure moves into position
            if next_cue is not None:
                wait = min(wait, max(0.0, next_cue - self.clock()))
            key = self.keys.read(wait)
            if key == " ":
                timer.toggle_pause()
            elif key in ("n", "N"):
                timer.skip()
                self.ring()
            elif key in QUIT_KEYS:
                return Ending.QUIT

    def _graphics(self, placed: Placed | None, size: tuple[int, int],
                  redrawn: list[tuple[int, int, int]] | None = None) -> None:
        """The picture in the terminal's own graphics, where the text left room for it. kitty
        keeps an image under text drawn over it: drawn again only when it changes. Text
        drawn over sixel pixels replaces them: drawn again when text is drawn over it
        (redrawn: the frame's (row, first column, column after the last) drawn)."""
        figure = self.options.figure
        if figure is None or not figure.mode.pixels:
            return
        now = None if placed is None else (placed.key, placed.row, placed.col, placed.cols,
                                           placed.rows, size)
        # kitty keeps an image under text drawn over it; WezTerm and sixel terminals do not,
        # and it is drawn again when a row it covers is drawn again.
        kept = figure.mode is Mode.KITTY and os.environ.get("TERM_PROGRAM") != "WezTerm"
        crossed = placed is not None and any(
            placed.row <= r < placed.row + placed.rows and a < placed.col + placed.cols
            and b > placed.col for r, a, b in (redrawn or ()))
        if now == self.placed and (kept or not crossed):
            return
        out = self.console.file
        if figure.mode is Mode.KITTY and self.placed is not None:
            out.write(KITTY_DELETE)
        if not kept and self.placed is not None and now != self.placed and self.painter is not None:
            # Sixel pixels (and WezTerm's kitty images) stay until text is drawn over them:
            # the rows the last picture took are drawn again where the frame did not.
            self.painter.redraw(self.placed_rows)
        self.placed = now
        self.placed_rows = range(0) if placed is None else range(placed.row, placed.row + placed.rows)
        data = None if placed is None else figure.pixels(placed.source, placed.key, placed.cols,
                                                         placed.rows)
        if placed is not None and data is not None:
            out.write(f"\x1b7\x1b[{placed.row + 1};{placed.col + 1}H")
            out.write(data.decode("ascii", "replace"))
            out.write("\x1b8")
        out.flush()

    def _cue(self) -> float | None:
        """Say the latest cue of the current item now due (older ones are passed over); when
        the next one is, None if none is left or the walk is paused."""
        timer = self.timer
        if timer.index != self.cued:
            self.cued, self.pending = timer.index, cues(self.items, timer.index,
                                                        self.routine.breath_seconds)
        if timer.paused:
            return None
        start = timer.deadline - timer.current.seconds
        now = self.clock()
        due = [c for c in self.pending if start + c.offset <= now + 1e-9]
        if due:
            self.pending = self.pending[len(due):]
            # The start cue says what to do and on which side: late is better than never.
            # A count or a breath come too late would say the wrong thing: it is passed over.
            if self.speaker and (now - (start + due[-1].offset) <= STALE or due[-1].offset == 0):
                self.speaker.say(due[-1].phrase)
        return start + self.pending[0].offset if self.pending else None

    def _end_screen(self, scr: ScreenContext, elapsed: float) -> None:
        """DONE and the streak, until a key, or end_wait seconds."""
        kept = None  # the streak, where walks are kept
        if self.history:
            today = self.options.wallclock().astimezone().date()
            kept = streak(self.history.completed_days(), today, self.options.streak_goal)
        paragraphs, big = done_page(self.routine, elapsed, kept)
        shown_at = self.clock()
        end_wait = self.options.end_wait
        closes_at = None if end_wait is None else shown_at + end_wait
        while True:
            left = None if closes_at is None else max(0.0, closes_at - self.clock())
            self._page(scr, paragraphs, end_keys(left), big)
            if left == 0.0:
                return
            key = self.keys.read(1.0 if left is None else min(1.0, left))
            if key and self.clock() - shown_at >= KEY_GUARD:  # not a key meant for the last stretch
                return


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
