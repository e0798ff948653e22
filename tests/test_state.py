"""Snooze, skip, pause and status on the store, as the daemon and the CLI without it use them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stretchd.config import Config, Defaults, Reminder
from stretchd.errors import UsageError
from stretchd.store import state
from stretchd.store.history import History, Status

pytestmark = pytest.mark.clock  # fixed dates: CI runs these again with the clock moved

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=TZ)
CONFIG = Config(Defaults(snooze_minutes=10), (Reminder("morning", dt.time(7, 30), "shotgun"),
                                              Reminder("evening", dt.time(21, 0), "si-joints")))


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[state.Context]:
    with History(tmp_path / "h.sqlite3") as store:
        yield state.Context(CONFIG, store, TZ)


def test_skip_takes_the_next_occurrence_and_the_one_after_a_skipped_one(ctx: state.Context) -> None:
    assert state.skip_next(ctx, NOW, None) == "skipped morning at 07:30"
    assert state.skip_next(ctx, NOW, None) == "skipped evening at 21:00"
    assert state.skip_next(ctx, NOW, "morning") == "skipped morning tomorrow at 07:30"


def test_skip_of_an_unknown_reminder_names_the_known_ones(ctx: state.Context) -> None:
    with pytest.raises(UsageError) as e:
        state.skip_next(ctx, NOW, "mornin")
    assert e.value.message == 'no reminder named "mornin" (did you mean "morning"?); known: morning, evening'


def test_snooze_with_nothing_showing_moves_the_next_reminder_later(ctx: state.Context) -> None:
    assert state.snooze_next(ctx, NOW, 15) == "snoozed morning: it will show at 07:45"
    (got,) = ctx.store.occurrences("2026-11-24", status=Status.SNOOZED)
    assert got.snoozed_until == NOW.replace(minute=45)
    assert state.snooze_next(ctx, NOW, 15) == "snoozed morning: it will show at 08:00"  # from the snooze


def test_status_gives_a_snoozed_reminder_one_next_time_its_snooze(ctx: state.Context) -> None:
    state.snooze_next(ctx, NOW, 1)  # nothing showing: the 07:30 morning comes at 07:31
    info = state.status(ctx, NOW)
    assert [(n["reminder"], n["when"], n["note"]) for n in info["next"]] == [
        ("morning", "07:31", "snoozed"), ("evening", "21:00", "")]


def test_a_reminder_snoozed_after_it_showed_is_what_comes_next_and_snoozes_again(
        ctx: state.Context) -> None:
    from stretchd.store.history import Kind

    at = NOW.replace(minute=30)
    ctx.store.record("morning", "2026-11-24", at, Kind.SNOOZED, at, snoozes=1,
                     snoozed_until=at + timedelta(minutes=10))
    later = at + timedelta(minutes=5)  # 07:35: it comes back at 07:40, before anything else
    first = state.status(ctx, later)["next"][0]
    assert (first["reminder"], first["when"]) == ("morning", "07:40")
    assert state.snooze_next(ctx, later, 10) == "snoozed morning: it will show at 07:50"
    assert state.skip_next(ctx, later, None) == "skipped morning at 07:50"


def test_a_pause_shows_in_status_until_resumed(ctx: state.Context) -> None:
    until = NOW + timedelta(hours=2)
    assert state.pause(ctx, NOW, until) == "paused until 09:00"
    info = state.status(ctx, NOW)
    assert info["paused_until"] == until.isoformat()
    assert [(n["reminder"], n["note"]) for n in info["next"]] == [("morning", "paused"), ("evening", "")]
    assert state.resume(ctx) == "resumed" and state.resume(ctx) == "was not paused"
    assert state.status(ctx, NOW)["paused_until"] is None


@pytest.mark.parametrize(("asked", "minutes"), [(None, 10), (1, 1), (240, 240)])
def test_snooze_minutes_are_the_request_or_the_configs(asked: int | None, minutes: int) -> None:
    assert state.snooze_minutes(asked, CONFIG) == minutes


@pytest.mark.parametrize("asked", [0, 241, -5, "10", 2.5, True])
def test_snooze_minutes_outside_1_to_240_are_refused(asked: object) -> None:
    with pytest.raises(UsageError, match="minutes: use a whole number from 1 to 240"):
        state.snooze_minutes(asked, CONFIG)


def test_unskip_undoes_the_soonest_skip_still_to_come(ctx: state.Context) -> None:
    state.skip_next(ctx, NOW, "morning")
    state.skip_next(ctx, NOW, "evening")
    assert [n["note"] for n in state.status(ctx, NOW)["next"]] == ["skipped", "skipped"]
    message, due = state.unskip(ctx, NOW, None)
    assert message == "unskipped morning: it shows at 07:30" and due.at == NOW.replace(minute=30)
    assert [n["note"] for n in state.status(ctx, NOW)["next"]] == ["", "skipped"]
    assert state.unskip(ctx, NOW, "evening")[0] == "unskipped evening: it shows at 21:00"


def test_unskip_of_one_skipped_while_it_showed_shows_it_now_within_grace(ctx: state.Context) -> None:
    from stretchd.store.history import Kind

    at = NOW.replace(minute=30)
    ctx.store.record("morning", "2026-11-24", at, Kind.SKIPPED, at)
    assert state.unskip(ctx, at + timedelta(minutes=5), None)[0] == (
        "unskipped morning (due at 07:30): it shows now")
    assert ctx.store.occurrence("morning", "2026-11-24") is None
    ctx.store.record("morning", "2026-11-24", at, Kind.SKIPPED, at)
    with pytest.raises(UsageError) as e:
        state.unskip(ctx, at + timedelta(hours=1), "morning")
    assert e.value.message == "no skip of morning to undo (a skip can be undone until it is 30 min past its time)"


def test_after_a_move_later_it_says_it_shows_today_unless_today_was_answered(
        tmp_path: Path) -> None:
    from stretchd.store.history import Kind

    moved = Config(Defaults(), (Reminder("morning", dt.time(14, 0), "shotgun"),))
    at = NOW.replace(minute=30)
    with History(tmp_path / "h.sqlite3") as store:
        ctx = state.Context(moved, store, TZ)
        store.record("morning", "2026-11-24", at, Kind.DISMISSED, at)
        assert state.after_move(ctx, NOW + timedelta(hours=1), "morning") == "it shows today at 14:00"
        store.record("morning", "2026-11-24", at, Kind.SKIPPED, at)
        assert state.after_move(ctx, NOW + timedelta(hours=1), "morning") == (
            "today's was skipped already; next tomorrow at 14:00")


def test_a_snoozed_reminder_coming_back_during_a_pause_says_paused(ctx: state.Context) -> None:
    state.snooze_next(ctx, NOW, 15)  # morning comes back at 07:45
    state.pause(ctx, NOW, NOW + timedelta(hours=2))
    first = state.status(ctx, NOW)["next"][0]
    assert (first["reminder"], first["when"], first["note"]) == ("morning", "07:45", "paused")
