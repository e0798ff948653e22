"""config.toml: the default, accepted forms, and every bad value named with what is accepted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stretchd.config import default_config_file, load, parse, parse_time
from stretchd.errors import ConfigError, UsageError

ROUTINES = {"hips-lower-back", "si-joints", "shotgun"}


def test_no_file_means_the_builtin_default_two_reminders(tmp_path: Path) -> None:
    c = load(tmp_path / "none.toml", ROUTINES)
    assert [(r.name, r.time, r.routine, len(r.days)) for r in c.reminders] == [
        ("morning", dt.time(7, 30), "hips-lower-back", 7),
        ("evening", dt.time(21, 0), "si-joints", 7),
    ]
    assert (c.defaults.snooze_minutes, c.defaults.max_snoozes, c.defaults.grace_minutes) == (10, 3, 30)
    assert c.defaults.terminal == "auto"


def test_the_repository_config_is_the_builtin_default() -> None:
    repo_copy = Path(__file__).parent.parent / "config" / "config.toml"
    assert repo_copy.read_bytes() == default_config_file().read_bytes()


@pytest.mark.parametrize(("value", "expected"), [
    ('"07:30"', dt.time(7, 30)), ('"7:30"', dt.time(7, 30)), ('"21:05:09"', dt.time(21, 5, 9)),
    ("07:30:00", dt.time(7, 30)), ('"00:00"', dt.time(0, 0)), ('"23:59"', dt.time(23, 59)),
])
def test_accepted_time_forms(value: str, expected: dt.time) -> None:
    c = parse(f"[reminders.a]\ntime = {value}\n", "config.toml", ROUTINES)
    assert c.reminders[0].time == expected


def test_days_and_a_named_routine() -> None:
    c = parse('[reminders.lunch]\ntime = "12:30"\ndays = ["mon", "Wednesday", "fri"]\n'
              'routine = "shotgun"\n', "config.toml", ROUTINES)
    (r,) = c.reminders
    assert r.days == frozenset({0, 2, 4}) and r.routine == "shotgun"
    assert r.days_text() == "mon,wed,fri"


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(text, "config.toml", ROUTINES)
    assert caught.value.exit_code == 78
    return caught.value.problems


def test_the_products_own_example_error() -> None:
    assert problems('[reminders.morning]\ntime = "7:3"\n') == [
        'config.toml: reminders.morning.time: "7:3" is not a time; use HH:MM (24-hour), '
        'e.g. "07:30" (line 2)']


@pytest.mark.parametrize(("text", "expected"), [
    ('[reminders.a]\ntime = "25:00"\n', 'reminders.a.time: "25:00" is not a time'),
    ("[reminders.a]\ntime = 730\n", "reminders.a.time: 730 is not a time"),
    ("[reminders.a]\n", "reminders.a.time: missing"),
    ('[reminders.a]\ntime = "07:30"\ndays = ["mon", "tues"]\n',
     'reminders.a.days: "tues" is not a day; use mon, tue, wed, thu, fri, sat or sun (did you mean "tue"?)'),
    ('[reminders.a]\ntime = "07:30"\ndays = []\n', "reminders.a.days: a list is not accepted"),
    ('[reminders.a]\ntime = "07:30"\nroutine = "hips"\n',
     'reminders.a.routine: no routine named "hips"'),
    ('[reminders.a]\ntime = "07:30"\ntiem = 3\n', 'reminders.a.tiem: unknown key (did you mean "time"?)'),
    ("[defaults]\nsnooze_minutes = 0\n", "defaults.snooze_minutes: 0 is not accepted; use a whole number from 1 to 240"),
    ("[defaults]\nsnooze_minutes = true\n", "defaults.snooze_minutes: True is not accepted"),
    ("[defaults]\ngrace_minutes = -5\n", "defaults.grace_minutes: -5 is not accepted"),
    ('[defaults]\nterminal = "kitty"\n', 'defaults.terminal: "kitty" is not accepted; use "auto" or a command'),
    ("[defaults]\nmax_snooze = 2\n", 'defaults.max_snooze: unknown key (did you mean "max_snoozes"?)'),
    ('[remindrs.a]\ntime = "07:30"\n', 'remindrs: unknown key (did you mean "reminders"?)'),
    ('reminders = 3\n', "reminders: must be tables like [reminders.morning]"),
    ('[reminders."bad name"]\ntime = "07:30"\n', "reminders.bad name: is not a reminder name"),
    ('[reminders.a\ntime = "07:30"\n', "config.toml: invalid TOML"),
])
def test_each_bad_value_is_one_line_naming_file_key_and_what_is_accepted(text: str, expected: str) -> None:
    found = problems(text)
    assert any(expected in p for p in found), found
    assert all(p.startswith("config.toml: ") and "\n" not in p for p in found)


def test_every_problem_is_listed_not_just_the_first() -> None:
    found = problems('[defaults]\nsnooze_minutes = 0\n[reminders.a]\ntime = "x"\n[reminders.b]\n'
                     'time = "08:00"\nroutine = "nope"\n')
    assert len(found) == 3


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_any_time_text_is_a_time_or_an_error_never_a_crash(text: str) -> None:
    t = parse_time(text)
    assert t is None or isinstance(t, dt.time)
    toml_text = f'[reminders.a]\ntime = {tomlkit_quote(text)}\n'
    try:
        c = parse(toml_text, "config.toml", ROUTINES)
    except ConfigError as e:
        assert all("\n" not in p for p in e.problems)
    else:
        assert c.reminders[0].time == t


def tomlkit_quote(text: str) -> str:
    import tomlkit

    return tomlkit.string(text).as_string()


def test_a_byte_order_mark_is_no_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'\xef\xbb\xbf[reminders.a]\ntime = "07:30"\n')
    assert load(path, ROUTINES).reminders[0].time == dt.time(7, 30)


def test_times_take_ascii_digits_only() -> None:
    assert parse_time("\u0660\u0667:\u0663\u0660") is None


@pytest.mark.parametrize(("text", "voice"), [("", "auto"), ('[walkthrough]\nvoice = "on"\n', "on"),
                                             ('[walkthrough]\nvoice = "off"\n', "off")])
def test_the_walkthrough_voice_is_auto_unless_set(text: str, voice: str) -> None:
    assert parse(text, "config.toml").walkthrough.voice == voice


@pytest.mark.parametrize(("text", "expected"), [
    ('[walkthrough]\nvoice = "loud"\n',
     'config.toml: walkthrough.voice: "loud" is not accepted; use "auto", "on" or "off" (line 2)'),
    ("[walkthrough]\nvoice = true\n",
     'config.toml: walkthrough.voice: True is not accepted; use "auto", "on" or "off" (line 2)'),
    ('[walkthrough]\nvocie = "on"\n',
     'config.toml: walkthrough.vocie: unknown key (did you mean "voice"?) (line 2)'),
    ('walkthrough = "on"\n', "config.toml: walkthrough: must be a table: [walkthrough] (line 1)"),
])
def test_a_bad_voice_setting_is_named(text: str, expected: str) -> None:
    assert problems(text) == [expected]


@pytest.mark.parametrize(("text", "window"), [
    ("", "maximized"), ('[walkthrough]\nwindow = "fullscreen"\n', "fullscreen"),
    ('[walkthrough]\nwindow = "normal"\n', "normal")])
def test_the_walkthrough_window_is_maximized_unless_set(text: str, window: str) -> None:
    assert parse(text, "config.toml").walkthrough.window == window


@pytest.mark.parametrize(("text", "expected"), [
    ('[walkthrough]\nwindow = "maximised"\n',
     'config.toml: walkthrough.window: "maximised" is not accepted; use "maximized", "fullscreen" '
     'or "normal" (did you mean "maximized"?) (line 2)'),
    ('[walkthrough]\nwindow = 1\nvoice = "x"\n',
     'config.toml: walkthrough.voice: "x" is not accepted; use "auto", "on" or "off" (line 3)'),
])
def test_a_bad_window_setting_is_named(text: str, expected: str) -> None:
    assert expected in problems(text)


def test_hold_defaults_to_meeting_dnd_locked_away_five_minutes_and_ninety_at_most() -> None:
    from stretchd.config import Hold

    config = parse('[reminders.a]\ntime = "07:30"\n', "config.toml")
    assert config.hold == Hold(("meeting", "dnd", "locked", "away"), 5, 90, ("do-not-disturb",))
    assert config.reminders[0].hold is True


def test_hold_settings_and_a_reminder_that_opts_out_are_read() -> None:
    config = parse('[hold]\nwhen = ["fullscreen", "dnd", "dnd"]\naway_minutes = 10\n'
                   'hold_at_most_minutes = 30\nmako_modes = ["dnd", "focus"]\n'
                   '[reminders.pills]\ntime = "09:00"\nhold = false\n', "config.toml")
    assert config.hold.when == ("fullscreen", "dnd")
    assert (config.hold.away_minutes, config.hold.hold_at_most_minutes) == (10, 30)
    assert config.hold.mako_modes == ("dnd", "focus")
    assert config.reminders[0].hold is False
    assert parse("[hold]\nwhen = []\n", "config.toml").hold.when == ()


@pytest.mark.parametrize(("text", "expected"), [
    ('[hold]\nwhen = ["meeting", "meting"]\n',
     'config.toml: hold.when: "meting" is not a condition; use meeting, dnd, locked, away or '
     'fullscreen (did you mean "meeting"?) (line 2)'),
    ('[hold]\nwhen = "meeting"\n',
     'config.toml: hold.when: "meeting" is not accepted; use a list of meeting, dnd, locked, away '
     'or fullscreen, e.g. ["meeting", "dnd"], or [] to hold never (line 2)'),
    ("[hold]\naway_minutes = 0\n",
     "config.toml: hold.away_minutes: 0 is not accepted; use a whole number from 1 to 240 (line 2)"),
    ("[hold]\nhold_at_most_minutes = true\n",
     "config.toml: hold.hold_at_most_minutes: True is not accepted; use a whole number from 1 to "
     "720 (line 2)"),
    ('[hold]\nmako_modes = "dnd"\n',
     'config.toml: hold.mako_modes: "dnd" is not accepted; use a list of mako mode names, e.g. '
     '["do-not-disturb"] (line 2)'),
    ("[hold]\naway_minute = 5\n",
     'config.toml: hold.away_minute: unknown key (did you mean "away_minutes"?) (line 2)'),
    ('[reminders.a]\ntime = "07:30"\nhold = "no"\n',
     'config.toml: reminders.a.hold: "no" is not accepted; use true or false (false: this reminder '
     'shows even when the person is busy) (line 3)'),
    ("hold = 1\n", "config.toml: hold: must be a table: [hold] (line 1)"),
])
def test_a_bad_hold_setting_is_named_with_what_is_accepted(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_urgency_is_normal_unless_critical_is_asked_for() -> None:
    assert parse("", "config.toml").defaults.urgency == "normal"
    assert parse('[defaults]\nurgency = "critical"\n', "config.toml").defaults.urgency == "critical"
    assert problems('[defaults]\nurgency = "critcal"\n') == [
        'config.toml: defaults.urgency: "critcal" is not accepted; use "normal" or "critical" '
        '(did you mean "critical"?) (line 2)']


@pytest.mark.parametrize(("text", "problem"), [
    ("[stats]\nstreak_goal = 0\n", 'stats.streak_goal: 0 is not accepted; use a whole number from 1 to 20'),
    ("[stats]\nstreak_goal = true\n", "stats.streak_goal: True is not accepted"),
    ('[stats]\nweekly_summary = "sunday 6pm"\n', 'stats.weekly_summary: "sunday 6pm" is not accepted; '
                                                  'use a day and a time, e.g. "sun 18:00", or false'),
    ('[stats]\nweekly_summery = "sun 18:00"\n', 'did you mean "weekly_summary"'),
])
def test_stats_settings_are_checked_with_what_is_accepted(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse(text, "config.toml", ROUTINES)
    assert e.value.message.startswith("config.toml: ") and problem in e.value.message


def test_stats_settings_read_a_goal_and_a_weekly_time() -> None:
    c = parse('[stats]\nstreak_goal = 2\nweekly_summary = "Sunday 18:30"\n', "config.toml", ROUTINES)
    assert (c.stats.streak_goal, c.stats.weekly_summary) == (2, (6, dt.time(18, 30)))
    assert c.stats.weekly_text() == "sun 18:30"
    off = parse("[stats]\nweekly_summary = false\n", "config.toml", ROUTINES)
    assert off.stats.weekly_summary is None and off.stats.weekly_text() == "off"


def test_the_snooze_bounds_are_one_table_for_config_cli_and_requests() -> None:
    import click

    from stretchd.bounds import SNOOZE_MINUTES
    from stretchd.cli.common import Minutes
    from stretchd.store.state import snooze_minutes

    low, high = SNOOZE_MINUTES
    for minutes, ok in ((low, True), (high, True), (low - 1, False), (high + 1, False)):
        try:
            parse(f"[defaults]\nsnooze_minutes = {minutes}\n", "config.toml")
            config_ok = True
        except ConfigError:
            config_ok = False
        try:
            Minutes().convert(str(minutes), None, None)
            cli_ok = True
        except click.BadParameter:
            cli_ok = False
        try:
            snooze_minutes(minutes, parse("", "config.toml"))
            request_ok = True
        except UsageError:
            request_ok = False
        assert (config_ok, cli_ok, request_ok) == (ok, ok, ok), minutes


def test_the_conditions_hold_when_accepts_and_its_default_are_the_condition_objects() -> None:
    from stretchd.config import CONDITIONS, Hold, conditions

    names = tuple(c.name for c in conditions.ALL)
    assert names == CONDITIONS
    assert Hold().when == parse("", "config.toml").hold.when == tuple(c.name for c in conditions.ALL
                                                                       if c.default)
    every = ", ".join(f'"{c.name}"' for c in conditions.ALL)
    assert parse(f"[hold]\nwhen = [{every}]\n", "config.toml").hold.when == CONDITIONS


def test_each_problem_is_a_value_that_reads_as_the_problems_text() -> None:
    """ConfigError keeps its message and .problems as text; .found holds the same problems as
    values (where, what, line), in the same order. A reminder in an inline table has no line."""
    from stretchd.errors import Problem

    with pytest.raises(ConfigError) as caught:
        parse('reminders = { a = { time = "7:3" } }\n[defaults]\nsnooze_minutes = 0\n', "config.toml", ROUTINES)
    assert caught.value.found == (
        Problem("config.toml: defaults.snooze_minutes", "0 is not accepted; use a whole number from 1 to 240", 3),
        Problem("config.toml: reminders.a.time", '"7:3" is not a time; use HH:MM (24-hour), e.g. "07:30"'),
    )
    assert [str(p) for p in caught.value.found] == caught.value.problems
    assert caught.value.message == caught.value.problems[0] == (
        "config.toml: defaults.snooze_minutes: 0 is not accepted; use a whole number from 1 to 240 (line 3)")


def test_invalid_toml_is_a_problem_value_too() -> None:
    from stretchd.errors import Problem

    with pytest.raises(ConfigError) as caught:
        parse("[defaults\n", "config.toml")
    (found,) = caught.value.found
    assert found.where == "config.toml" and found.what.startswith("invalid TOML: ") and found.line is None
    assert caught.value.problems == [caught.value.message] == [str(found)]
    assert Problem("f", "x", 3).anywhere == Problem("f", "x") == Problem("f", "x", 9).anywhere
