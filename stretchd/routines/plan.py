"""A routine as a timed plan, and the engine that walks it by deadlines on an injected clock."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from stretchd.i18n import _, ngettext
from stretchd.routines import Routine, Step


@dataclass(frozen=True)
class Item:
    """One timed stretch of the plan: a step on one side, one repetition, or its get-ready."""

    step: Step
    side: str
    rep: int
    reps: int
    seconds: float
    number: int  # 1-based position among the exercises (get-ready items share the next one's)
    get_ready: bool = False
    breaths: int | None = None

    def label(self) -> str:
        side = {"left": _(" — left side"), "right": _(" — right side")}.get(self.side, "")
        reps = _(" ({rep} of {reps})").format(rep=self.rep, reps=self.reps) if self.reps > 1 else ""
        return f"{self.step.title}{side}{reps}"


def plan(routine: Routine) -> list[Item]:
    """Expand steps into items: each repetition alternates sides, each exercise has a get-ready."""
    items: list[Item] = []
    number = 0
    for step in routine.steps:
        reps = step.repetitions.default
        for rep in range(1, reps + 1):
            for side in step.sides:
                number += 1
                if step.breaths is not None:
                    n = step.breaths.default
                    seconds, breaths = float(n * routine.breath_seconds), n
                else:
                    seconds, breaths = float(step.hold_seconds or 0), None
                if routine.transition_seconds:
                    items.append(Item(step, side, rep, reps, float(routine.transition_seconds),
                                      number, get_ready=True, breaths=breaths))
                items.append(Item(step, side, rep, reps, seconds, number, breaths=breaths))
    return items


CHARS_PER_SECOND = 14  # about how fast espeak-ng and speech-dispatcher speak, by default


@dataclass(frozen=True)
class Cue:
    """A phrase said at a moment of an item: offset seconds after the item starts."""

    offset: float
    phrase: str


def announcement(item: Item) -> str:
    """What to do, for the ear and the screen: "Left knee to your chest. Hold for 10 seconds."."""
    said = item.step.spoken(item.side)
    if item.breaths is not None:
        timing = ngettext("{n} deep breath.", "{n} deep breaths.", item.breaths).format(n=item.breaths)
    else:
        seconds = item.step.hold_seconds or 0  # a get-ready item's own length is not the hold's
        timing = ngettext("Hold for {n} second.", "Hold for {n} seconds.", seconds).format(n=seconds)
    return sentences(said, timing)


def sentences(*parts: str) -> str:
    """Sentences one after another: a space between them, none after a Chinese or Japanese
    full stop (which has its own room)."""
    out = ""
    for part in (p for p in parts if p):
        out += part if not out or out.endswith(("。", "！", "？")) else " " + part
    return out


def lead(items: list[Item], index: int) -> str:
    """What ends as items[index] starts: "Switch sides." or "Release." after a stretch."""
    if index <= 0 or items[index - 1].get_ready:
        return ""
    before, now = items[index - 1], items[index]
    if before.step is now.step and "both" not in (before.side, now.side) and before.side != now.side:
        return _("Switch sides.")
    return _("Release.")


def breath_phase(item: Item, elapsed: float, breath_seconds: float) -> tuple[int, str]:
    """The breath counted (1-based) and "in" or "out", elapsed seconds into a breathing item."""
    assert item.breaths is not None
    number = min(item.breaths, int(elapsed // breath_seconds) + 1)
    return number, "in" if (elapsed % breath_seconds) < breath_seconds / 2 else "out"


def cues(items: list[Item], index: int, breath_seconds: float) -> list[Cue]:
    """The phrases said during items[index], in time order: at its start what ends and what
    to do (said once, while getting ready when there is a get-ready), then "3", "2", "1"
    before a hold ends, or "Breathe in." and "Breathe out." with each breath."""
    item = items[index]
    exercise = not item.get_ready
    start = [lead(items, index)]
    if item.get_ready or index == 0 or not items[index - 1].get_ready:
        start.append(announcement(item))
    if exercise and item.breaths is not None:
        start.append(_("Breathe in."))
    said = sentences(*start)
    # A count or a breath that would cut into what to do is left out, not the other way.
    busy_until = len(said) / CHARS_PER_SECOND if said else 0.0
    out = [Cue(0.0, said)] if said else []
    later: list[Cue] = []
    if exercise and item.breaths is not None:
        for k in range(item.breaths):
            if k:
                later.append(Cue(k * breath_seconds, _("Breathe in.")))
            later.append(Cue(k * breath_seconds + breath_seconds / 2, _("Breathe out.")))
    elif exercise:
        later = [Cue(item.seconds - n, str(n)) for n in (3, 2, 1) if item.seconds - n >= 0]
    return out + [c for c in later if c.offset >= busy_until and not (said and c.offset == 0)]


def exercise_count(items: list[Item]) -> int:
    return sum(1 for item in items if not item.get_ready)


def planned_seconds(items: list[Item]) -> float:
    return sum(item.seconds for item in items)


def format_duration(seconds: float) -> str:
    seconds = math.ceil(seconds)
    if seconds < 60:
        return _("{s} s").format(s=seconds)
    minutes, rest = divmod(seconds, 60)
    return (_("{m} min {s} s").format(m=minutes, s=rest) if rest else _("{m} min").format(m=minutes))


def format_clock(seconds: float) -> str:
    """A countdown as a clock, "0:40", "3:50": the one format for time left on the screen.
    9.3 s left reads 0:10, and 0:00 only at the end."""
    whole = math.ceil(max(0.0, seconds) - 1e-9)
    return f"{whole // 60}:{whole % 60:02d}"


class Timer:
    """Walks the items by deadline: each deadline is the last one plus the item's length.

    Deadlines chain from the previous deadline, never from when a redraw happened to run, so
    however late the loop wakes, the routine ends at start + planned length + pauses.
    """

    def __init__(self, items: list[Item], clock: Callable[[], float]) -> None:
        if not items:
            raise ValueError("nothing to time")
        self.items = items
        self.clock = clock
        self.index = -1
        self.deadline = 0.0
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.paused_at: float | None = None
        self.paused_for = 0.0  # seconds spent paused, ended pauses

    @property
    def current(self) -> Item:
        return self.items[max(self.index, 0)]

    @property
    def done(self) -> bool:
        return self.finished_at is not None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def start(self) -> None:
        now = self.clock()
        self.started_at = now
        self.index = 0
        self.deadline = now + self.items[0].seconds

    def update(self) -> bool:
        """Move past every deadline that has passed; True if the item changed."""
        if self.done or self.paused or self.index < 0:
            return False
        now = self.clock()
        changed = False
        while now >= self.deadline and not self.done:
            self._advance(self.deadline)
            changed = True
        return changed

    def _advance(self, at: float) -> None:
        self.index += 1
        if self.index >= len(self.items):
            self.index = len(self.items) - 1
            self.finished_at = at
        else:
            self.deadline = at + self.items[self.index].seconds

    def remaining(self) -> float:
        """Seconds left in the current item."""
        if self.index < 0:
            return self.items[0].seconds
        if self.done:
            return 0.0
        now = self.paused_at if self.paused_at is not None else self.clock()
        return max(0.0, self.deadline - now)

    def elapsed(self) -> float:
        """Seconds spent in the current item."""
        return self.current.seconds - self.remaining()

    def in_steps(self) -> float:
        """Seconds spent in the routine's steps so far: from the start to the end (or now, or
        the pause under way), pauses left out. What `stretchd stats` counts as stretched."""
        if self.started_at is None:
            return 0.0
        end = self.finished_at if self.finished_at is not None else (
            self.paused_at if self.paused_at is not None else self.clock())
        return max(0.0, end - self.started_at - self.paused_for)

    def remaining_total(self) -> float:
        return self.remaining() + sum(i.seconds for i in self.items[self.index + 1:])

    def toggle_pause(self) -> None:
        if self.done or self.index < 0:
            return
        now = self.clock()
        if self.paused_at is None:
            self.paused_at = now
        else:
            self.deadline += now - self.paused_at
            self.paused_for += now - self.paused_at
            self.paused_at = None

    def skip(self) -> None:
        """Go to the next item now; if paused, stay paused there."""
        if self.done or self.index < 0:
            return
        now = self.clock()
        if self.paused_at is not None:
            self.paused_at = now
        self._advance(now)
