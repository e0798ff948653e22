"""The timing engine keeps to deadlines: the planned length, plus pauses, minus skips."""

from __future__ import annotations

import pytest

from stretchd.routines import Count, Routine, Step
from stretchd.session import Timer, exercise_count, plan, planned_seconds


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
