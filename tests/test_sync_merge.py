"""One habit across computers: other computers' events merged into this computer's history,
whatever order they arrive in and however often, and what an answer elsewhere does here."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stretchd.config import parse
from stretchd.store import peers, summary
from stretchd.store.history import History, Kind, Status
from stretchd.store.sharing import Exchange, settle
from stretchd.store.stats import from_rows, streaks
from stretchd.sync.events import Event, Wire, encode, file_name
from stretchd.sync.folder import SharedFolder

pytestmark = pytest.mark.clock  # fixed dates

BERLIN, NEW_YORK, TOKYO = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")
ZONES = {"desk": BERLIN, "lap": NEW_YORK, "tab": TOKYO}
DAY0 = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 6, 0, tzinfo=BERLIN)  # this computer's clock while the events arrive
CONFIG = parse('[reminders.morning]\ntime = "07:30"\n[reminders.evening]\ntime = "21:00"\n'
               'routine = "shotgun"\n', "config.toml")


@st.composite
def peer_event(draw: Any, n: int) -> Event:
    """An event on one of three computers, each in its own zone, over four days."""
    device = draw(st.sampled_from(sorted(ZONES)))
    kind = draw(st.sampled_from(list(Wire)))
    day = DAY0 + timedelta(days=draw(st.integers(0, 3)))
    reminder = draw(st.sampled_from(["morning", "evening", "lunch"]))  # lunch: not here
    at = datetime.combine(day, datetime.min.time(), ZONES[device]) + timedelta(
        minutes=draw(st.integers(6 * 60, 23 * 60)))
    until = at + timedelta(minutes=draw(st.integers(1, 30))) if kind == Wire.SNOOZED else None
    walk = kind == Wire.COMPLETED
    return Event(f"{n:032x}", device, kind, at, None if walk and draw(st.booleans()) else reminder,
                 day.isoformat(), until, "shotgun" if walk else None,
                 float(draw(st.integers(30, 300))) if walk else None)


def arrive(history: History, events: list[Event]) -> None:
    """As the daemon takes a batch from the folder: kept by id, then each new one settled."""
    for e in peers.add(history, events):
        settle(history, CONFIG, BERLIN, e, NOW)


def picture(history: History) -> tuple[Any, ...]:
    """Everything a person reads from the history: every computer's events and walks, where
    each occurrence here stands, the stats and the streak."""
    occurrences, walks = summary.every_row(history)
    stats = from_rows(occurrences, walks, DAY0 + timedelta(days=3), weeks=2, goal=1)
    return (peers.peer_rows(history),
            sorted((w.routine, w.reminder or "", w.started, w.ended, w.outcome, w.device or "")
                   for w in history.walks()),
            sorted((o.reminder, o.occurrence, o.status, o.snoozed_until)
                   for o in history.occurrences("2026-01-01")),
            stats.as_json(),
            streaks(history.completed_days(), DAY0 + timedelta(days=3)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=12).flatmap(
    lambda seeds: st.tuples(st.just(len(seeds)),
                            st.tuples(*(peer_event(i) for i in range(len(seeds)))))),
       st.randoms(use_true_random=False))
def test_any_order_and_any_repetition_of_three_computers_events_gives_one_history(
        drawn: tuple[int, tuple[Event, ...]], rnd: Any) -> None:
    _, events = drawn
    events_list = list(events)
    once = History(":memory:")
    for e in events_list:
        arrive(once, [e])
    again = History(":memory:")
    shuffled = events_list + rnd.sample(events_list, k=rnd.randint(0, len(events_list)))
    rnd.shuffle(shuffled)
    cut = rnd.randint(0, len(shuffled))  # two batches, as two looks at the folder
    arrive(again, shuffled[:cut])
    arrive(again, shuffled[cut:])
    arrive(again, events_list)  # and everything once more: nothing changes
    assert picture(once) == picture(again)


def test_a_walk_done_on_another_computer_keeps_this_ones_streak() -> None:
    h = History(":memory:")
    for i, (device, day) in enumerate([("desk", 0), ("lap", 1), ("tab", 2)]):
        at = datetime.combine(DAY0 + timedelta(days=day), datetime.min.time(), ZONES[device]).replace(hour=22)
        arrive(h, [Event(f"{i:032x}", device, Wire.COMPLETED, at, "evening",
                         at.date().isoformat(), routine="shotgun", seconds=40.0)])
    # Each walk counts on the date where it was done: Tokyo's 22:00 is Berlin's 14:00.
    assert h.completed_days() == {DAY0: 1, DAY0 + timedelta(days=1): 1, DAY0 + timedelta(days=2): 1}
    assert streaks(h.completed_days(), DAY0 + timedelta(days=2))[0] == 3
    assert [w.device for w in h.walks()] == ["desk", "lap", "tab"]


def test_an_answer_elsewhere_settles_the_occurrence_here_and_outranks_a_weaker_one() -> None:
    h = History(":memory:")
    at = datetime(2026, 12, 7, 7, 31, tzinfo=NEW_YORK)  # that computer's clock is hours away
    arrive(h, [Event("1" * 32, "lap", Wire.SNOOZED, at, "morning", "2026-12-07",
                     until=NOW + timedelta(minutes=10))])
    got = h.occurrence("morning", "2026-12-07")
    assert got is not None and got.status == Status.SNOOZED
    assert got.snoozed_until == NOW + timedelta(minutes=10)  # it comes back here then too
    assert got.scheduled == datetime(2026, 12, 7, 7, 30, tzinfo=BERLIN)  # at this computer's time
    arrive(h, [Event("2" * 32, "desk", Wire.SKIPPED, at, "morning", "2026-12-07")])
    arrive(h, [Event("3" * 32, "tab", Wire.SNOOZED, at, "morning", "2026-12-07",
                     until=NOW + timedelta(minutes=30))])  # a skip is not undone by a snooze
    got = h.occurrence("morning", "2026-12-07")
    assert got is not None and got.status == Status.SKIPPED
    assert [(r[3], r[4]) for r in h.event_rows()] == [
        (Kind.ELSEWHERE, "snoozed on lap until 06:10"), (Kind.ELSEWHERE, "skipped on desk")]


def test_a_snooze_that_ended_before_it_arrived_shows_nothing_again() -> None:
    """A folder catching up after days: past snoozes do not bring reminders back."""
    h = History(":memory:")
    at = NOW - timedelta(days=2)
    arrive(h, [Event("1" * 32, "lap", Wire.SNOOZED, at, "morning", "2026-12-05",
                     until=at + timedelta(minutes=10))])
    assert h.occurrence("morning", "2026-12-05") is None


def test_missed_here_and_done_elsewhere_counts_as_done() -> None:
    h = History(":memory:")
    scheduled = datetime(2026, 12, 5, 7, 30, tzinfo=BERLIN)
    h.record("morning", "2026-12-05", scheduled, Kind.MISSED, scheduled + timedelta(hours=2))
    arrive(h, [Event("1" * 32, "lap", Wire.STARTED, scheduled, "morning", "2026-12-05")])
    got = h.occurrence("morning", "2026-12-05")
    assert got is not None and got.status == Status.STARTED


def test_what_this_computer_records_goes_to_its_own_file_once(tmp_path: Path) -> None:
    h = History(tmp_path / "h.sqlite3")
    folder = SharedFolder(tmp_path / "shared", "desk")
    assert folder.make()
    scheduled = datetime(2026, 12, 7, 7, 30, tzinfo=BERLIN)
    h.record("morning", "2026-12-07", scheduled, Kind.SHOWN, scheduled, status=Status.SHOWING)
    h.record("morning", "2026-12-07", scheduled, Kind.SNOOZED, scheduled + timedelta(minutes=1),
             snoozes=1, snoozed_until=scheduled + timedelta(minutes=11))
    h.record("morning", "2026-12-07", scheduled, Kind.START_FAILED, scheduled,
             status=Status.SHOWING)  # stays here
    walk = h.start_walk("shotgun", "morning", scheduled, 3)
    h.finish_walk(walk, scheduled + timedelta(seconds=50), outcome="completed", step=3, seconds=40.0)
    quit_walk = h.start_walk("shotgun", None, scheduled, 3)
    h.finish_walk(quit_walk, scheduled + timedelta(seconds=5), outcome="quit", step=1)
    ex = Exchange(h, folder)
    assert ex.send() == 3
    assert ex.send() == 0  # nothing twice
    lines = (folder.path / file_name("desk", scheduled)).read_bytes().splitlines()
    kinds = [line.split(b'"kind":"')[1].split(b'"')[0] for line in lines]
    assert kinds == [b"shown", b"snoozed", b"completed"]
    # The other computer reads them; this one reads its own file and finds nothing new.
    other = History(tmp_path / "other.sqlite3")
    taken = Exchange(other, SharedFolder(folder.path, "lap")).take_in()
    assert [e.kind for e in taken.new] == [Wire.SHOWN, Wire.SNOOZED, Wire.COMPLETED]
    assert taken.new[1].until == scheduled + timedelta(minutes=11)
    assert not ex.take_in().new and not ex.take_in().clashes


def test_two_computers_under_one_name_are_told_apart_and_nothing_is_lost(tmp_path: Path) -> None:
    h = History(tmp_path / "h.sqlite3")
    folder = SharedFolder(tmp_path / "shared", "lap")
    assert folder.make()
    at = datetime(2026, 12, 7, 7, 31, tzinfo=BERLIN)
    stranger = Event("a" * 32, "lap", Wire.SKIPPED, at, "morning", "2026-12-07")
    path = folder.path / "lap.2026-12.jsonl"
    path.write_bytes(encode(stranger))
    path.chmod(0o600)
    copy = folder.path / "lap.2026-12.sync-conflict-20261207-063000-ABCDEFG.jsonl"
    copy.write_bytes(encode(Event("b" * 32, "lap", Wire.STARTED, at, "evening", "2026-12-07")))
    copy.chmod(0o600)
    taken = Exchange(h, folder).take_in()
    assert taken.clashes == {"lap"}
    assert sorted(e.id for e in taken.new) == ["a" * 32, "b" * 32]  # merged by id, never lost


def test_a_computer_whose_clock_is_off_is_matched_by_reminder_and_date() -> None:
    """The laptop's clock runs 9 minutes fast and says so in its own zone: its Start for
    "morning, 2026-12-07" is still this computer's morning of that day."""
    h = History(":memory:")
    scheduled = datetime(2026, 12, 7, 7, 30, tzinfo=BERLIN)
    h.record("morning", "2026-12-07", scheduled, Kind.SHOWN, scheduled, status=Status.SHOWING)
    skewed = (scheduled + timedelta(minutes=9)).astimezone(NEW_YORK)
    arrive(h, [Event("1" * 32, "lap", Wire.STARTED, skewed, "morning", "2026-12-07")])
    got = h.occurrence("morning", "2026-12-07")
    assert got is not None and got.status == Status.STARTED and got.scheduled == scheduled
    assert peers.peer_rows(h)[0][0] == skewed.isoformat(timespec="milliseconds")  # its own time


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["morning", "evening", None]),
                          st.sampled_from(["completed", "quit"]), st.booleans(),
                          st.sampled_from(["desk", "lap", None])), max_size=40),
       st.integers(1, 60))
def test_stats_summed_up_by_sqlite_are_the_stats_counted_walk_by_walk(
        walks: list[tuple[int, str | None, str, bool, str | None]], weeks: int) -> None:
    """`stretchd stats` reads sums (summary.rows); they must say what every row would."""
    from stretchd.store import summary
    from stretchd.store.stats import compute, period_start

    h = History(":memory:")
    today = DAY0 + timedelta(days=3)
    for i, (back, reminder, outcome, timed, device) in enumerate(walks):
        end = datetime.combine(today - timedelta(days=back), datetime.min.time(), BERLIN).replace(hour=20)
        if device is None:
            w = h.start_walk("shotgun", reminder, end - timedelta(minutes=5), 4)
            h.finish_walk(w, end, outcome=outcome, step=4, seconds=40.0 if timed else None)
        else:
            arrive(h, [Event(f"{i:032x}", device, Wire.COMPLETED, end, reminder, None,
                             routine="si-joints", seconds=40.0)])
        if reminder and device is None:
            h.record(reminder, end.date().isoformat(), end, Kind.SKIPPED if back % 3 else Kind.SNOOZED,
                     end, snoozed_until=end + timedelta(minutes=5) if not back % 3 else None,
                     status=Status.SKIPPED if back % 3 else Status.SNOOZED)
    every = from_rows(*summary.every_row(h), today, weeks=weeks, goal=1).as_json()
    occurrences, summed = summary.rows(h, period_start(today, weeks))
    assert compute(occurrences, summed, today, weeks=weeks, goal=1).as_json() == every
