"""The daemon with a fake notifier, terminal, alarm clock and clocks: what shows, when, and
what is recorded. The alarms ring when a test moves the clock to them, as a real one would."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from harness.world import BERLIN, CONFIG, NEW_YORK, T0, World, run
from stretchd.desktop.notify import Action
from stretchd.schedule import next_occurrence
from stretchd.store.history import Status

pytestmark = pytest.mark.clock  # fixed dates: CI runs these again with the clock moved

@pytest.fixture
def world(tmp_path: Path) -> Any:
    w = World(tmp_path, CONFIG, T0 - timedelta(minutes=1))
    yield w
    w.store.close()


def test_each_reminder_has_an_alarm_at_the_next_occurrence_schedule_gives(world: World) -> None:
    assert world.alarms.at("reminder:morning") == T0
    assert world.alarms.at("reminder:lunch") == T0.replace(hour=12, minute=0)


def test_a_due_reminder_shows_start_snooze_skip_with_routine_and_length(world: World) -> None:
    run(world.ring("reminder:morning"))
    ((notice, _, at),) = world.notifier.shown
    assert at == T0
    assert notice.title == "Time to stretch"
    assert notice.body == "Morning stretch: Hips and lower back, 4 min 2 s"
    assert [label for _, label in notice.buttons] == ["Start", "Snooze 10 min", "Skip"]
    assert world.kinds() == [("morning", "shown")]


def test_after_it_rings_the_alarm_is_set_for_the_next_day(world: World) -> None:
    run(world.ring("reminder:morning"))
    assert world.alarms.at("reminder:morning") == T0 + timedelta(days=1)


def test_start_opens_the_walkthrough_for_that_reminder(world: World) -> None:
    async def go() -> None:
        await world.ring("reminder:morning")
        await world.press(Action.START)

    run(go())
    (argv,) = world.terminal.launched
    assert argv[-4:] == ["walk", "hips-lower-back", "--reminder", "morning"]
    assert world.kinds()[-1] == ("morning", "started")
    assert world.notifier.closed == ["n1"]
    assert world.terminal.tokens == [None]


def test_start_hands_the_servers_activation_token_to_the_terminal(world: World) -> None:
    async def go() -> None:
        await world.ring("reminder:morning")
        world.notifier.tokens["n1"] = "wayland-token-1"
        await world.press(Action.START)

    run(go())
    assert world.terminal.tokens == ["wayland-token-1"]


def test_start_with_no_terminal_is_recorded_so_and_the_reminder_shows_again_saying_why(
        world: World) -> None:
    world.terminal.fails = "no terminal found; set defaults.terminal in config.toml, or $TERMINAL"

    async def go() -> None:
        await world.ring("reminder:morning")
        await world.press(Action.START)

    run(go())
    assert world.kinds() == [("morning", "shown"), ("morning", "start failed"), ("morning", "shown")]
    assert world.store.occurrence("morning", "2026-11-24").status == Status.SHOWING  # type: ignore[union-attr]
    first, again = world.notifier.shown  # one notification again, not a second kind of notice
    assert again[0].body == (
        f"{first[0].body}\nStart did not work: no terminal found; set defaults.terminal in "
        "config.toml, or $TERMINAL. Or run: stretchd walk hips-lower-back")
    assert [label for _, label in again[0].buttons] == ["Start", "Snooze 10 min", "Skip"]
    assert world.notifier.closed == ["n1"]
    world.terminal.fails = None
    run(world.press(Action.START))  # once a terminal is there, Start works from the same notice
    assert world.kinds()[-1] == ("morning", "started") and len(world.terminal.launched) == 1


def test_a_click_on_the_body_means_start(world: World) -> None:
    async def go() -> None:
        await world.ring("reminder:morning")
        await world.press(Action.CLICKED)

    run(go())
    assert len(world.terminal.launched) == 1
    assert world.last_event()[3:] == ("started", "body clicked")


def test_snooze_comes_back_after_the_snooze_and_the_last_offers_start_and_skip_only(world: World) -> None:
    async def go() -> None:
        await world.ring("reminder:morning")
        for _ in range(2):
            await world.press(Action.SNOOZE)
            await world.ring("snooze:morning:2026-11-24")

    run(go())
    labels = [[label for _, label in n.buttons] for n, _, _ in world.notifier.shown]
    assert labels == [["Start", "Snooze 10 min", "Skip"], ["Start", "Snooze 10 min", "Skip"],
                      ["Start", "Skip"]]
    assert [at for _, _, at in world.notifier.shown] == [T0, T0 + timedelta(minutes=10),
                                                         T0 + timedelta(minutes=20)]
    assert [k for _, k in world.kinds()] == ["shown", "snoozed", "shown", "snoozed", "shown"]
    assert world.notifier.closed == ["n1", "n2"]


def test_a_snooze_sets_an_alarm_at_the_snooze_time(world: World) -> None:
    async def go() -> None:
        await world.ring("reminder:morning")
        world.clock.advance(T0 + timedelta(seconds=20))
        await world.press(Action.SNOOZE)

    run(go())
    assert world.alarms.at("snooze:morning:2026-11-24") == T0 + timedelta(minutes=10, seconds=20)


def test_skip_closes_and_records(world: World) -> None:
    async def go() -> None:
        await world.ring("reminder:morning")
        await world.press(Action.SKIP)

    run(go())
    assert world.notifier.closed == ["n1"] and world.terminal.launched == []
    assert world.kinds()[-1] == ("morning", "skipped")


def test_closing_without_a_button_is_recorded_as_dismissed(world: World) -> None:
    async def go() -> None:
        await world.ring("reminder:morning")
        await world.press(Action.DISMISSED)

    run(go())
    assert world.kinds()[-1] == ("morning", "dismissed")


def test_a_new_reminder_supersedes_the_one_still_showing(world: World) -> None:
    async def go() -> None:
        await world.ring("reminder:morning")
        await world.ring("reminder:lunch")

    run(go())
    assert world.notifier.closed == ["n1"]
    assert world.kinds() == [("morning", "shown"), ("morning", "superseded"), ("lunch", "shown")]


def test_a_skip_in_advance_means_it_does_not_show(world: World) -> None:
    from stretchd.store.state import skip_next

    skip_next(world.d.ctx, T0 - timedelta(hours=1), "morning")
    run(world.ring("reminder:morning"))
    assert world.notifier.shown == []


def test_while_paused_a_reminder_is_recorded_skipped_not_shown(world: World) -> None:
    world.store.set_state("paused_until", (T0 + timedelta(hours=1)).isoformat())
    run(world.ring("reminder:morning"))
    assert world.notifier.shown == []
    assert world.last_event()[1:] == ("morning", "2026-11-24", "skipped", "paused")


def test_after_a_gap_the_latest_within_grace_shows_late_and_older_are_missed(world: World) -> None:
    world.clock.advance(T0.replace(hour=12, minute=10))

    async def go() -> None:
        world.d.check_clock(since=T0 - timedelta(hours=1))
        await world.d.settle()

    run(go())
    assert world.kinds() == [("morning", "missed"), ("lunch", "late")]
    assert world.shown_bodies() == ["Lunch stretch: Shotgun (SI joints), 40 s · you need a belt — it was due at 12:00"]


def test_an_invalid_reload_keeps_the_old_schedule(world: World) -> None:
    from stretchd.errors import ConfigError

    world.config_path.write_text('[reminders.morning]\ntime = "7:3"\n')
    with pytest.raises(ConfigError):
        world.d.reload()
    assert [r.name for r in world.d.config.reminders] == ["morning", "lunch"]
    assert set(world.alarms.set_at) == {"reminder:morning", "reminder:lunch",
                                        "look:reminder:morning", "look:reminder:lunch"}


def test_a_config_replaced_by_an_editors_rename_write_is_reloaded_and_rearmed(world: World) -> None:
    import os

    new = world.config_path.with_name("config.toml.tmp")
    new.write_text('[reminders.evening]\ntime = "21:00"\n')
    os.replace(new, world.config_path)
    world.d.reload_if_changed()
    assert [r.name for r in world.d.config.reminders] == ["evening"]
    assert list(world.alarms.set_at) == ["reminder:evening", "look:reminder:evening"]
    assert world.alarms.at("reminder:evening") == T0.replace(hour=21, minute=0)


def test_a_deleted_config_keeps_the_last_good_one(world: World) -> None:
    world.config_path.unlink()
    world.d.reload_if_changed()
    assert [r.name for r in world.d.config.reminders] == ["morning", "lunch"]


def test_an_unchanged_config_is_not_read_again(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(world.d, "reload", lambda: calls.append(1))
    world.d.reload_if_changed()
    assert calls == []


def test_when_the_clock_goes_back_the_replayed_span_fires_nothing(world: World) -> None:
    async def go() -> None:
        await world.ring("reminder:morning")
        await world.press(Action.SKIP)
        world.clock.now = T0 - timedelta(days=1, minutes=1)  # back a day; monotonic runs on
        await world.d.tick()
        await world.live_until(T0 - timedelta(days=1) + timedelta(minutes=5))

    run(go())
    assert len(world.notifier.shown) == 1
    replayed = [(r[1], r[2]) for r in world.store.event_rows() if r[4] == "the clock went back"]
    assert ("morning", "2026-11-23") in replayed


def test_a_store_that_refuses_writes_does_not_stop_reminders_and_nothing_is_lost(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from stretchd.errors import StretchdError
    from stretchd.journal import log
    from stretchd.store.buffered import BufferedStore

    w = World(tmp_path, CONFIG, T0 - timedelta(minutes=1))
    w.d.store = BufferedStore(w.store, log)
    real = w.store.record
    failing = [True]

    def record(*args: Any, **kwargs: Any) -> None:
        if failing[0]:
            raise StretchdError("h.sqlite3: cannot write the history: database or disk is full")
        real(*args, **kwargs)

    monkeypatch.setattr(w.store, "record", record)

    async def go() -> None:
        await w.ring("reminder:morning")
        await w.press(Action.SKIP)
        failing[0] = False
        await w.live_until(T0 + timedelta(minutes=2))

    run(go())
    assert len(w.notifier.shown) == 1
    assert w.kinds() == [("morning", "shown"), ("morning", "skipped")]
    err = capsys.readouterr().err
    assert err.count("database or disk is full") == 1 and "nothing was lost" in err


def test_a_time_zone_change_rearms_the_reminders_in_the_new_zone(world: World) -> None:
    world.d.zone = lambda: NEW_YORK
    run(world.d.tick())
    assert world.d.tz is NEW_YORK
    assert world.alarms.at("reminder:morning") == datetime(2026, 11, 24, 7, 30, tzinfo=NEW_YORK)


def test_a_notification_lost_with_its_server_is_shown_again(world: World) -> None:
    async def go() -> None:
        await world.ring("reminder:morning")
        await world.d.check_showing()  # still there: nothing happens
        world.notifier.gone.add("n1")  # the server died, taking it along
        await world.d.check_showing()

    run(go())
    assert len(world.notifier.shown) == 2
    assert world.last_event()[3:] == ("shown", "again: the notification server went away")


def test_a_failing_task_is_logged_not_lost(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    async def boom() -> None:
        raise RuntimeError("kaboom")

    async def go() -> None:
        world.d.spawn(boom(), "the test task")
        await world.d.settle()

    run(go())
    assert "the test task failed: RuntimeError: kaboom" in capsys.readouterr().err


# One source of truth: on DST nights the reminder shows once, at the time schedule.py gives.

DST_NIGHTS = [
    pytest.param(BERLIN, datetime(2026, 3, 29), id="Berlin spring forward"),
    pytest.param(BERLIN, datetime(2026, 10, 25), id="Berlin fall back"),
    pytest.param(NEW_YORK, datetime(2026, 3, 8), id="New York spring forward"),
    pytest.param(NEW_YORK, datetime(2026, 11, 1), id="New York fall back"),
]


@pytest.mark.parametrize("grace", [0, 30])
@pytest.mark.parametrize(("tz", "night"), DST_NIGHTS)
def test_on_a_dst_night_a_0230_reminder_shows_once_at_the_time_schedule_gives(
        tmp_path: Path, tz: ZoneInfo, night: datetime, grace: int) -> None:
    start = night.replace(tzinfo=tz)  # local midnight
    w = World(tmp_path, f'[defaults]\ngrace_minutes = {grace}\n'
                        '[reminders.night]\ntime = "02:30"\nroutine = "shotgun"\n', start)
    expected = next_occurrence(w.d.config.reminders[0], start, tz)
    assert expected is not None
    run(w.live_until(start + timedelta(hours=6)))
    assert [at for _, _, at in w.notifier.shown] == [expected]
    assert w.kinds() == [("night", "shown")]
    w.store.close()


def test_an_alarm_late_by_seconds_still_rings_with_grace_0_but_not_one_late_by_a_suspend(
        tmp_path: Path) -> None:
    w = World(tmp_path, '[defaults]\ngrace_minutes = 0\n[reminders.night]\ntime = "02:30"\n', T0)
    assert w.alarms.graces["reminder:night"] == timedelta(minutes=1)
    w.store.close()
    w = World(tmp_path, '[defaults]\ngrace_minutes = 45\n[reminders.night]\ntime = "02:30"\n', T0)
    assert w.alarms.graces["reminder:night"] == timedelta(minutes=45)
    w.store.close()


def test_a_spring_forward_time_shows_at_the_first_valid_minute_after_it(tmp_path: Path) -> None:
    start = datetime(2026, 3, 29, tzinfo=BERLIN)
    w = World(tmp_path, '[defaults]\ngrace_minutes = 0\n[reminders.night]\ntime = "02:30"\n', start)
    run(w.live_until(start + timedelta(hours=6)))
    ((_, _, at),) = w.notifier.shown
    assert (at.astimezone(BERLIN).hour, at.astimezone(BERLIN).minute) == (3, 0)
    assert w.store.occurrence("night", "2026-03-29").status == Status.SHOWING  # type: ignore[union-attr]
    w.store.close()


def test_a_suspend_past_the_time_is_caught_up_by_the_minute_check(world: World) -> None:
    """The alarm would ring late after a suspend and is dropped; the clock watch shows it late."""
    async def go() -> None:
        world.alarms.set_at.pop("reminder:morning")  # APScheduler drops a misfired alarm
        world.clock.now = T0 + timedelta(minutes=20)  # wall clock jumps, monotonic does not
        await world.d.tick()
        await world.d.settle()

    run(go())
    assert world.kinds() == [("morning", "late")]
    assert world.alarms.at("reminder:morning") == T0 + timedelta(days=1)


def test_unskip_of_the_one_skipped_while_it_showed_shows_it_again_now(world: World) -> None:
    async def go() -> dict[str, Any]:
        await world.ring("reminder:morning")
        await world.press(Action.SKIP)
        world.clock.advance(T0 + timedelta(minutes=3))
        reply = await world.d.handle({"cmd": "unskip"})
        await world.d.settle()
        return reply

    assert run(go()) == {"message": "unskipped morning (due at 07:30): it shows now"}
    assert world.kinds() == [("morning", "shown"), ("morning", "skipped"), ("morning", "unskipped"),
                             ("morning", "late")]
    assert world.shown_bodies()[-1].endswith("it was due at 07:30")


@pytest.mark.parametrize("answer", [Action.DISMISSED, None])
def test_moved_later_the_same_day_after_it_went_unanswered_it_shows_at_the_new_time(
        world: World, answer: Action | None) -> None:
    from stretchd.store.state import status

    async def go() -> None:
        await world.ring("reminder:morning")
        if answer is not None:
            await world.press(answer)
        world.config_path.write_text(CONFIG.replace('"07:30"', '"14:00"'))
        world.d.reload()
        assert status(world.d.ctx, world.clock.now)["next"][1]["note"] == ""  # not "(skipped)"
        await world.ring("reminder:morning")

    run(go())
    assert [at for _, _, at in world.notifier.shown] == [T0, T0.replace(hour=14, minute=0)]


def test_moved_later_the_same_day_after_it_was_started_it_does_not_show_again(world: World) -> None:
    from stretchd.store.state import after_move, status

    async def go() -> None:
        await world.ring("reminder:morning")
        await world.press(Action.START)
        world.config_path.write_text(CONFIG.replace('"07:30"', '"14:00"'))
        world.d.reload()

    run(go())
    assert world.alarms.at("reminder:morning") == T0.replace(hour=14, minute=0)
    run(world.ring("reminder:morning"))
    assert len(world.notifier.shown) == 1
    notes = {n["reminder"]: n["note"] for n in status(world.d.ctx, T0 + timedelta(hours=1))["next"]}
    assert notes["morning"] == "started already today"
    assert after_move(world.d.ctx, T0 + timedelta(hours=1), "morning") == (
        "today's was started already; next tomorrow at 14:00")


def test_a_config_broken_by_hand_is_said_once_shown_in_status_and_its_notice_goes_when_fixed(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    async def go() -> tuple[dict[str, Any], dict[str, Any]]:
        world.config_path.write_text('[reminders.morning]\ntime = "7:3"\n')
        await world.d.tick()
        await world.d.settle()
        await world.d.tick()  # the same broken file: not read, nor said, again
        broken = await world.d.handle({"cmd": "status"})
        world.config_path.write_text(CONFIG)
        await world.d.tick()
        await world.d.settle()
        return broken, await world.d.handle({"cmd": "status"})

    broken, fixed = run(go())
    assert broken["config_error"].endswith('reminders.morning.time: "7:3" is not a time; use HH:MM '
                                           '(24-hour), e.g. "07:30" (line 2)')
    assert [r["reminder"] for r in broken["next"]] == ["morning", "lunch"]  # the previous schedule
    assert fixed["config_error"] is None
    ((notice, _, _),) = world.notifier.shown
    assert notice.title == "stretchd: config not loaded"
    assert world.notifier.closed == ["n1"]
    assert capsys.readouterr().err.count("config not reloaded") == 1


def test_the_weekly_summary_counts_the_week_and_opens_stats_in_a_terminal(tmp_path: Path) -> None:
    world = World(tmp_path, '[stats]\nweekly_summary = "sun 18:00"\n' + CONFIG, T0 - timedelta(minutes=1))
    sunday = world.alarms.at("weekly")
    assert (sunday.weekday(), sunday.hour, sunday.minute) == (6, 18, 0) and sunday > world.clock.now
    for back in (0, 1, 2, 8):  # this week: Sunday, Saturday, Friday; and a day last week
        at = sunday - timedelta(days=back, hours=2)
        walk = world.store.start_walk("shotgun", None, at, 3)
        world.store.finish_walk(walk, at + timedelta(minutes=4), outcome="completed", step=3)
    asyncio.run(world.ring("weekly"))
    notice, _, _ = world.notifier.shown[-1]
    assert notice.title == "stretchd: your week"
    assert notice.body == "3 walkthroughs completed in the last 7 days, on 3 days. Streak: 3 days (longest 3)."
    assert [label for _, label in notice.buttons] == ["Open stats"]
    assert world.alarms.at("weekly") == sunday + timedelta(days=7)
    asyncio.run(world.press(Action.START))
    assert world.terminal.launched[-1][-2:] == ["stats", "--wait"]
    assert world.kinds() == []  # not a reminder: nothing in the reminders' history
    world.store.close()


def test_no_weekly_summary_unless_asked_for(world: World) -> None:
    assert "weekly" not in world.alarms.set_at


def restart(tmp_path: Path, now: datetime) -> World:
    """A daemon started on the store another left, and what its start does done."""
    w = World(tmp_path, CONFIG, now)

    async def start() -> None:
        w.d.catch_up_since_last_run()
        await w.d.settle()

    run(start())
    return w


def test_a_notification_left_by_a_killed_daemon_is_closed_at_the_next_start_and_shown_anew(
        tmp_path: Path) -> None:
    first = World(tmp_path, CONFIG, T0 - timedelta(minutes=1))
    run(first.ring("reminder:morning"))
    assert first.d.showing is not None
    left = first.d.showing.handle
    first.store.close()  # killed: no stop, nothing closed

    again = restart(tmp_path, T0 + timedelta(minutes=5))
    assert again.notifier.closed_tickets == [f"server {left}"]  # the dead one, by its server's id
    assert len(again.notifier.shown) == 1 and again.kinds()[-1] == ("morning", "shown")
    run(again.d.close_showing())  # a clean stop: nothing is left for the next start to close
    again.store.close()

    third = restart(tmp_path, T0 + timedelta(minutes=6))
    assert third.notifier.closed_tickets == []


def test_an_answered_notification_leaves_nothing_to_close(tmp_path: Path) -> None:
    first = World(tmp_path, CONFIG, T0 - timedelta(minutes=1))

    async def go() -> None:
        await first.ring("reminder:morning")
        await first.press(Action.SKIP)

    run(go())
    first.store.close()
    again = restart(tmp_path, T0 + timedelta(minutes=5))
    assert again.notifier.closed_tickets == [] and again.notifier.shown == []
