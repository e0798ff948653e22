"""Snooze, skip, pause and status on the store, as the daemon and the CLI without it use them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stretchd import state
from stretchd.config import Config, Defaults, Reminder
from stretchd.errors import UsageError
from stretchd.history import History, Status

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
    assert state.skip_next(ctx, NOW, "morning") == "skipped morning at tomorrow 07:30"


def test_skip_of_an_unknown_reminder_names_the_known_ones(ctx: state.Context) -> None:
    with pytest.raises(UsageError) as e:
        state.skip_next(ctx, NOW, "mornin")
    assert e.value.message == 'no reminder named "mornin" (did you mean "morning"?); known: morning, evening'


def test_snooze_with_nothing_showing_moves_the_next_reminder_later(ctx: state.Context) -> None:
    assert state.snooze_next(ctx, NOW, 15) == "snoozed morning: it will show at 07:45"
    (got,) = ctx.store.occurrences("2026-11-24", status=Status.SNOOZED)
    assert got.snoozed_until == NOW.replace(minute=45)
    assert state.snooze_next(ctx, NOW, 15) == "snoozed morning: it will show at 08:00"  # from the snooze


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
