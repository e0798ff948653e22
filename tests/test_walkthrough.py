"""The walkthrough's screens, keys and history records, on a fake clock and fake keys."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from stretchd.history import History
from stretchd.routines import SAFETY_NOTICE, load_all
from stretchd.session import plan, planned_seconds
from stretchd.walkthrough import print_plain, walk

T0 = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


class Script:
    """Keys pressed at given clock times; reading advances the fake clock like a real wait."""

    def __init__(self, presses: Iterable[tuple[float, str]]) -> None:
        self.now = 0.0
        self.presses = sorted(presses)
        self.waits: list[float] = []
        self.woke: list[float] = []  # the clock after each wait

    def clock(self) -> float:
        return self.now

    def read(self, timeout: float) -> str | None:
        self.waits.append(timeout)
        if self.presses and self.presses[0][0] <= self.now + timeout:
            at, key = self.presses.pop(0)
            self.now = max(self.now, at)
            self.woke.append(self.now)
            return key
        self.now += timeout
        self.woke.append(self.now)
        return None


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=100, force_terminal=False, color_system=None), out


def routines() -> dict:  # type: ignore[type-arg]
    return load_all(None)[0]


def test_a_completed_walk_ends_at_the_planned_length_and_is_recorded(tmp_path: Path) -> None:
    shotgun = routines()["shotgun"]
    keys = Script([(0.0, "\r")])
    con, out = console()
    with History(tmp_path / "h.sqlite3") as h:
        outcome = walk(shotgun, console=con, keys=keys, history=h, reminder="morning",
                       clock=keys.clock, wallclock=lambda: T0)
        (row,) = h.walks()
    assert outcome.completed
    assert outcome.elapsed == pytest.approx(planned_seconds(plan(shotgun)))
    assert row.describe() == "completed" and row.reminder == "morning"
    text = out.getvalue()
    assert SAFETY_NOTICE[1] in " ".join(text.split())
    assert "Push your knees out against the belt (4 of 4)" in text


def test_q_quits_and_the_row_says_how_far_it_got(tmp_path: Path) -> None:
    shotgun = routines()["shotgun"]
    # Enter at 0; one get-ready (5 s) + hold (5 s) + get-ready (5 s) → in the 2nd hold at 16 s.
    keys = Script([(0.0, "\r"), (16.0, "q")])
    with History(tmp_path / "h.sqlite3") as h:
        outcome = walk(shotgun, console=console()[0], keys=keys, history=h,
                       clock=keys.clock, wallclock=lambda: T0)
        (row,) = h.walks()
    assert not outcome.completed and outcome.step == 2
    assert row.describe() == "quit at step 2 of 4"


def test_q_during_get_ready_records_the_step_the_header_shows(tmp_path: Path) -> None:
    shotgun = routines()["shotgun"]
    # Enter at 0; get-ready (5 s) + hold (5 s), then the 2nd get-ready: q at 12 s.
    keys = Script([(0.0, "\r"), (12.0, "q")])
    con, out = console()
    with History(tmp_path / "h.sqlite3") as h:
        outcome = walk(shotgun, console=con, keys=keys, history=h, clock=keys.clock, wallclock=lambda: T0)
        (row,) = h.walks()
    last_screen = out.getvalue().rsplit("step ", 1)[1]
    assert last_screen.startswith("2 of 4") and "Get ready" in out.getvalue().rsplit("step 2 of 4", 1)[1]
    assert outcome.step == 2 and row.describe() == "quit at step 2 of 4"


def test_n_says_what_it_skips() -> None:
    keys = Script([(0.0, "\r"), (2.0, "n"), (3.0, "q")])
    con, out = console()
    walk(routines()["shotgun"], console=con, keys=keys, clock=keys.clock)
    screens = out.getvalue()  # the get-ready screen, then (n at 2 s) the hold
    assert 0 <= screens.find("n start it now") < screens.find("n skip to the next")


def test_quitting_on_the_first_screen_records_no_step(tmp_path: Path) -> None:
    keys = Script([(0.0, "q")])
    with History(tmp_path / "h.sqlite3") as h:
        walk(routines()["shotgun"], console=console()[0], keys=keys, history=h,
             clock=keys.clock, wallclock=lambda: T0)
        (row,) = h.walks()
    assert row.describe() == "quit before starting"


def test_space_pauses_and_the_pause_adds_to_the_length(tmp_path: Path) -> None:
    shotgun = routines()["shotgun"]
    keys = Script([(0.0, "\r"), (3.0, " "), (33.0, " ")])
    con, out = console()
    outcome = walk(shotgun, console=con, keys=keys, clock=keys.clock)
    assert outcome.completed
    assert outcome.elapsed == pytest.approx(planned_seconds(plan(shotgun)) + 30.0)
    assert "PAUSED" in out.getvalue()


def test_n_skips_to_the_next_step() -> None:
    shotgun = routines()["shotgun"]
    keys = Script([(0.0, "\r")] + [(0.5 * k, "n") for k in range(1, 9)])
    outcome = walk(shotgun, console=console()[0], keys=keys, clock=keys.clock)
    assert outcome.completed and outcome.elapsed == pytest.approx(4.0)


def test_the_loop_wakes_at_each_deadline_not_after_it() -> None:
    """Each step's end is a moment the loop wakes at (never a redraw interval past it), and
    between deadlines it redraws at least every 0.2 s."""
    items = plan(routines()["shotgun"])
    keys = Script([(0.0, "\r"), (0.33, "x")])  # a key that does nothing wakes it off the 0.2 s grid
    walk(routines()["shotgun"], console=console()[0], keys=keys, clock=keys.clock)
    deadlines, at = [], 0.0
    for item in items:
        at += item.seconds
        deadlines.append(at)
    assert all(any(abs(w - d) < 1e-9 for w in keys.woke) for d in deadlines), (deadlines, keys.woke)
    assert max(keys.waits[1:]) <= 0.2 + 1e-9


def test_plain_output_has_every_step_with_sides_and_timing() -> None:
    lines: list[str] = []
    print_plain(routines()["hips-lower-back"], lines.append)
    text = "\n".join(lines)
    for expected in ("Knee to chest — left side (1 of 3): hold 10 s",
                     "Knee to chest — right side (3 of 3): hold 10 s",
                     "Both knees to chest (3 of 3): hold 30 s",
                     "Child's pose: 7 deep breaths"):
        assert expected in text
    assert "aren't meant to help heal an injury" in text


def test_every_countdown_on_the_screen_reads_as_a_clock() -> None:
    """The hold, the breaths and the time left: "0:05", "3:50", never "5 s" beside "0:05"."""
    import re

    keys = Script([(0.0, "\r"), (300.0, "q")])
    con, out = console()
    walk(routines()["hips-lower-back"], console=con, keys=keys, clock=keys.clock)
    screens = out.getvalue().split("Press Enter", 1)[1]
    assert re.search(r"\d+:\d\d left", screens) and re.search(r"breathe (in|out)…\s+0:0\d", screens)
    assert not re.search(r"\d+ s left|\d+ min \d+ s left|breathe (in|out)…\s+\d+ s", screens)
