"""The guided console walkthrough: a live countdown per step, keys to pause, skip and quit."""

from __future__ import annotations

import contextlib
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

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from stretchd.history import History
from stretchd.routines import SAFETY_NOTICE, Routine
from stretchd.session import (
    Item,
    Timer,
    exercise_count,
    format_clock,
    format_duration,
    plan,
    planned_seconds,
)

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
        return data.decode(errors="replace")[:1]


@dataclass(frozen=True)
class Outcome:
    completed: bool
    step: int  # exercises reached (1-based); 0 if quit before the first
    steps: int
    elapsed: float  # seconds from Enter to the end, on the walkthrough's clock


class Interrupted(Exception):
    """The terminal went away (SIGHUP) or we were asked to stop (SIGTERM)."""


def _header(routine: Routine, items: list[Item]) -> Text:
    t = Text()
    t.append(routine.title, style="bold")
    t.append(f"  ·  {format_duration(planned_seconds(items))}  ·  "
             f"{exercise_count(items)} stretches")
    return t


def intro(routine: Routine, items: list[Item]) -> RenderableType:
    parts: list[RenderableType] = [_header(routine, items)]
    if routine.summary:
        parts.append(Text(routine.summary))
    safety = Text("Safety\n", style="bold yellow")
    for line in (*SAFETY_NOTICE, *routine.warnings):
        safety.append(f"• {line}\n")
    parts.append(safety)
    if routine.setup:
        setup = Text("Get ready\n", style="bold")
        for line in routine.setup:
            setup.append(f"• {line}\n")
        parts.append(setup)
    parts.append(Text("Press Enter to begin · q to quit", style="bold reverse"))
    return Group(*parts)


def _countdown(timer: Timer, routine: Routine) -> Text:
    item, remaining = timer.current, timer.remaining()
    if item.breaths is not None and not item.get_ready:
        elapsed = timer.elapsed()
        breath = min(item.breaths, int(elapsed // routine.breath_seconds) + 1)
        phase = "in" if (elapsed % routine.breath_seconds) < routine.breath_seconds / 2 else "out"
        return Text(f"Breath {breath} of {item.breaths} · breathe {phase}…   "
                    f"{format_clock(remaining)}", style="bold")
    return Text(format_clock(remaining), style="bold")


def screen(routine: Routine, timer: Timer) -> RenderableType:
    item, total = timer.current, exercise_count(timer.items)
    top = _header(routine, timer.items)
    top.append(f"  ·  step {item.number} of {total}  ·  {format_clock(timer.remaining_total())} left")
    body: list[RenderableType] = []
    if item.get_ready:
        title = f"Get ready: {item.label()}"
        style = "cyan"
        if item.side in ("left", "right"):
            body.append(Text(f"Next: your {item.side.upper()} side", style="bold cyan"))
    else:
        title = item.label()
        style = "green"
        if item.side in ("left", "right"):
            body.append(Text(f"{item.side.upper()} side", style="bold green"))
    body.append(Text(item.step.instruction))
    for tip in item.step.tips:
        body.append(Text(f"• {tip}", style="dim" if item.get_ready else ""))
    for caution in item.step.cautions:
        body.append(Text(f"⚠ {caution}", style="yellow"))
    body.append(Text())
    clock = Table.grid(padding=(0, 2))
    clock.add_row(_countdown(timer, routine),
                  ProgressBar(total=item.seconds or 1, completed=timer.elapsed(), width=40))
    body.append(clock)
    if timer.paused:
        body.append(Text("PAUSED · Space to resume", style="bold reverse"))
    after = next((i for i in timer.items[timer.index:] if i.number > item.number), None)
    nxt = f"Next: {after.label()}" if after else "Next: done, this is the last stretch"
    skip = "n start it now" if item.get_ready else "n skip to the next"
    keys = Text(f"Space pause/resume · {skip} · q quit", style="dim")
    # Text, not str: Panel reads a str title as markup, and this one is the routine's.
    panel = Panel(Group(*body), title=Text(title), border_style=style, title_align="left")
    return Group(top, panel, Text(nxt), keys)


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
) -> Outcome:
    """Lead through the routine on a live screen; record the session in history."""
    items = plan(routine)
    total = exercise_count(items)
    timer = Timer(items, clock)
    walk_id = (history.start_walk(routine.name, reminder, wallclock(), total, pid=os.getpid())
               if history else None)
    reached = 0
    try:
        with _stop_on_hangup(), console.screen(hide_cursor=True) as scr:
            scr.update(intro(routine, items))
            while True:
                key = keys.read(3600)
                if key in ("\r", "\n"):
                    break
                if key in ("q", "Q", "\x1b"):
                    raise KeyboardInterrupt
            timer.start()
            console.bell()
            while not timer.done:
                if timer.update():
                    console.bell()
                if timer.done:
                    break
                if timer.current.number != reached:  # the step on screen, get-ready included
                    reached = timer.current.number
                    if history and walk_id:
                        history.progress_walk(walk_id, reached)
                scr.update(screen(routine, timer))
                wait = REDRAW if timer.paused else min(REDRAW, timer.remaining())
                key = keys.read(wait)
                if key == " ":
                    timer.toggle_pause()
                elif key in ("n", "N"):
                    timer.skip()
                    console.bell()
                elif key in ("q", "Q", "\x1b"):
                    raise KeyboardInterrupt
    except (KeyboardInterrupt, Interrupted, EOFError) as stop:
        if history and walk_id:
            history.finish_walk(walk_id, wallclock(), step=reached,
                                outcome="interrupted" if isinstance(stop, Interrupted) else "quit")
        elapsed = (clock() - timer.started_at) if timer.started_at is not None else 0.0
        return Outcome(False, reached, total, elapsed)
    if history and walk_id:
        history.finish_walk(walk_id, wallclock(), outcome="completed", step=total)
    assert timer.started_at is not None
    return Outcome(True, total, total, clock() - timer.started_at)


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
