"""The daemon's decisions with a fake notifier, terminal and clock: what shows, and what is recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from stretchd.history import History
from stretchd.notify import Notice

TZ = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 11, 24, 7, 30, tzinfo=TZ)


class FakeNotifier:
    def __init__(self) -> None:
        self.shown: list[tuple[Notice, Callable[[str], None]]] = []
        self.closed: list[str] = []

    async def show(self, notice: Notice, on_action: Callable[[str], None]) -> str:
        self.shown.append((notice, on_action))
        return f"n{len(self.shown)}"

    async def close(self, handle: str) -> None:
        self.closed.append(handle)


class FakeTerminal:
    def __init__(self) -> None:
        self.launched: list[list[str]] = []

    def launch(self, argv: list[str]) -> None:
        self.launched.append(list(argv))


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(tmp_path: Path) -> Any:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from stretchd.daemon import Daemon

    config = tmp_path / "config.toml"
    config.write_text('[defaults]\nmax_snoozes = 2\n[reminders.morning]\ntime = "07:30"\n'
                      '[reminders.lunch]\ntime = "12:00"\nroutine = "shotgun"\n')
    store = History(tmp_path / "h.sqlite3")
    notifier, terminal, clock = FakeNotifier(), FakeTerminal(), Clock()
    d = Daemon(store=store, notifier=notifier, terminal=lambda c: terminal, tz=TZ,
               config_path=config, now=clock)
    d.load_config()
    d.scheduler = AsyncIOScheduler(timezone=TZ)

    class W:
        pass

    w = W()
    w.d, w.store, w.notifier, w.terminal, w.clock = d, store, notifier, terminal, clock  # type: ignore[attr-defined]
    yield w
    store.close()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def kinds(store: History) -> list[tuple[str, str]]:
    return [(e.reminder, e.kind) for e in store.events()]


def test_a_due_reminder_shows_start_snooze_skip_with_routine_and_length(world: Any) -> None:
    run(world.d.fire("morning"))
    ((notice, _),) = world.notifier.shown
    assert notice.title == "Time to stretch"
    assert notice.body == "Morning: Hips and lower back (4 min 2 s)"
    assert [label for _, label in notice.buttons] == ["Start", "Snooze 10 min", "Skip"]
    assert kinds(world.store) == [("morning", "shown")]


def test_it_fires_once_even_if_the_scheduler_runs_it_twice(world: Any) -> None:
    async def twice() -> None:
        await world.d.fire("morning")
        world.clock.now += timedelta(hours=1)  # a DST fall-back repeat, as APScheduler does
        await world.d.fire("morning")

    run(twice())
    assert len(world.notifier.shown) == 1


def test_start_opens_the_walkthrough_for_that_reminder(world: Any) -> None:
    async def go() -> None:
        await world.d.fire("morning")
        _, on_action = world.notifier.shown[0]
        on_action("start")
        await asyncio.sleep(0)

    run(go())
    (argv,) = world.terminal.launched
    assert argv[-4:] == ["walk", "hips-lower-back", "--reminder", "morning"]
    assert kinds(world.store)[-1] == ("morning", "started")


def test_a_click_on_the_body_means_start(world: Any) -> None:
    async def go() -> None:
        await world.d.fire("morning")
        world.notifier.shown[0][1]("clicked")
        await asyncio.sleep(0)

    run(go())
    assert len(world.terminal.launched) == 1
    assert world.store.events()[-1].detail == "body clicked"


def test_snooze_comes_back_and_after_max_snoozes_offers_start_and_skip_only(world: Any) -> None:
    async def go() -> None:
        await world.d.fire("morning")
        for _ in range(2):
            world.notifier.shown[-1][1]("snooze")
            await asyncio.sleep(0)
            world.clock.now += timedelta(minutes=10)
            await world.d.snooze_due("morning", "2026-11-24")

    run(go())
    labels = [[label for _, label in n.buttons] for n, _ in world.notifier.shown]
    assert labels == [["Start", "Snooze 10 min", "Skip"], ["Start", "Snooze 10 min", "Skip"],
                      ["Start", "Skip"]]
    assert [k for _, k in kinds(world.store)] == ["shown", "snoozed", "shown", "snoozed", "shown"]
    assert world.notifier.closed == ["n1", "n2"]


def test_a_snooze_arms_a_job_at_the_snooze_time(world: Any) -> None:
    async def go() -> None:
        await world.d.fire("morning")
        world.notifier.shown[0][1]("snooze")
        await asyncio.sleep(0)

    run(go())
    job = world.d.scheduler.get_job("snooze:morning:2026-11-24")
    assert job is not None


def test_skip_closes_and_records(world: Any) -> None:
    async def go() -> None:
        await world.d.fire("morning")
        world.notifier.shown[0][1]("skip")
        await asyncio.sleep(0)

    run(go())
    assert world.notifier.closed == ["n1"] and world.terminal.launched == []
    assert kinds(world.store)[-1] == ("morning", "skipped")


def test_closing_without_a_button_is_recorded_as_dismissed(world: Any) -> None:
    async def go() -> None:
        await world.d.fire("morning")
        world.notifier.shown[0][1]("dismissed")
        await asyncio.sleep(0)

    run(go())
    assert kinds(world.store)[-1] == ("morning", "dismissed")


def test_a_new_reminder_supersedes_the_one_still_showing(world: Any) -> None:
    async def go() -> None:
        await world.d.fire("morning")
        world.clock.now = T0.replace(hour=12, minute=0)
        await world.d.fire("lunch")

    run(go())
    assert world.notifier.closed == ["n1"]
    assert kinds(world.store) == [("morning", "shown"), ("morning", "superseded"), ("lunch", "shown")]


def test_a_skip_in_advance_means_it_does_not_show(world: Any) -> None:
    from stretchd.state import skip_next

    skip_next(world.d.ctx, T0 - timedelta(hours=1), "morning")
    run(world.d.fire("morning"))
    assert world.notifier.shown == []


def test_while_paused_a_reminder_is_recorded_not_shown(world: Any) -> None:
    world.store.set_state("paused_until", (T0 + timedelta(hours=1)).isoformat())
    run(world.d.fire("morning"))
    assert world.notifier.shown == []
    assert world.store.events()[-1].kind == "skipped" and world.store.events()[-1].detail == "paused"


def test_after_a_gap_the_latest_within_grace_shows_late_and_older_are_missed(world: Any) -> None:
    world.clock.now = T0.replace(hour=12, minute=10)

    async def go() -> None:
        world.d.check_clock(since=T0 - timedelta(hours=1))
        await asyncio.sleep(0.01)

    run(go())
    assert kinds(world.store) == [("morning", "missed"), ("lunch", "late")]
    assert "it was due at 12:00" in world.notifier.shown[0][0].body


def test_an_invalid_reload_keeps_the_old_schedule(world: Any, tmp_path: Path) -> None:
    from stretchd.errors import ConfigError

    (tmp_path / "config.toml").write_text('[reminders.morning]\ntime = "7:3"\n')
    with pytest.raises(ConfigError):
        world.d.reload()
    assert [r.name for r in world.d.config.reminders] == ["morning", "lunch"]


def test_a_config_replaced_by_an_editors_rename_write_is_reloaded(world: Any, tmp_path: Path) -> None:
    import os

    new = tmp_path / "config.toml.tmp"
    new.write_text('[reminders.evening]\ntime = "21:00"\n')
    os.replace(new, tmp_path / "config.toml")
    world.d.reload_if_changed()
    assert [r.name for r in world.d.config.reminders] == ["evening"]


def test_a_deleted_config_keeps_the_last_good_one(world: Any, tmp_path: Path) -> None:
    (tmp_path / "config.toml").unlink()
    world.d.reload_if_changed()
    assert [r.name for r in world.d.config.reminders] == ["morning", "lunch"]


def test_an_unchanged_config_is_not_read_again(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(world.d, "reload", lambda: calls.append(1))
    world.d.reload_if_changed()
    assert calls == []


def test_when_the_clock_goes_back_the_replayed_span_fires_nothing(world: Any) -> None:
    async def go() -> None:
        world.clock.now = T0 + timedelta(minutes=1)
        world.d.check_clock(since=T0 - timedelta(minutes=5))  # shows morning
        await asyncio.sleep(0.01)
        world.notifier.shown[0][1]("skip")
        await asyncio.sleep(0)
        world.clock.now = T0 - timedelta(days=1, minutes=1)  # back a day
        world.d.check_clock()
        world.clock.now = T0 - timedelta(days=1) + timedelta(minutes=1)
        world.d.check_clock()
        await asyncio.sleep(0.01)

    run(go())
    assert len(world.notifier.shown) == 1
    replayed = [e for e in world.store.events() if e.detail == "the clock went back"]
    assert {(e.reminder, e.occurrence) for e in replayed} >= {("morning", "2026-11-23")}


def test_a_store_that_refuses_writes_does_not_stop_reminders_and_nothing_is_lost(
        world: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from stretchd.errors import StretchdError

    real = world.store.record
    failing = [True]

    def record(*args: Any, **kwargs: Any) -> None:
        if failing[0]:
            raise StretchdError("h.sqlite3: cannot write the history: database or disk is full")
        real(*args, **kwargs)

    monkeypatch.setattr(world.store, "record", record)

    async def go() -> None:
        await world.d.fire("morning")
        world.notifier.shown[0][1]("skip")
        await asyncio.sleep(0)
        failing[0] = False
        world.clock.now += timedelta(minutes=1)
        world.d.check_clock()

    run(go())
    assert len(world.notifier.shown) == 1
    assert kinds(world.store) == [("morning", "shown"), ("morning", "skipped")]
    err = capsys.readouterr().err
    assert err.count("database or disk is full") == 1 and "nothing was lost" in err


def test_a_time_zone_change_rearms_the_reminders_in_the_new_zone(world: Any) -> None:
    new_york = ZoneInfo("America/New_York")
    world.d.zone = lambda: new_york

    async def go() -> None:
        world.d.arm()
        world.d.check_clock()

    run(go())
    assert world.d.tz is new_york
    job = world.d.scheduler.get_job("reminder:morning")
    assert str(job.trigger.timezone) == "America/New_York"


def test_a_notification_lost_with_its_server_is_shown_again(world: Any) -> None:
    gone: set[str] = set()

    async def alive(handle: str) -> bool:
        return handle not in gone

    world.notifier.alive = alive

    async def go() -> None:
        await world.d.fire("morning")
        await world.d.check_showing()  # still there: nothing happens
        gone.add("n1")  # the server died, taking it along
        await world.d.check_showing()

    run(go())
    assert len(world.notifier.shown) == 2
    last = world.store.events()[-1]
    assert (last.kind, last.detail) == ("shown", "again: the notification server went away")
