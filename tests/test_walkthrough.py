"""The walkthrough's screens, keys and history records, on a fake clock and fake keys."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from harness.screens import shows_big
from stretchd.routines import SAFETY_LINE, SAFETY_NOTICE, Routine, load_all
from stretchd.routines.plan import plan, planned_seconds
from stretchd.store.history import History
from stretchd.walkthrough import Keys, Outcome, print_plain
from stretchd.walkthrough import walk as real_walk

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


def console(width: int = 100, height: int = 40) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=width, height=height, force_terminal=False,
                   color_system=None), out


def rows(out: io.StringIO, width: int = 100) -> list[str]:
    """The console's rows, frame after frame (each row is padded to the width; a frame's first
    row follows the last frame's last row on one line)."""
    return [line[i:i + width] for line in out.getvalue().splitlines()
            for i in range(0, max(len(line), 1), width)]


def walk(routine: Routine, *, console: Console, keys: Keys, **kw: object) -> Outcome:
    """The walkthrough with a silent chime, in UTF-8, its end screen closed at once unless
    the test says otherwise."""
    kw.setdefault("end_wait", 0.0)
    kw.setdefault("ascii", False)
    return real_walk(routine, console=console, keys=keys, chime=lambda: None, **kw)  # type: ignore[arg-type]


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
    assert "Next: Push your knees out against the belt (4 of 4)" in text


def test_the_time_stretched_is_the_time_in_the_steps_not_the_first_screen_nor_pauses(
        tmp_path: Path) -> None:
    """`stretchd stats` counts it: 30 s reading the first screen and a minute's pause are not."""
    shotgun = routines()["shotgun"]
    keys = Script([(30.0, "\r"), (40.0, " "), (100.0, " ")])
    with History(tmp_path / "h.sqlite3") as h:
        outcome = walk(shotgun, console=console()[0], keys=keys, history=h, clock=keys.clock,
                       wallclock=lambda: T0)
        ((seconds,),) = h.db.execute("SELECT seconds FROM walks").fetchall()
    assert outcome.completed
    assert seconds == pytest.approx(planned_seconds(plan(shotgun)))


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
    assert last_screen.startswith("2 of 4") and "Next: Push your knees" in last_screen
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
    assert shows_big(rows(out), "PAUSED")  # in block letters, beside the count


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
    assert SAFETY_NOTICE[1].split(":")[0] in text




class Recorder:
    """A voice that notes each phrase with the walkthrough's clock, and where the screen
    output stood when it was said."""

    def __init__(self, clock: Callable[[], float], out: io.StringIO | None = None) -> None:
        self.clock = clock
        self.out = out
        self.said: list[tuple[float, str]] = []
        self.marks: list[int] = []

    def say(self, phrase: str) -> None:
        self.said.append((round(self.clock(), 6), phrase))
        self.marks.append(len(self.out.getvalue()) if self.out else 0)

    def close(self, wait: float = 2.0) -> None:
        pass


def test_cues_are_said_at_their_moments_and_done_at_the_planned_end() -> None:
    shotgun = routines()["shotgun"]  # 4 times: get ready 5 s, push out 5 s
    keys = Script([(0.0, "\r")])
    voice = Recorder(keys.clock)
    outcome = walk(shotgun, console=console()[0], keys=keys, speaker=voice, clock=keys.clock)
    say = "Push your knees out against the belt. Hold for 5 seconds."
    expected = [(0.0, SAFETY_LINE)]
    for rep in range(4):
        at = 10.0 * rep
        expected += [(at, say if rep == 0 else f"Release. {say}"),
                     (at + 7, "3"), (at + 8, "2"), (at + 9, "1")]
    expected.append((40.0, "Done."))
    assert voice.said == expected
    assert outcome.completed and outcome.elapsed == 40.0


def test_sides_switch_and_breaths_are_paced_aloud() -> None:
    hips = routines()["hips-lower-back"]
    keys = Script([(0.0, "\r")])
    voice = Recorder(keys.clock)
    walk(hips, console=console()[0], keys=keys, speaker=voice, clock=keys.clock)
    phrases = [p for _, p in voice.said]
    assert phrases[1] == "Left knee to your chest. Hold for 10 seconds."
    assert (15.0, "Switch sides. Right knee to your chest. Hold for 10 seconds.") in voice.said
    pose = next(i for i, (_, p) in enumerate(voice.said) if p.startswith("Release. Child's pose"))
    assert voice.said[pose][1].endswith("7 deep breaths.")
    breaths = voice.said[pose + 1:-1]
    assert [p for _, p in breaths] == ["Breathe in.", "Breathe out."] * 7
    start = voice.said[pose][0] + hips.transition_seconds
    assert [t for t, _ in breaths] == [start + 3.0 * k for k in range(14)]  # 6 s a breath
    assert voice.said[-1] == (planned_seconds(plan(hips)), "Done.")


def test_what_is_said_is_on_the_screen_as_it_is_said() -> None:
    for name in ("shotgun", "hips-lower-back"):
        keys = Script([(0.0, "\r")])
        con, out = console(40, 10)  # small: the countdown is plain digits
        voice = Recorder(keys.clock, out)
        walk(routines()[name], console=con, keys=keys, speaker=voice, clock=keys.clock)
        text = out.getvalue()
        ends = [*voice.marks[1:], len(text)]
        for (_, phrase), start, end in zip(voice.said, voice.marks, ends, strict=True):
            shown = text[start:end]
            if phrase.isdigit():
                assert phrase in [line.strip() for line in shown.splitlines()], phrase
                continue
            flat = " ".join(shown.split())
            for sentence in phrase.rstrip(".").split(". "):
                assert sentence in flat, (name, phrase, flat[:300])


def test_a_pause_holds_the_cues_and_a_skip_drops_the_skipped_ones() -> None:
    shotgun = routines()["shotgun"]
    keys = Script([(0.0, "\r"), (3.0, " "), (33.0, " "), (40.0, "n")])
    voice = Recorder(keys.clock)
    walk(shotgun, console=console()[0], keys=keys, speaker=voice, clock=keys.clock)
    # Paused from 3 s to 33 s: the first hold runs 35-40 s with its 3, 2, 1 at 37-39 s; the
    # get-ready after it starts at 40 s and n skips it: its own cue is said, not repeated.
    assert voice.said[1:6] == [(0.0, "Push your knees out against the belt. Hold for 5 seconds."),
                               (37.0, "3"), (38.0, "2"), (39.0, "1"),
                               (40.0, "Release. Push your knees out against the belt. Hold for 5 seconds.")]


class LateScript(Script):
    """A machine too busy to wake on time once: the wait ending after `at` returns `late` s late."""

    def __init__(self, presses: Iterable[tuple[float, str]], at: float, late: float) -> None:
        super().__init__(presses)
        self.at, self.late = at, late

    def read(self, timeout: float) -> str | None:
        key = super().read(timeout)
        if self.late and self.now >= self.at:
            self.now += self.late
            self.late = 0.0
        return key


def test_a_cue_come_too_late_is_not_said() -> None:
    keys = LateScript([(0.0, "\r")], at=6.9, late=1.7)  # wakes at 8.6 instead of 6.9-7.0
    voice = Recorder(keys.clock)
    walk(routines()["shotgun"], console=console()[0], keys=keys, speaker=voice, clock=keys.clock)
    first_hold = [p for t, p in voice.said if 5.0 < t < 10.0]
    assert first_hold == ["1"]  # "3" (7 s) and "2" (8 s) were 1.6 s and 0.6 s late


def test_the_end_screen_stays_until_a_key(tmp_path: Path) -> None:
    keys = Script([(0.0, "\r"), (500.0, "x")])
    con, out = console()
    with History(tmp_path / "h.sqlite3") as h:
        outcome = walk(routines()["shotgun"], console=con, keys=keys, history=h,
                       clock=keys.clock, wallclock=lambda: T0, end_wait=None)
        (row,) = h.walks()
    assert outcome.completed and outcome.elapsed == 40.0 and row.describe() == "completed"
    assert keys.now == 500.0
    end = out.getvalue().rsplit("Done:", 1)[1]
    assert end.startswith(" Shotgun (SI joints), 40 s. A streak starts today.")
    assert "Any key closes this screen" in end
    assert shows_big(rows(out), "DONE") and shows_big(rows(out), "DAY 1")  # seen from the floor


def test_from_a_notification_the_end_screen_closes_by_itself_after_60_s() -> None:
    keys = Script([(0.0, "\r")])
    con, out = console()
    outcome = walk(routines()["shotgun"], console=con, keys=keys, clock=keys.clock, end_wait=60.0)
    assert outcome.completed and keys.now == pytest.approx(100.0)
    assert "closes by itself in 60 s" in out.getvalue()


def test_the_end_screen_counts_the_days_in_a_row(tmp_path: Path) -> None:
    from datetime import timedelta

    with History(tmp_path / "h.sqlite3") as h:
        for days_ago in (1, 2, 4):  # yesterday and the day before count; 4 days ago does not
            started = T0 - timedelta(days=days_ago)
            walk_id = h.start_walk("shotgun", None, started, 4)
            h.finish_walk(walk_id, started + timedelta(minutes=1), outcome="completed", step=4)
        keys = Script([(0.0, "\r")])
        con, out = console()
        walk(routines()["shotgun"], console=con, keys=keys, history=h, clock=keys.clock,
             wallclock=lambda: T0)
    assert "Done: Shotgun (SI joints), 40 s. 3 days in a row." in out.getvalue()
    assert shows_big(rows(out), "3 DAYS")


def test_with_a_streak_goal_of_2_the_end_screen_says_what_today_still_needs() -> None:
    from datetime import date, timedelta

    from stretchd.walkthrough import streak

    def streak_line(completed: dict[date, int], today: date, goal: int) -> str:
        return streak(completed, today, goal)[0]

    today = date(2026, 3, 29)
    done = {today - timedelta(days=n): 2 for n in (1, 2, 3)} | {today: 1}
    assert streak_line(done, today, 2) == "1 of 2 today: 1 more keeps your 3-day streak."
    assert streak_line(done, today, 1) == "4 days in a row."
    assert streak_line({today: 1}, today, 2) == "1 of 2 today: 1 more starts a streak."
    assert streak_line({today: 2}, today, 2) == "A streak starts today."
    # In block letters only where today counts: a day not yet won is said in words.
    assert [streak(d, today, g)[1] for d, g in ((done, 2), (done, 1), ({today: 2}, 2))] == [
        "", "4 DAYS", "DAY 1"]


def test_the_screen_never_uses_a_colour() -> None:
    keys = Script([(0.0, "\r"), (300.0, "q")])
    out = io.StringIO()
    con = Console(file=out, width=80, height=24, force_terminal=True, color_system="256")
    walk(routines()["hips-lower-back"], console=con, keys=keys, clock=keys.clock)
    import re

    codes = {c for seq in re.findall(r"\x1b\[([0-9;]*)m", out.getvalue()) for c in seq.split(";")}
    assert codes and codes <= {"", "0", "1", "7", "22", "27"}, codes  # bold, reverse, resets


def test_the_day_count_is_by_local_date_in_any_time_zone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "America/Los_Angeles")  # T0, 07:30 UTC, is the day before here
    time.tzset()
    try:
        test_the_end_screen_counts_the_days_in_a_row(tmp_path)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_key_in_the_first_second_of_the_end_screen_does_not_close_it() -> None:
    keys = Script([(0.0, "\r"), (40.3, "n"), (45.0, "x")])  # a double-tapped n on the last step
    con, _ = console()
    walk(routines()["shotgun"], console=con, keys=keys, clock=keys.clock, end_wait=None)
    assert keys.now == 45.0


def test_an_escape_sequence_is_not_a_quit() -> None:
    import os

    from stretchd.walkthrough import TerminalKeys

    read_end, write_end = os.pipe()
    with os.fdopen(read_end) as stream:
        keys = TerminalKeys(stream)
        os.write(write_end, b"\x1b[A")  # the up arrow; the mouse wheel sends these too
        assert keys.read(1.0) == ""
        os.write(write_end, b"\x1b")
        assert keys.read(1.0) == "\x1b"
    os.close(write_end)


def test_the_start_cue_is_said_late_rather_than_never() -> None:
    keys = LateScript([(0.0, "\r")], at=9.95, late=1.0)  # wakes at 10.95: the 2nd start was at 10
    voice = Recorder(keys.clock)
    walk(routines()["shotgun"], console=console()[0], keys=keys, speaker=voice, clock=keys.clock)
    late = [(t, p) for t, p in voice.said if 10.0 <= t < 12.0]
    assert [p for _, p in late] == ["Release. Push your knees out against the belt. Hold for 5 seconds."]


def test_how_a_walk_ended_decides_what_is_recorded_and_returned() -> None:
    from stretchd.walkthrough import Ending, decide

    def verdict(how: Ending, reached: int = 2, started: float | None = 10.0,
                finished: float | None = None) -> tuple[object, ...]:
        v = decide(how, reached=reached, total=4, started=started, finished=finished, now=25.0,
                   seconds=12.0)
        return v.outcome, v.step, v.returned, v.voice_wait

    assert verdict(Ending.QUIT) == ("quit", 2, Outcome(False, 2, 4, 15.0), 0.0)
    assert verdict(Ending.STDIN_CLOSED) == ("quit", 2, Outcome(False, 2, 4, 15.0), 0.0)
    assert verdict(Ending.INTERRUPTED) == ("interrupted", 2, Outcome(False, 2, 4, 15.0), 0.0)
    assert verdict(Ending.QUIT, reached=0, started=None) == ("quit", 0, Outcome(False, 0, 4, 0.0), 0.0)
    # The last step ran out: complete however the end screen was left; only a stop cuts "Done.".
    assert verdict(Ending.COMPLETED, finished=50.0) == ("completed", 4, Outcome(True, 4, 4, 40.0), 2.0)
    for how in (Ending.QUIT, Ending.STDIN_CLOSED, Ending.INTERRUPTED):
        assert verdict(how, finished=50.0) == ("completed", 4, Outcome(True, 4, 4, 40.0), 0.0)


class Stopping(Script):
    """Keys that stop the walk at a clock time: stdin closes, or a signal arrives."""

    def __init__(self, presses: Iterable[tuple[float, str]], at: float, stop: BaseException) -> None:
        super().__init__(presses)
        self.at, self.stop = at, stop

    def read(self, timeout: float) -> str | None:
        if self.now + timeout >= self.at:
            self.now = max(self.now, self.at)
            raise self.stop
        return super().read(timeout)


class Closing(Recorder):
    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__(clock)
        self.waits: list[float] = []

    def close(self, wait: float = 2.0) -> None:
        self.waits.append(wait)


@pytest.mark.parametrize(("stop", "at", "described", "completed"), [
    (EOFError(), 16.0, "quit at step 2 of 4", False),  # stdin closed in the 2nd hold
    ("SIGHUP", 16.0, "interrupted at step 2 of 4", False),
    ("SIGTERM", 0.5, "interrupted before starting", False),  # on the first screen
    ("SIGHUP", 45.0, "completed", True),  # on the end screen: the walk was done
    (KeyboardInterrupt(), 16.0, "quit at step 2 of 4", False),  # Ctrl-C
])
def test_a_walk_stopped_from_outside_is_recorded_as_how_far_it_got(
        tmp_path: Path, stop: BaseException | str, at: float, described: str, completed: bool) -> None:
    from stretchd.walkthrough import Interrupted

    raised = Interrupted(stop) if isinstance(stop, str) else stop
    keys = Stopping([] if at < 1 else [(0.0, "\r")], at, raised)
    voice = Closing(keys.clock)
    with History(tmp_path / "h.sqlite3") as h:
        outcome = walk(routines()["shotgun"], console=console()[0], keys=keys, history=h,
                       speaker=voice, clock=keys.clock, wallclock=lambda: T0, end_wait=None)
        (row,) = h.walks()
    assert row.describe() == described and outcome.completed is completed
    assert voice.waits == [0]  # stopped: nothing more is said


def test_a_completed_walk_lets_done_be_said() -> None:
    keys = Script([(0.0, "\r")])
    voice = Closing(keys.clock)
    walk(routines()["shotgun"], console=console()[0], keys=keys, speaker=voice, clock=keys.clock)
    assert voice.said[-1] == (40.0, "Done.") and voice.waits == [2.0]
