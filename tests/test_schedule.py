"""Pure time logic, with plain datetimes: day filters, DST both ways, grace, pause windows."""

from __future__ import annotations

import datetime as dt
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from stretchd.config import Reminder
from stretchd.schedule import (
    catch_up,
    next_occurrence,
    occurrence_key,
    occurrences_between,
    parse_duration,
    parse_when,
    upcoming,
)

pytestmark = pytest.mark.clock  # fixed dates: CI runs these again with the clock moved

BERLIN = ZoneInfo("Europe/Berlin")
NY = ZoneInfo("America/New_York")


def rem(hh: int, mm: int, days: set[int] | None = None, name: str = "r") -> Reminder:
    return Reminder(name, dt.time(hh, mm), "hips-lower-back",
                    frozenset(days) if days is not None else frozenset(range(7)))


def at(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)  # type: ignore[misc]


def test_next_occurrence_today_then_tomorrow() -> None:
    r = rem(7, 30)
    assert next_occurrence(r, at(BERLIN, 2026, 11, 24, 7, 0), BERLIN) == at(BERLIN, 2026, 11, 24, 7, 30)
    assert next_occurrence(r, at(BERLIN, 2026, 11, 24, 7, 30), BERLIN) == at(BERLIN, 2026, 11, 25, 7, 30)


def test_day_filter_skips_to_the_next_listed_day() -> None:
    r = rem(7, 30, {0, 1, 2, 3, 4})  # weekdays; 2026-11-27 is a Friday
    assert next_occurrence(r, at(BERLIN, 2026, 11, 27, 8, 0), BERLIN) == at(BERLIN, 2026, 11, 30, 7, 30)


@pytest.mark.parametrize(("tz", "day"), [(BERLIN, (2026, 3, 29)), (NY, (2026, 3, 8))])
def test_spring_forward_a_time_in_the_gap_fires_at_the_first_valid_minute_after(tz: ZoneInfo,
                                                                                  day: tuple[int, int, int]) -> None:
    r = rem(2, 30)
    occ = next_occurrence(r, at(tz, *day, 0, 0), tz)
    assert occ is not None
    assert (occ.hour, occ.minute) == (3, 0)
    assert occ.utcoffset() == at(tz, *day, 12, 0).utcoffset()  # summer time already
    # and exactly once that day
    assert len(occurrences_between(r, at(tz, *day, 0, 0), at(tz, *day, 23, 0), tz)) == 1


@pytest.mark.parametrize(("tz", "day"), [(BERLIN, (2026, 10, 25)), (NY, (2026, 11, 1))])
def test_fall_back_a_time_in_the_repeated_hour_fires_once(tz: ZoneInfo, day: tuple[int, int, int]) -> None:
    hour = 2 if tz is BERLIN else 1
    r = rem(hour, 30)
    start = at(tz, *day, 0, 0)
    occs = occurrences_between(r, start, start + timedelta(hours=26), tz)
    local_day = [o for o in occs if o.astimezone(tz).date() == dt.date(*day)]
    assert len(local_day) == 1 and local_day[0].fold == 0
    # the repeated hour's second pass does not bring it back
    second_pass = datetime(*day, hour, 45, tzinfo=tz, fold=1)
    nxt = next_occurrence(r, second_pass, tz)
    assert nxt is not None and nxt.astimezone(tz).date() == dt.date(*day) + timedelta(days=1)


@pytest.mark.parametrize("tz", [BERLIN, NY])
def test_midnight_across_dst_changes_fires_every_day_once(tz: ZoneInfo) -> None:
    r = rem(0, 0)
    for start in (at(tz, 2026, 3, 5, 12, 0), at(tz, 2026, 3, 26, 12, 0),
                  at(tz, 2026, 10, 22, 12, 0), at(tz, 2026, 10, 29, 12, 0)):
        occs = occurrences_between(r, start, start + timedelta(days=7), tz)
        dates = [o.astimezone(tz).date() for o in occs]
        assert len(dates) == len(set(dates)) == 7


def test_day_filter_across_a_dst_change() -> None:
    r = rem(7, 30, {6})  # Sundays; DST ends in Berlin on Sunday 2026-10-25
    occ = next_occurrence(r, at(BERLIN, 2026, 10, 24, 12, 0), BERLIN)
    assert occ == at(BERLIN, 2026, 10, 25, 7, 30) and occ.utcoffset() == timedelta(hours=1)


def test_occurrence_key_is_the_local_date() -> None:
    assert occurrence_key(at(BERLIN, 2026, 11, 24, 23, 30), BERLIN) == "2026-11-24"


def test_catch_up_shows_only_the_latest_within_grace_and_misses_the_rest() -> None:
    rs = [rem(7, 30, name="morning"), rem(12, 0, name="lunch"), rem(21, 0, name="evening")]
    since = at(BERLIN, 2026, 11, 24, 7, 0)
    now = at(BERLIN, 2026, 11, 24, 12, 20)
    show, missed = catch_up(rs, since, now, timedelta(minutes=30), set(), BERLIN)
    assert show is not None and show.reminder.name == "lunch"
    assert [m.reminder.name for m in missed] == ["morning"]


@pytest.mark.parametrize(("minutes_late", "shown"), [(29, True), (30, True), (31, False)])
def test_grace_at_its_edges(minutes_late: int, shown: bool) -> None:
    r = rem(7, 30)
    now = at(BERLIN, 2026, 11, 24, 7, 30) + timedelta(minutes=minutes_late)
    show, missed = catch_up([r], now - timedelta(hours=2), now, timedelta(minutes=30), set(), BERLIN)
    assert (show is not None) is shown
    assert len(missed) == (0 if shown else 1)


def test_catch_up_ignores_handled_occurrences() -> None:
    r = rem(7, 30)
    now = at(BERLIN, 2026, 11, 24, 7, 40)
    show, missed = catch_up([r], now - timedelta(hours=1), now, timedelta(minutes=30),
                            {("r", "2026-11-24")}, BERLIN)
    assert show is None and missed == []


def test_upcoming_marks_skipped_and_paused() -> None:
    rs = [rem(7, 30, name="morning"), rem(21, 0, name="evening")]
    now = at(BERLIN, 2026, 11, 24, 8, 0)
    got = upcoming(rs, now, BERLIN, skipped={("evening", "2026-11-24")},
                   paused_until=at(BERLIN, 2026, 11, 25, 8, 0))
    assert [(d.reminder.name, note) for d, note in got] == [("evening", "skipped"), ("morning", "paused")]


@pytest.mark.parametrize(("text", "minutes"), [("30m", 30), ("2h", 120), ("1h30m", 90), ("45", 45), ("1d", 1440)])
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "0", "abc", "31d", "-5m", "5 parsecs"])
def test_bad_durations_say_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError, match="use"):
        parse_duration(text)


def test_pause_until_a_clock_time_means_the_next_such_time() -> None:
    now = at(BERLIN, 2026, 11, 24, 15, 0)
    assert parse_when("14:00", now, BERLIN) == at(BERLIN, 2026, 11, 25, 14, 0)
    assert parse_when("16:00", now, BERLIN) == at(BERLIN, 2026, 11, 24, 16, 0)
    with pytest.raises(ValueError, match="in the past"):
        parse_when("2026-11-01 10:00", now, BERLIN)
