"""The timing engine keeps to deadlines: the planned length, plus pauses, minus skips."""

from __future__ import annotations

import pytest

from stretchd.routines import Count, Routine, Step
from stretchd.routines.plan import Timer, exercise_count, plan, planned_seconds


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def routine(transition: int = 5) -> Routine:
    return Routine(
        name="t", title="T", transition_seconds=transition, breath_seconds=6,
        steps=(
            Step("Knee", "k", sides=("left", "right"), repetitions=Count(2, 2, 4), hold_seconds=10),
            Step("Pose", "p", sides=("both",), repetitions=Count(1, 1, 1), breaths=Count(3, 3, 3)),
        ),
    )


def test_the_plan_alternates_sides_and_adds_a_get_ready_before_each_exercise() -> None:
    items = plan(routine())
    assert exercise_count(items) == 5
    assert planned_seconds(items) == 4 * 10 + 3 * 6 + 5 * 5
    assert [i.get_ready for i in items[:2]] == [True, False]


def run_to_end(timer: Timer, clock: FakeClock, step: float) -> None:
    while not timer.done:
        clock.now += step
        timer.update()


@pytest.mark.parametrize("step", [0.01, 0.37, 2.9, 17.0])
def test_the_routine_ends_at_its_planned_length_however_late_the_loop_wakes(step: float) -> None:
    clock = FakeClock()
    items = plan(routine())
    timer = Timer(items, clock)
    timer.start()
    run_to_end(timer, clock, step)
    assert timer.finished_at == pytest.approx(1000.0 + planned_seconds(items))


def test_a_pause_extends_the_end_by_the_pause() -> None:
    clock = FakeClock()
    items = plan(routine())
    timer = Timer(items, clock)
    timer.start()
    clock.now += 7.5
    timer.update()
    timer.toggle_pause()
    clock.now += 42.0
    assert timer.update() is False  # nothing moves while paused
    remaining = timer.remaining()
    timer.toggle_pause()
    assert timer.remaining() == pytest.approx(remaining)
    run_to_end(timer, clock, 0.1)
    assert timer.finished_at == pytest.approx(1000.0 + planned_seconds(items) + 42.0)


def test_skip_goes_to_the_next_item_at_once() -> None:
    clock = FakeClock()
    items = plan(routine())
    timer = Timer(items, clock)
    timer.start()
    clock.now += 1.0
    timer.skip()  # past the first get-ready
    assert timer.index == 1 and not timer.current.get_ready
    assert timer.remaining() == pytest.approx(10.0)
    timer.skip()
    assert timer.index == 2 and timer.current.get_ready and timer.current.number == 2
    run_to_end(timer, clock, 0.1)
    assert timer.finished_at == pytest.approx(1000.0 + 1.0 + planned_seconds(items[2:]))


def test_skipping_the_last_item_finishes() -> None:
    clock = FakeClock()
    timer = Timer(plan(routine(transition=0)), clock)
    timer.start()
    for _ in range(5):
        timer.skip()
    assert timer.done and timer.finished_at == clock.now


def test_counts_that_would_cut_into_what_to_do_are_left_out() -> None:
    from stretchd.routines.plan import cues

    quick = Step("Push", "Push.", ("both",), Count(1, 1, 1), hold_seconds=3, say=(("both", "Push."),))
    long = Step("Hold it", "Hold.", ("left", "right"), Count(1, 1, 1), hold_seconds=5,
                say=(("left", "Left knee to your chest, slowly, as far as it comes."),
                     ("right", "Right.")))
    bare = Routine("t", "T", (quick, long), transition_seconds=0)
    items = plan(bare)
    # "Push. Hold for 3 seconds." takes about 1.8 s: "3" (at 0 s) and "2" (at 1 s) would cut it.
    assert [(c.offset, c.phrase) for c in cues(items, 0, 6)] == [
        (0.0, "Push. Hold for 3 seconds."), (2.0, "1")]
    # A long announcement keeps the whole hold; a shorter one (2.9 s) leaves "2" and "1".
    assert [c.phrase for c in cues(items, 1, 6)][1:] == []
    assert [c.phrase for c in cues(items, 2, 6)] == [
        "Switch sides. Right. Hold for 5 seconds.", "2", "1"]
    with_ready = Routine("t", "T", (quick,), transition_seconds=5)
    items = plan(with_ready)
    assert [(c.offset, c.phrase) for c in cues(items, 1, 6)] == [(0.0, "3"), (1.0, "2"), (2.0, "1")]


def test_the_time_in_the_steps_leaves_the_pauses_out() -> None:
    clock = FakeClock()
    items = plan(routine())
    timer = Timer(items, clock)
    assert timer.in_steps() == 0.0  # not started: the first screen is not counted
    timer.start()
    clock.now += 7.5
    timer.toggle_pause()
    clock.now += 42.0
    assert timer.in_steps() == pytest.approx(7.5)  # the pause under way is not counted
    timer.toggle_pause()
    run_to_end(timer, clock, 0.5)
    assert timer.in_steps() == pytest.approx(planned_seconds(items))
