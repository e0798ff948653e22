"""What the walkthrough shows: its screens built from the routine and the timer, no keys, no clock
of its own; and the whole routine as plain lines for a pipe."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.color import Color
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.style import Style
from rich.text import Text

from stretchd.i18n import _, ngettext
from stretchd.routines import Routine, safety_notice
from stretchd.routines.plan import (
    Item,
    Timer,
    announcement,
    breath_phase,
    exercise_count,
    format_clock,
    format_duration,
    lead,
    plan,
    planned_seconds,
    sentences,
)
from stretchd.walkthrough import bigtext
from stretchd.walkthrough.pictures import Cell, Figure
from stretchd.walkthrough.screen import PICTURE, Line, View, fit, text_lines

# The key hints name keys: keep "Enter", "Space", "Spc", "n" and
# "q" as they are (the keys do not change); each hint is a longer and shorter form.


def end_keys_all() -> tuple[str, ...]:
    return (_("Any key closes this screen"), _("Any key closes"))


def intro_keys() -> tuple[str, ...]:
    return (_("Press Enter to begin · q to quit"), _("Enter begin · q quit"))


def countdown(seconds: float) -> str:
    """Seconds left as the big countdown shows them: "10", "1:30"; 9.3 s reads 10."""
    whole = math.ceil(max(0.0, seconds) - 1e-9)
    return format_clock(whole) if whole >= 60 else str(whole)


# The block words, read from across the room: in full, and shortened where the full one
# would halve their size. Translated when asked for (the language is chosen at run time).


def get_ready() -> tuple[str, ...]:
    return (_("GET READY"), _("READY"))


def hold() -> tuple[str, ...]:
    return (_("HOLD"),)


def paused() -> tuple[str, ...]:
    return (_("PAUSED"),)


def _breathe(phase: str) -> tuple[str, ...]:
    if phase == "in":
        return (_("BREATHE IN"), _("IN"))
    return (_("BREATHE OUT"), _("OUT"))


def _side(item: Item) -> tuple[tuple[str, ...], ...]:
    """The side as a block word, if the step has one: (("LEFT",),)."""
    return {"left": ((_("LEFT"),),), "right": ((_("RIGHT"),),)}.get(item.side, ())


def _rep(item: Item) -> str:
    return _("{rep} of {reps}").format(rep=item.rep, reps=item.reps) if item.reps > 1 else ""


class Rooms:
    """The widest countdown and block words of a routine, so the scale holds from step to step."""

    def __init__(self, items: list[Item]) -> None:
        bigs = [countdown(i.seconds) if i.breaths is None or i.get_ready else str(i.breaths)
                for i in items]
        self.big = max(bigs, key=lambda t: bigtext.width(t, 1))
        phases = [get_ready(), hold(), paused()]
        if any(i.breaths is not None for i in items):
            phases += [_breathe("in"), _breathe("out")]
        places = [phases]
        sides = [side for i in items for side in _side(i)]
        if sides:
            places.append(sides)

        def widest(places: list[list[tuple[str, ...]]]) -> tuple[tuple[str, str], ...]:
            """For each place, its widest word in full and shortened."""
            def of(words: list[str]) -> str:
                return max(words, key=lambda t: bigtext.width(t, 1))

            return tuple((of([alts[0] for alts in p]), of([alts[-1] for alts in p])) for p in places)

        self.words = widest(places)
        # The widest words of a hold, and of a breathing hold, paused or not: the picture
        # beside them stays put through a pause.
        self.hold_words = widest([[hold(), paused()], *places[1:]])
        self.breath_words = widest([[_breathe("in"), _breathe("out"), paused()], *places[1:]])


def intro(routine: Routine, items: list[Item], voice_note: str = "") -> list[tuple[str, str]]:
    """The first screen's paragraphs, the most important first."""
    n = exercise_count(items)
    parts = [(f"{routine.title} · {format_duration(planned_seconds(items))} · "
              + ngettext("{n} stretch", "{n} stretches", n).format(n=n), "bold"), ("", "")]
    parts += [(line, "bold") for line in safety_notice()[:1]]
    if routine.needs:
        parts.append((_("You need {things}.").format(things=_(" and ").join(routine.needs)), "bold"))
    if voice_note:
        parts.append((voice_note, ""))
    parts += [(f"- {line}", "") for line in (*safety_notice()[1:], *routine.warnings)]
    if routine.setup:
        parts += [("", ""), (_("Get ready"), "bold")] + [(f"- {line}", "") for line in routine.setup]
    if routine.summary:
        parts += [("", ""), (routine.summary, "")]
    return parts


def now_line(items: list[Item], index: int) -> str:
    """What to do now, the words also said: "Switch sides. Next: Right knee to ...". """
    item = items[index]
    ends = lead(items, index)
    if item.get_ready:
        return sentences(ends, _("Next: {what}").format(what=announcement(item)))
    if index > 0 and items[index - 1].get_ready:
        return announcement(item)
    return sentences(ends, announcement(item))


def view(routine: Routine, timer: Timer, rooms: Rooms) -> View:
    items, index = timer.items, max(timer.index, 0)
    item = timer.current
    phase: tuple[str, ...] = get_ready() if item.get_ready else hold()
    extra: tuple[str, ...] = ()
    if item.breaths is not None and not item.get_ready:
        number, breath = breath_phase(item, timer.elapsed(), routine.breath_seconds)
        big = str(number)
        phase = _breathe(breath)
        extra = ((_("Breathe in. Breath {number} of {count}.") if breath == "in" else
                  _("Breathe out. Breath {number} of {count}.")).format(number=number, count=item.breaths),)
    else:
        big = countdown(timer.remaining())
    after = next((i for i in items[index:] if i.number > item.number), None)
    if timer.paused:
        keys = (_("Space resume · n skip to the next · q quit"), _("Space resume · n skip · q quit"),
                _("Spc resume n skip q quit"))
    elif item.get_ready:
        keys = (_("Space pause/resume · n start it now · q quit"), _("Space pause · n start now · q quit"),
                _("Spc pause n start q quit"))
    else:
        keys = (_("Space pause/resume · n skip to the next · q quit"), _("Space pause · n skip · q quit"),
                _("Spc pause n skip q quit"))
    # While getting ready, what comes next is the stretch on screen: one "Next:" line only.
    following = "" if item.get_ready else (
        _("Next: {what}").format(what=after.label()) if after else _("Next: done, this is the last stretch"))
    return View(
        big=big, words=(paused() if timer.paused else phase, *_side(item)), rep=_rep(item),
        extra=extra, now=now_line(items, index),
        instruction=item.step.instruction, cautions=item.step.cautions, tips=item.step.tips,
        header=_("{routine} · step {number} of {count} · {time} left").format(
            routine=routine.title, number=item.number, count=exercise_count(items),
            time=format_clock(timer.remaining_total())),
        next=following, keys=keys, big_room=rooms.big,
        word_rooms=rooms.words,
        hold_rooms=rooms.breath_words if item.breaths is not None else rooms.hold_words,
    )


def _draw(lines: list[Line], picture: list[Text] | None = None) -> RenderableType:
    # Text, not markup: the lines hold the routine's own words.
    drawn: list[RenderableType] = []
    pictured = iter(picture or ())
    for line in lines:
        if line.style == PICTURE:
            drawn.append(next(pictured, Text("")))
            continue
        text = Text(line.text, style=line.style, no_wrap=True, overflow="crop")
        drawn.append(Beside(text, line.beside, next(pictured, Text(""))) if line.beside else text)
    return Group(*drawn)


@dataclass(frozen=True)
class Beside:
    """A line of the countdown with a row of the picture from column `at` on: drawn as one
    line, or (by the Painter) as two parts, each only when it changes."""

    text: Text
    at: int
    picture: Text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        left = self.text.copy()
        left.truncate(self.at, pad=True)
        line = Text(no_wrap=True, overflow="crop")  # the countdown's bold stays on its part
        line.append_text(left)
        line.append_text(self.picture)
        yield line


@dataclass(frozen=True)
class Placed:
    """Where the picture went: for a terminal's own graphics, drawn there after the text."""

    row: int
    col: int
    cols: int
    rows: int
    source: str | Path
    key: object


def screen(routine: Routine, timer: Timer, width: int, height: int, *,
           rooms: Rooms | None = None, ascii: bool = False,
           figure: Figure | None = None) -> RenderableType:
    return framed(routine, timer, width, height, rooms=rooms, ascii=ascii, figure=figure)[0]


def framed(routine: Routine, timer: Timer, width: int, height: int, *,
           rooms: Rooms | None = None, ascii: bool = False,
           figure: Figure | None = None) -> tuple[RenderableType, Placed | None]:
    """A step's screen, with the picture of the position where there is room for it."""
    return framing(routine, timer, width, height, rooms=rooms, ascii=ascii, figure=figure)[:2]


def framing(routine: Routine, timer: Timer, width: int, height: int, *,
            rooms: Rooms | None = None, ascii: bool = False,
            figure: Figure | None = None) -> tuple[RenderableType, Placed | None, object]:
    """framed(), and what the frame shows as a value: the same twice, nothing needs drawing."""
    v = view(routine, timer, rooms or Rooms(timer.items))
    source, key = (figure.source(timer.items, max(timer.index, 0), timer.elapsed())
                   if figure is not None else (None, None))
    wish = figure.wish(timer.current.get_ready, height) if figure and source is not None else 0
    lines = fit(v, width, height, ascii=ascii, picture=wish, hold=not timer.current.get_ready)
    shown = tuple(lines)
    rows = [i for i, line in enumerate(lines) if line.style == PICTURE or line.beside]
    if figure is None or source is None or not rows:
        return _draw(lines), None, (shown, None)
    at = lines[rows[0]].beside  # the picture's area: from this column to the right edge
    cols, used = figure.area(width - at, len(rows))
    top = rows[0] + (len(rows) - used) // 2
    left = at + (width - at - cols) // 2
    if figure.mode.pixels:
        placed = Placed(top, left, cols, used, source, key)
        return _draw(lines), placed, (shown, key, cols, used)
    cells = figure.rows_of_cells(source, key, cols, used)
    if cells is None:  # a picture that could not be drawn: its rows stay empty
        return _draw(lines), None, (shown, None)
    # Made once per drawing: a hold's frames (five a second) reuse the same rows.
    texts = figure.kept(("texts", key, cols, used, left - at, top - rows[0]), lambda: (
        [Text("")] * (top - rows[0]) + [cells_text(row, left - at) for row in cells]))
    return _draw(lines, texts), None, (shown, key, cols, used)


def cells_text(row: list[Cell], left: int) -> Text:
    """A row of cells as one line of text, neighbours of one colour in one run."""
    text = Text(" " * left, no_wrap=True, overflow="crop")
    for (fg, bg), run in itertools.groupby(row, lambda c: (c.fg, c.bg)):
        style = Style(color=Color.from_rgb(*fg) if fg else None,
                      bgcolor=Color.from_rgb(*bg) if bg else None)
        text.append("".join(c.char for c in run), style)
    return text


def page(paragraphs: list[tuple[str, str]], key_hints: tuple[str, ...], width: int, height: int, *,
         ascii: bool = False, big: tuple[str, ...] = ()) -> RenderableType:
    """A screen of words (the first screen, the end screen), the keys at the bottom."""
    return _draw(text_lines(paragraphs, key_hints, width, height, ascii=ascii, big=big))


def done_page(routine: Routine, elapsed: float,
              streak_now: tuple[str, str] | None) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
    """The end screen's paragraphs and block words: DONE and the streak (from streak(), if the
    walk is kept), then "Done: Hips and lower back, 4 min 2 s. 3 days in a row." in words."""
    done = _("Done: {routine}, {length}.").format(routine=routine.title, length=format_duration(elapsed))
    big: tuple[str, ...] = (_("DONE"),)
    if streak_now is not None:
        words, days = streak_now
        done = sentences(done, words)
        big += (days,) if days else ()
    return [(done, "bold"), ("", ""), (_("Well done. Stretch again at your next reminder."), "")], big


def end_keys(left: float | None) -> tuple[str, ...]:
    """The end screen's keys, and the seconds left if it closes by itself (left not None)."""
    if left is None:
        return end_keys_all()
    n = math.ceil(left)
    return (_("Any key closes · closes by itself in {n} s").format(n=n), _("Any key · {n} s").format(n=n))


def print_plain(routine: Routine, echo: Callable[[str], None],
                picture: Callable[[Path], None] | None = None) -> None:
    """The whole routine as plain lines, for a pipe or a file; with `picture`, each step's
    picture (of each side) drawn after its lines."""
    items = plan(routine)
    n = exercise_count(items)
    echo(f"{routine.title} ({routine.name}): {format_duration(planned_seconds(items))}, "
         + ngettext("{n} stretch", "{n} stretches", n).format(n=n))
    if routine.summary:
        echo(routine.summary)
    echo(_("Safety:"))
    for line in (*safety_notice(), *routine.warnings):
        echo(f"  - {line}")
    if routine.setup:
        echo(_("Get ready:"))
        for line in routine.setup:
            echo(f"  - {line}")
    for step in routine.steps:
        mine = [item for item in items if item.step is step and not item.get_ready]
        first = mine[0]
        timing = (ngettext("{n} deep breath (about {length})", "{n} deep breaths (about {length})",
                           first.breaths).format(n=first.breaths, length=format_duration(first.seconds))
                  if first.breaths is not None else
                  _("hold {length}").format(length=format_duration(first.seconds)))
        head = f"{step.title}: " + (_("{count} deep breaths").format(count=step.breaths)
                                    if step.breaths else timing)
        if step.sides != ("both",):
            head += (_(", left and right side alternately") if set(step.sides) == {"left", "right"}
                     else _(", left side") if step.sides == ("left",) else _(", right side"))
        if step.repetitions.high > 1:
            head += _(", {count} times").format(count=step.repetitions)
        echo("")
        echo(head)
        echo(f"   {step.instruction}")
        for tip in step.tips:
            echo(f"   - {tip}")
        for caution in step.cautions:
            echo(f"   ! {caution}")
        for item in mine:
            echo(f"  {item.number:>2}. {item.label()}: {timing}")
        if picture is not None:
            for side in step.sides:
                image = step.image(side)
                if image is not None:
                    picture(image)
    echo("")
    if routine.references:
        echo(_("Sources:"))
        for ref in routine.references:
            echo(f"  {ref}")


def streak(completed: dict[date, int], today: date, goal: int) -> tuple[str, str]:
    """The streak in words, and in block letters where today counts: ("3 days in a row.",
    "3 DAYS"); ("A streak starts today.", "DAY 1")."""
    from stretchd.store.stats import streaks

    current, _longest, today_counts = streaks(completed, today, goal)
    if not today_counts:
        more, done = goal - completed.get(today, 0), completed.get(today, 0)
        if current:
            return ngettext("{done} of {goal} today: {more} more keeps your {n}-day streak.",
                            "{done} of {goal} today: {more} more keeps your {n}-day streak.",
                            current).format(done=done, goal=goal, more=more, n=current), ""
        return _("{done} of {goal} today: {more} more starts a streak.").format(
            done=done, goal=goal, more=more), ""
    if current <= 1:
        return _("A streak starts today."), _("DAY 1")
    return (ngettext("{n} day in a row.", "{n} days in a row.", current).format(n=current),
            ngettext("{n} DAY", "{n} DAYS", current).format(n=current))
