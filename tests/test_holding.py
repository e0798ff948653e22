"""Holding a due reminder while the person is busy or away: the daemon with fake senses
(harness/world.py's World), and the watch over held reminders on a real event loop."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from harness.world import CONFIG, T0, World, run
from stretchd.config import Hold
from stretchd.desktop.busy import Reading
from stretchd.desktop.notify import Action
from stretchd.store.history import History, Status

pytestmark = pytest.mark.clock  # fixed dates: CI runs these again with the clock moved

KEY = "2026-11-24"


@pytest.fixture
def world(tmp_path: Path) -> Any:
    w = World(tmp_path, CONFIG, T0 - timedelta(minutes=1))
    yield w
    w.store.close()


async def look(world: World, at: datetime) -> None:
    """Time passes to `at`, and the watch looks again (a signal came, or its minute is up)."""
    world.clock.advance(at)
    await world.d.holds.review()
    await world.d.settle()


def test_a_reminder_due_in_a_call_is_held_with_its_reason_and_listed_by_status(world: World) -> None:
    world.senses.busy("meeting", "microphone in use")

    async def go() -> dict[str, Any]:
        await world.ring("reminder:morning")
        world.clock.advance(T0 + timedelta(minutes=3))
        return await world.d.handle({"cmd": "status"})

    status = run(go())
    assert world.notifier.shown == []
    assert world.store.event_rows()[-1][1:] == ("morning", KEY, "held", "microphone in use")
    assert world.store.occurrence("morning", KEY).status == Status.HELD
    (held,) = status["held"]
    assert (held["reminder"], held["reason"], held["minutes"]) == ("morning", "microphone in use", 3)
    assert datetime.fromisoformat(held["since"]) == T0
    assert datetime.fromisoformat(held["until"]) == T0 + timedelta(minutes=90)


def test_when_the_call_ends_it_shows_saying_why_it_comes_late(world: World) -> None:
    world.senses.busy("meeting", "microphone in use")

    async def go() -> None:
        await world.ring("reminder:morning")
        await look(world, T0 + timedelta(minutes=5))  # still in the call
        world.senses.done()
        await look(world, T0 + timedelta(minutes=12))

    run(go())
    ((notice, _, at),) = world.notifier.shown
    assert at == T0 + timedelta(minutes=12)
    assert notice.body.endswith(" — due at 07:30, shown after your call")
    assert [label for _, label in notice.buttons] == ["Start", "Snooze 10 min", "Skip"]
    assert world.store.event_rows()[-1][1:] == ("morning", KEY, "shown",
                                                "after 12 min held: microphone in use")
    assert world.d.holds.held == {}


def test_the_latest_reason_is_the_one_given(world: World) -> None:
    world.senses.busy("meeting", "microphone in use")

    async def go() -> None:
        await world.ring("reminder:morning")
        world.senses.busy("locked", "screen locked")
        await look(world, T0 + timedelta(minutes=40))
        world.senses.done()
        await look(world, T0 + timedelta(minutes=41))

    run(go())
    assert world.notifier.shown[0][0].body.endswith("shown now the screen is unlocked")


def test_held_longer_than_the_limit_it_is_recorded_missed_with_its_reason(world: World) -> None:
    world.senses.busy("away", "away from the desk")

    async def go() -> None:
        await world.ring("reminder:morning")
        await look(world, T0 + timedelta(minutes=89, seconds=59))
        await look(world, T0 + timedelta(minutes=90))
        world.senses.done()
        await look(world, T0 + timedelta(minutes=91))

    run(go())
    assert world.notifier.shown == []
    assert world.store.event_rows()[-1][1:] == ("morning", KEY, "missed", "held 90 min: away from the desk")
    assert world.store.occurrence("morning", KEY).status == Status.MISSED


def test_the_watch_wakes_at_the_limit_when_it_comes_before_the_next_minute(world: World) -> None:
    from stretchd.daemon import holding

    world.senses.busy()

    async def go() -> None:
        await world.ring("reminder:morning")
        world.clock.advance(T0 + timedelta(minutes=89, seconds=30))
        assert 30 <= world.d.holds._timeout() < 31
        world.clock.advance(T0 + timedelta(minutes=10))
        assert world.d.holds._timeout() == holding.CHECK

    run(go())


def test_a_snoozed_reminder_coming_back_is_held_the_same_way(world: World) -> None:
    async def go() -> None:
        await world.ring("reminder:morning")
        await world.press(Action.SNOOZE)
        from stretchd.daemon.arming import LOOK_AHEAD

        back = world.alarms.at(f"snooze:morning:{KEY}")
        assert world.alarms.at(f"look:snooze:morning:{KEY}") == back - LOOK_AHEAD
        world.senses.busy("dnd", "do not disturb")
        await world.ring(f"snooze:morning:{KEY}")
        assert len(world.notifier.shown) == 1
        world.senses.done()
        await look(world, T0 + timedelta(minutes=25))

    run(go())
    notice = world.notifier.shown[-1][0]
    assert notice.body.endswith("shown after do-not-disturb")
    assert [label for _, label in notice.buttons] == ["Start", "Snooze 10 min", "Skip"]
    assert [k for _, k in world.kinds()] == ["shown", "snoozed", "held", "shown"]
    assert world.store.occurrence("morning", KEY).snoozes == 1


def test_the_person_is_read_2_s_ahead_so_that_a_free_one_gets_it_on_the_dot(world: World) -> None:
    from stretchd.daemon.arming import LOOK_AHEAD

    async def go() -> None:
        assert world.alarms.at("look:reminder:morning") == T0 - LOOK_AHEAD
        await world.ring("look:reminder:morning")
        assert world.senses.reads == 1 and world.senses.closed == 1  # nothing held: closed again
        await world.ring("reminder:morning")

    run(go())
    assert world.senses.reads == 1  # not read again at the time
    assert [at for _, _, at in world.notifier.shown] == [T0]


def test_busy_ahead_of_the_time_it_is_read_again_at_the_time(world: World) -> None:
    async def go() -> None:
        world.senses.busy()
        await world.ring("look:reminder:morning")
        world.senses.done()  # hung up in those 2 s
        await world.ring("reminder:morning")

    run(go())
    assert world.senses.reads == 2 and len(world.notifier.shown) == 1


def test_a_reading_ahead_that_is_stale_is_not_trusted(world: World) -> None:
    async def go() -> None:
        await world.ring("look:reminder:morning")
        world.clock.advance(T0 + timedelta(seconds=10))  # a loaded machine, a suspend
        world.senses.busy()
        await world.ring("reminder:morning")

    run(go())
    assert world.notifier.shown == [] and world.kinds() == [("morning", "held")]


def test_a_reminder_with_hold_false_shows_while_the_person_is_busy(tmp_path: Path) -> None:
    w = World(tmp_path, '[reminders.pills]\ntime = "07:30"\nhold = false\n', T0 - timedelta(minutes=1))
    w.senses.busy()
    run(w.ring("reminder:pills"))
    assert len(w.notifier.shown) == 1 and w.senses.reads == 0
    assert "look:reminder:pills" not in w.alarms.set_at
    w.store.close()


def test_with_hold_when_empty_nothing_is_read(tmp_path: Path) -> None:
    w = World(tmp_path, '[hold]\nwhen = []\n' + CONFIG, T0 - timedelta(minutes=1))
    w.senses.busy()
    run(w.ring("reminder:morning"))
    assert len(w.notifier.shown) == 1 and w.senses.reads == 0
    assert not any(key.startswith("look:") for key in w.alarms.set_at)
    w.store.close()


def test_only_the_conditions_in_hold_when_hold(tmp_path: Path) -> None:
    w = World(tmp_path, '[hold]\nwhen = ["dnd"]\n' + CONFIG, T0 - timedelta(minutes=1))
    w.senses.busy("away", "away from the desk")
    run(w.ring("reminder:morning"))
    assert len(w.notifier.shown) == 1
    w.store.close()


def test_skip_and_snooze_from_the_command_line_answer_the_held_reminder(world: World) -> None:
    world.senses.busy()

    async def go() -> tuple[str, str]:
        await world.ring("reminder:morning")
        snoozed = (await world.d.handle({"cmd": "snooze", "minutes": 15}))["message"]
        await world.ring(f"snooze:morning:{KEY}")  # still in the call: held again
        skipped = (await world.d.handle({"cmd": "skip"}))["message"]
        world.senses.done()
        await look(world, T0 + timedelta(minutes=30))
        return snoozed, skipped

    snoozed, skipped = run(go())
    assert snoozed == "snoozed morning until 07:45" and skipped == "skipped morning"
    assert world.notifier.shown == []
    assert world.kinds() == [("morning", k) for k in ("held", "snoozed", "held", "skipped")]
    assert world.store.event_rows()[-1][4] == "while held: microphone in use"
    assert world.d.holds.held == {}


def test_paused_while_held_it_is_recorded_skipped_when_the_call_ends(world: World) -> None:
    world.senses.busy()

    async def go() -> None:
        await world.ring("reminder:morning")
        await world.d.handle({"cmd": "pause", "until": (T0 + timedelta(hours=2)).isoformat()})
        world.senses.done()
        await look(world, T0 + timedelta(minutes=5))

    run(go())
    assert world.notifier.shown == []
    assert world.store.event_rows()[-1][3:] == ("skipped", "paused")


def test_a_suspend_past_the_limit_records_it_missed_on_resume(world: World) -> None:
    world.senses.busy("locked", "screen locked")

    async def go() -> None:
        await world.ring("reminder:morning")
        world.clock.now += timedelta(hours=3)  # the wall clock jumps; the monotonic one stood still
        world.d.resumed()
        await look(world, world.clock.now)

    run(go())
    assert world.notifier.shown == []
    assert world.store.event_rows()[-1][3:] == ("missed", "held 180 min: screen locked")


def restart(tmp_path: Path, now: datetime) -> World:
    w = World(tmp_path, CONFIG, now)
    w.d.catch_up_since_last_run()
    return w


def test_after_a_restart_a_held_reminder_is_held_again_and_shows_when_free(tmp_path: Path) -> None:
    first = World(tmp_path, CONFIG, T0 - timedelta(minutes=1))
    first.senses.busy()
    run(first.ring("reminder:morning"))
    first.store.close()

    async def go() -> World:
        w = restart(tmp_path, T0 + timedelta(minutes=20))
        w.senses.busy()
        await w.d.settle()
        assert w.d.holds.held and w.notifier.shown == []
        w.senses.done()
        await look(w, T0 + timedelta(minutes=30))
        return w

    w = run(go())
    assert w.notifier.shown[0][0].body.endswith("shown after your call")
    assert [k for _, k in w.kinds()] == ["held", "shown"]  # not held twice
    assert w.store.event_rows()[-1][4] == "after 30 min held: microphone in use"
    w.store.close()


def test_after_a_restart_past_the_limit_a_held_reminder_is_missed(tmp_path: Path) -> None:
    first = World(tmp_path, CONFIG, T0 - timedelta(minutes=1))
    first.senses.busy()
    run(first.ring("reminder:morning"))
    first.store.close()
    w = restart(tmp_path, T0 + timedelta(hours=2))
    assert w.store.occurrence("morning", KEY).status == Status.MISSED
    assert w.store.event_rows()[-1][3:] == ("missed", "held 120 min: microphone in use")
    w.store.close()


# The watch, on a real loop ---------------------------------------------------------------

class CountingSenses:
    def __init__(self, readings: list[list[Reading]]) -> None:
        self.readings = readings
        self.closed = 0
        self.timeouts: list[float] = []
        self.signal = asyncio.Event()

    async def read(self, hold: Hold) -> list[Reading]:
        return self.readings.pop(0) if len(self.readings) > 1 else self.readings[0]

    async def changed(self, hold: Hold, timeout: float) -> None:
        self.timeouts.append(timeout)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.signal.wait(), timeout)
        self.signal.clear()

    def poke(self) -> None:
        self.signal.set()

    async def close(self) -> None:
        self.closed += 1


def test_the_watch_shows_at_a_signal_and_closes_the_senses_when_nothing_is_held(tmp_path: Path) -> None:
    from stretchd.daemon.holding import Holds

    busy = [Reading("dnd", True, "dunst", "", "do not disturb")]
    free = [Reading("dnd", False, "dunst")]
    senses = CountingSenses([busy, busy, free])
    shown: list[Any] = []
    store = History(":memory:")
    world = World(tmp_path, CONFIG, T0 - timedelta(minutes=1))
    due = world.d.config.reminder("morning")
    assert due is not None
    from stretchd.schedule import Due

    async def go() -> None:
        tasks: list[asyncio.Task[Any]] = []

        def spawn(coro: Any, what: str) -> asyncio.Task[Any]:
            tasks.append(asyncio.get_running_loop().create_task(coro))
            return tasks[-1]

        async def show(held: Any) -> None:
            shown.append(held)

        holds = Holds(senses, store, now=lambda: T0, hold=Hold, show=show, spawn=spawn,
                      log=lambda level, message: None)
        assert await holds.check(Due(due, T0, KEY), 0)
        await asyncio.sleep(0.05)
        assert shown == [] and senses.closed == 0
        senses.poke()  # a source says something changed: still busy
        await asyncio.sleep(0.05)
        assert shown == []
        senses.poke()  # and now free
        await asyncio.wait_for(tasks[0], 2)

    run(go())
    assert [h.reason for h in shown] == ["do not disturb"]
    assert senses.closed == 1 and senses.timeouts[0] == 60.0
    store.close()
    world.store.close()


def test_a_source_that_fails_does_not_hold_and_does_not_stop_the_reminder(world: World) -> None:
    async def broken(hold: Any) -> list[Reading]:
        raise OSError("the bus went away")

    world.senses.read = broken  # type: ignore[method-assign]
    run(world.ring("reminder:morning"))
    assert len(world.notifier.shown) == 1 and world.kinds() == [("morning", "shown")]
