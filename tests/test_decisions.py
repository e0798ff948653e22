"""The daemon's decisions with plain values: no loop, no store, no clock."""

from __future__ import annotations

import datetime as dt
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from stretchd.config import Defaults, Reminder
from stretchd.daemon.decisions import Answer, Showing, Verdict, answer, notice, shown_as, verdict
from stretchd.desktop.notify import Action
from stretchd.routines import load_all
from stretchd.schedule import Due
from stretchd.store.history import Kind, Occurrence, Status

pytestmark = pytest.mark.clock  # fixed dates: CI runs these again with the clock moved

TZ = ZoneInfo("Europe/Berlin")
AT = datetime(2026, 11, 24, 7, 30, tzinfo=TZ)
MORNING = Reminder("morning", dt.time(7, 30), "shotgun")
DUE = Due(MORNING, AT, "2026-11-24")


def occ(status: Status, snoozed_until: datetime | None = None) -> Occurrence:
    return Occurrence("morning", "2026-11-24", AT, status, 1, snoozed_until)


def test_a_new_occurrence_shows() -> None:
    assert verdict(None, DUE, AT, None, again=False) == Verdict.SHOW


@pytest.mark.parametrize("status", [Status.SKIPPED, Status.STARTED, Status.DISMISSED,
                                    Status.SUPERSEDED, Status.MISSED, Status.SHOWING])
def test_one_answered_missed_or_showing_is_left_alone(status: Status) -> None:
    assert verdict(occ(status), DUE, AT, None, again=False) == Verdict.HANDLED


@pytest.mark.parametrize("status", [Status.SHOWING, Status.DISMISSED, Status.SUPERSEDED, Status.MISSED])
def test_moved_later_the_same_day_one_left_unanswered_shows_at_the_new_time(status: Status) -> None:
    moved = Due(MORNING, AT.replace(hour=14), "2026-11-24")
    assert verdict(occ(status), moved, moved.at, None, again=False) == Verdict.SHOW


@pytest.mark.parametrize("status", [Status.STARTED, Status.SKIPPED])
def test_moved_later_the_same_day_one_started_or_skipped_does_not_show_again(status: Status) -> None:
    moved = Due(MORNING, AT.replace(hour=14), "2026-11-24")
    assert verdict(occ(status), moved, moved.at, None, again=False) == Verdict.HANDLED


def test_one_snoozed_before_its_time_waits_for_its_snooze() -> None:
    later = AT + timedelta(minutes=10)
    assert verdict(occ(Status.SNOOZED, later), DUE, AT, None, again=False) == Verdict.SNOOZED_AHEAD
    assert verdict(occ(Status.SNOOZED, later), DUE, later, None, again=True) == Verdict.SHOW


def test_while_paused_it_is_skipped_and_after_the_pause_it_shows() -> None:
    until = AT + timedelta(hours=1)
    assert verdict(None, DUE, AT, until, again=False) == Verdict.PAUSED
    assert verdict(None, DUE, until, until, again=False) == Verdict.SHOW


def test_shown_within_a_minute_is_on_time_and_later_is_late() -> None:
    assert shown_as(DUE, AT + timedelta(seconds=59), 0, again=False) == (Kind.SHOWN, None)
    assert shown_as(DUE, AT + timedelta(minutes=12), 0, again=False) == (Kind.LATE, "12 min late")


def test_back_from_a_snooze_it_is_not_late_and_says_after_how_many() -> None:
    assert shown_as(DUE, AT + timedelta(minutes=20), 2, again=True) == (Kind.SHOWN, "after 2 snoozes")
    assert shown_as(DUE, AT + timedelta(minutes=10), 1, again=True) == (Kind.SHOWN, "after 1 snooze")


def test_the_notice_names_routine_and_length_and_offers_snooze_until_the_last() -> None:
    routine = load_all()[0]["shotgun"]
    defaults = Defaults(snooze_minutes=5, max_snoozes=2)
    first = notice(MORNING, routine, 0, defaults, late=False)
    assert (first.title, first.body) == ("Time to stretch",
                                         "Morning stretch: Shotgun (SI joints), 40 s · you need a belt")
    assert first.buttons == ((Action.START, "Start"), (Action.SNOOZE, "Snooze 5 min"), (Action.SKIP, "Skip"))
    last = notice(MORNING, routine, 2, defaults, late=True)
    assert last.body.endswith(" — it was due at 07:30")
    assert [a for a, _ in last.buttons] == [Action.START, Action.SKIP]


def test_start_and_a_click_open_the_walkthrough() -> None:
    showing = Showing(DUE, "n1", 0)
    assert answer(Action.START, showing, AT, TZ, Defaults()) == Answer(
        "started morning", Kind.STARTED, open_walk=True)
    assert answer(Action.CLICKED, showing, AT, TZ, Defaults()).detail == "body clicked"


def test_snooze_counts_and_sets_when_it_comes_back() -> None:
    got = answer(Action.SNOOZE, Showing(DUE, "n1", 1), AT, TZ, Defaults(snooze_minutes=10), minutes=25)
    assert got == Answer("snoozed morning until 07:55", Kind.SNOOZED, snoozes=2,
                         snoozed_until=AT + timedelta(minutes=25))


def test_a_snooze_past_the_limit_records_nothing_and_keeps_it_showing() -> None:
    got = answer(Action.SNOOZE, Showing(DUE, "n1", 3), AT, TZ, Defaults(max_snoozes=3))
    assert got == Answer("morning was snoozed 3 times already; Start or Skip it")


def test_skip_and_dismiss_are_recorded_as_such() -> None:
    showing = Showing(DUE, "n1", 0)
    assert answer(Action.SKIP, showing, AT, TZ, Defaults()).kind == Kind.SKIPPED
    assert answer(Action.DISMISSED, showing, AT, TZ, Defaults()).kind == Kind.DISMISSED


def test_at_start_what_was_left_showing_or_snoozed_past_shows_again_and_older_was_missed() -> None:
    from stretchd.daemon.decisions import left_unanswered

    def o(name: str, status: Status, at: datetime, until: datetime | None = None) -> Occurrence:
        return Occurrence(name, "2026-11-24", at, status, 0, until)

    now = AT + timedelta(minutes=10)
    showing = o("a", Status.SHOWING, AT)
    snooze_ran_out = o("b", Status.SNOOZED, AT, AT + timedelta(minutes=5))
    snoozed_ahead = o("c", Status.SNOOZED, AT, now + timedelta(minutes=5))
    old = o("d", Status.SHOWING, AT - timedelta(hours=2))
    answered = o("e", Status.SKIPPED, AT)
    show, missed = left_unanswered([showing, snooze_ran_out, snoozed_ahead, old, answered], now,
                                   timedelta(minutes=30))
    assert (show, missed) == ([showing, snooze_ran_out], [old])
