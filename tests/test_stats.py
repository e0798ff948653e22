"""`stretchd stats`: streaks, rates and the calendar over histories with known answers, with
plain dates (no clock is read)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from stretchd.cli import cli
from stretchd.store.history import History, Kind, Status
from stretchd.store.stats import OccRow, WalkRow, compute, from_rows, heatmap, level, streaks

TODAY = dt.date(2026, 4, 2)  # a Thursday, four days after Europe's spring DST change
D = dt.timedelta(days=1)


def walked(*days: dt.date, reminder: str | None = "morning", completed: bool = True) -> list[WalkRow]:
    return [WalkRow(d, "shotgun", reminder, completed, 240.0) for d in days]


def test_an_empty_history_has_no_streak_and_no_rates() -> None:
    s = compute([], [], TODAY)
    assert (s.current, s.longest, s.today_counts, s.reminders, s.advice) == (0, 0, False, {}, None)
    assert s.as_json()["streak"] == {"current": 0, "longest": 0, "today_counts": False}
    assert all(v == (0, 0) for v in s.days.values())


def test_the_streak_runs_across_a_dst_change_as_stored_local_dates() -> None:
    """Walks stored in Europe/Berlin around 2026-03-29 (23 h day): each counts on its own date."""
    berlin = ZoneInfo("Europe/Berlin")
    rows = []
    for i in range(8):  # 2026-03-26 .. 04-02, late in the evening, the offset changing midway
        day = dt.date(2026, 3, 26) + i * D
        end = dt.datetime.combine(day, dt.time(23, 50), berlin)
        start = end - dt.timedelta(minutes=5)
        rows.append(("shotgun", start.isoformat(), end.isoformat(), "completed", "evening", None))
    assert {r[2][-6:] for r in rows} == {"+01:00", "+02:00"}
    s = from_rows([], rows, TODAY)
    assert (s.current, s.longest, s.today_counts) == (8, 8, True)
    assert s.minutes_total == pytest.approx(40)


def test_a_missed_day_breaks_it_and_today_still_open_does_not() -> None:
    days = [TODAY - i * D for i in (1, 2, 3, 5, 6, 7, 8, 9)]  # 4 days ago: none
    assert streaks({d: 1 for d in days}, TODAY) == (3, 5, False)
    assert streaks({d: 1 for d in [*days, TODAY]}, TODAY) == (4, 5, True)


def test_a_day_with_only_snoozes_does_not_count() -> None:
    occ = [OccRow("morning", TODAY - D, "snoozed", snoozed=True),
           OccRow("morning", TODAY - 2 * D, "started", snoozed=True)]
    s = compute(occ, walked(TODAY - 2 * D), TODAY)
    assert (s.current, s.longest) == (0, 1)
    assert s.reminders["morning"].as_json() == {
        "due": 2, "done": 0.5, "snoozed": 1.0, "skipped": 0.0, "held": 0.0, "missed": 0.0, "rate": 0.5}


def test_with_a_streak_goal_of_2_a_day_needs_two_completed() -> None:
    completed = {TODAY - D: 2, TODAY - 2 * D: 1, TODAY - 3 * D: 2, TODAY: 1}
    assert streaks(completed, TODAY, goal=1) == (4, 4, True)
    assert streaks(completed, TODAY, goal=2) == (1, 1, False)
    s = compute([], walked(*[d for d, n in completed.items() for _ in range(n)]), TODAY, goal=2)
    assert (s.current, s.longest, s.goal) == (1, 1, 2)


@given(st.dictionaries(st.integers(0, 60).map(lambda n: TODAY - n * D), st.integers(0, 3)),
       st.integers(1, 3))
def test_the_current_streak_is_never_longer_than_the_longest(completed: dict[dt.date, int],
                                                              goal: int) -> None:
    current, longest, today_counts = streaks(completed, TODAY, goal)
    assert 0 <= current <= longest
    assert today_counts == (completed.get(TODAY, 0) >= goal)
    assert streaks(completed, TODAY, goal + 1)[1] <= longest  # a higher goal: never longer


def test_rates_per_reminder_and_routine_and_the_advice_to_move_a_skipped_one() -> None:
    occ, walks = [], []
    for i in range(10):
        day = TODAY - i * D
        occ.append(OccRow("morning", day, "started", held=i == 0))
        walks += walked(day)
        occ.append(OccRow("evening", day, "skipped" if i < 7 else "missed"))
    walks.append(WalkRow(TODAY, "si-joints", None, False, 60.0))
    s = compute(occ, walks, TODAY, times={"morning": dt.time(7, 30), "evening": dt.time(21, 0)})
    assert s.reminders["morning"].as_json()["rate"] == 1.0
    assert s.reminders["morning"].as_json()["held"] == 0.1
    assert (s.reminders["evening"].share("skipped"), s.reminders["evening"].share("missed")) == (0.7, 0.3)
    assert s.routines == {"shotgun": (10, 10), "si-joints": (1, 0)}
    assert s.advice == "evening is skipped 7 times in 10: move it? `stretchd schedule set evening 20:00`"
    assert s.days[TODAY] == (1, 2)


def test_no_advice_to_move_a_reminder_past_midnight() -> None:
    occ = [OccRow("late", TODAY - i * D, "snoozed", snoozed=True) for i in range(12)]
    assert compute(occ, [], TODAY, times={"late": dt.time(23, 45)}).advice is None
    assert compute(occ, [], TODAY, times={"late": dt.time(22, 0)}).advice == (
        "late is snoozed 10 times in 10: move it? `stretchd schedule set late 22:30`")


def test_no_advice_from_a_few_days() -> None:
    occ = [OccRow("evening", TODAY - i * D, "skipped") for i in range(5)]
    assert compute(occ, [], TODAY, times={"evening": dt.time(21)}).advice is None


@pytest.mark.parametrize("width", [40, 80, 160])
def test_the_calendar_fits_the_width_with_labels_legend_and_today(width: int) -> None:
    days = {TODAY - i * D: (1 if i % 3 else 0, 2) for i in range(200)} | {TODAY: (1, 3)}
    lines, shown = heatmap(days, TODAY, 26, width, colour=False)
    assert shown == min(26, (width - 4) // 2)
    assert all(len(line) <= width for line in lines), [len(x) for x in lines]
    assert [line[:3] for line in lines[1:8]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert re.search(r"\b(Jan|Feb|Mar|Apr|Oct|Nov|Dec)\b", lines[0])
    thursday = lines[1 + TODAY.weekday()]
    assert thursday.endswith("-<")  # today: 1 done of 3 due, marked
    assert lines[-1] == "    less . - + # more  < today"
    assert all(line.isascii() for line in lines)
    assert lines[1 + 4].rstrip() == lines[1 + 4][:4 + (shown - 1) * 2].rstrip()  # Friday: no cell yet


def test_levels_from_the_share_done() -> None:
    assert [level(*x) for x in [(0, 0), (0, 2), (1, 3), (1, 2), (2, 2), (3, 2), (1, 0)]] == [0, 1, 2, 3, 4, 4, 4]


def test_the_command_reads_the_history_file_and_prints_json_and_plain(
        tmp_path: Path, xdg: Path, midday: dt.datetime) -> None:
    now = dt.datetime.now().astimezone()
    with History(xdg / "state" / "stretchd" / "stretchd.sqlite3") as h:
        for i in (0, 1, 2):
            at = now - dt.timedelta(days=i, minutes=10)
            key = at.date().isoformat()
            h.record("morning", key, at, Kind.SHOWN, at, status=Status.SHOWING)
            h.record("morning", key, at, Kind.STARTED, at)
            walk = h.start_walk("shotgun", "morning", at, 3)
            h.finish_walk(walk, at + dt.timedelta(minutes=4), outcome="completed", step=3)
    got = CliRunner().invoke(cli, ["stats", "--json", "--weeks", "2"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.output)
    assert data["streak"]["current"] >= 2 and data["streak"]["longest"] >= 2
    assert data["days"][-1]["date"] == now.date().isoformat()
    assert sum(d["done"] for d in data["days"]) == 3 and sum(d["due"] for d in data["days"]) == 3
    assert data["reminders"]["morning"]["rate"] == 1.0
    assert data["minutes"]["total"] == 12.0
    plain = CliRunner().invoke(cli, ["stats"])
    assert plain.exit_code == 0
    assert "\x1b[" not in plain.output and "Streak: " in plain.output and "#<" in plain.output


def test_the_command_with_no_history_says_nothing_yet_without_error(xdg: Path) -> None:
    got = CliRunner().invoke(cli, ["stats"])
    assert got.exit_code == 0, got.output
    assert "Streak: 0 days, longest 0" in got.output


def test_stretched_counts_the_time_in_the_steps_where_the_walk_recorded_it() -> None:
    """A walk of 40 s in its steps, 10 min from its first screen to its end screen's close."""
    end = dt.datetime.combine(TODAY, dt.time(8, 0)).astimezone()
    rows = [("shotgun", (end - dt.timedelta(minutes=10)).isoformat(), end.isoformat(), "completed",
             "morning", 40.0)]
    assert from_rows([], rows, TODAY).minutes_total == pytest.approx(40 / 60)
