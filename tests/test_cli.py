"""The command line: exit codes, stdout and stderr, for good and bad input."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from stretchd import __version__
from stretchd.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    assert run("--version") == (0, f"stretchd {__version__}\n", "")


def test_every_command_has_help() -> None:
    for args in (["--help"], ["walk", "--help"], ["routines", "--help"],
                 ["routines", "list", "--help"], ["routines", "show", "--help"]):
        code, out, _ = run(*args)
        assert code == 0 and "Usage:" in out


def test_routines_list_shows_name_length_and_source(user_routines: Path) -> None:
    (user_routines / "neck.toml").write_text(
        'title = "Neck"\n[[steps]]\ntitle = "a"\ninstruction = "b"\nhold_seconds = 20\n')
    code, out, err = run("routines", "list")
    assert code == 0 and err == ""
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert set(lines) == {"hips-lower-back", "si-joints", "shotgun", "neck"}
    assert "4 min 2 s" in lines["hips-lower-back"] and "built-in" in lines["hips-lower-back"]
    assert "25 s" in lines["neck"] and "user" in lines["neck"]


def test_a_broken_user_routine_is_a_warning_and_the_rest_list(user_routines: Path) -> None:
    bad = user_routines / "bad.toml"
    bad.write_text("title = \n")
    code, out, err = run("routines", "list")
    assert code == 0 and "shotgun" in out
    assert err.startswith(f"stretchd: warning: skipped {bad}: invalid TOML")
    assert "Traceback" not in err


def test_routines_show_prints_every_step_and_its_sources() -> None:
    code, out, _ = run("routines", "show", "si-joints")
    assert code == 0
    assert "Knee to chest, push against your hands — right side (2 of 2): hold 10 s" in out
    assert "20% of your strength" in out and "health.harvard.edu" in out


def test_an_unknown_routine_is_a_usage_error() -> None:
    code, out, err = run("walk", "hipz-lower-back")
    assert code == 2 and out == ""
    assert err == ('stretchd: no routine named "hipz-lower-back" (did you mean "hips-lower-back"?);'
                   " known: hips-lower-back, shotgun, si-joints\n")


def test_walk_with_output_piped_prints_the_steps_and_exits_0() -> None:
    code, out, _ = run("walk", "shotgun")
    assert code == 0
    assert out.count("Push your knees out against the belt (") == 4


def test_reps_out_of_range_is_a_usage_error() -> None:
    code, _, err = run("walk", "shotgun", "--reps", "9")
    assert code == 2 and "outside" in err and "4-5" in err


def test_status_without_a_daemon_prints_the_next_reminders_and_exits_69() -> None:
    code, out, _err = run("status")
    assert code == 69
    assert "not running" in out
    assert "morning" in out and "evening" in out and "hips-lower-back" in out


def test_status_json_without_a_daemon() -> None:
    import json

    result = CliRunner().invoke(cli, ["status", "--json"], catch_exceptions=False)
    info = json.loads(result.stdout)
    assert result.exit_code == 69 and info["running"] is False
    assert {n["reminder"] for n in info["next"]} == {"morning", "evening"}


@pytest.mark.parametrize(("hours", "said"), [(0, "skipped evening at 21:00"),
                                            (9.5, "skipped evening tomorrow at 21:00")])
def test_skip_without_a_daemon_changes_the_store_and_says_so(
        midday: datetime, hours: float, said: str) -> None:
    """Before 21:00 the next evening is today's; after it, tomorrow's (the clock is moved from
    today's noon, so the answer does not depend on when the suite runs)."""
    import time_machine

    with time_machine.travel(midday + timedelta(hours=hours)):
        code, out, _ = run("skip", "evening")
        assert code == 0 and out.startswith(said) and "daemon is not running" in out
        _, status_out, _ = run("status")
    assert "(skipped)" in next(line for line in status_out.splitlines() if "evening" in line)


def test_skip_an_unknown_reminder_is_a_usage_error() -> None:
    code, _, err = run("skip", "evenin")
    assert code == 2 and 'no reminder named "evenin" (did you mean "evening"?)' in err


def test_pause_and_resume_without_a_daemon() -> None:
    code, out, _ = run("pause", "--for", "2h")
    assert code == 0 and out.startswith("paused until")
    assert "Paused until" in run("status")[1]
    assert run("resume")[1].startswith("resumed")
    assert "Paused until" not in run("status")[1]


def test_pause_needs_exactly_one_of_for_and_until() -> None:
    assert run("pause")[0] == 2
    code, _, err = run("pause", "--for", "soon")
    assert code == 2 and '"soon" is not a duration' in err


def test_an_invalid_config_is_exit_78_with_the_key_named(xdg: Path) -> None:
    cfg = xdg / "config" / "stretchd" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('[reminders.morning]\ntime = "7:3"\n')
    code, out, err = run("status")
    assert code == 78 and out == ""
    assert err == (f'stretchd: {cfg}: reminders.morning.time: "7:3" is not a time; use HH:MM (24-hour), '
                   'e.g. "07:30" (line 2)\n')


@pytest.mark.clock
def test_history_lists_what_happened() -> None:
    run("skip", "morning")
    code, out, _ = run("history", "--days", "3")
    assert code == 0 and "morning" in out and "skipped" in out


def test_status_does_not_import_the_scheduler_the_notifier_or_asyncio() -> None:
    import subprocess
    import sys

    probe = ("import sys; from stretchd.cli import cli\n"
             "try: cli(['status'])\nexcept SystemExit: pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('apscheduler', 'dbus_fast', 'rich', 'asyncio', 'ssl')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.clock
def test_a_long_history_is_summarised_a_day_unless_all_is_asked(xdg: Path) -> None:
    from datetime import datetime, timedelta

    from stretchd import paths
    from stretchd.store.history import History, Kind, Status

    now = datetime.now().astimezone()
    with History(paths.database_file()) as h:
        for i in range(600):
            at = now - timedelta(hours=i)
            h.record("morning", at.date().isoformat(), at, Kind.SHOWN if i % 2 else Kind.SKIPPED, at,
                     status=Status.SHOWING if i % 2 else Status.SKIPPED)
    code, out, err = run("history", "--days", "30")
    assert code == 0 and "summary a day" in err
    first = out.splitlines()[0]
    assert first.startswith((now - timedelta(hours=599)).date().isoformat())
    assert "shown" in first and "skipped" in first
    assert len(run("history", "--days", "30", "--all")[1].splitlines()) == 600


def test_bare_stretchd_prints_the_help_and_exits_0() -> None:
    code, out, err = run()
    assert code == 0 and err == ""
    assert out.startswith("Usage: ") and "Stretch reminders for stiff hips" in out and "walk" in out


@pytest.mark.clock
def test_a_skip_of_tomorrows_reminder_says_tomorrow_at() -> None:
    run("skip", "morning")
    code, out, _ = run("skip", "morning")  # today's (or, past 07:30, tomorrow's) is skipped already
    assert code == 0 and " at 07:30 (the daemon is not running" in out and "at tomorrow" not in out


def test_the_command_list_is_not_cut_off_in_an_80_column_terminal() -> None:
    code, out, _ = run("--help")
    commands = out.split("Commands:\n", 1)[1].splitlines()
    assert code == 0 and len(commands) == len(cli.commands) == 16
    assert not [line for line in commands if line.endswith("...")]


@pytest.mark.clock
def test_status_shows_a_pause_and_how_to_end_it() -> None:
    run("pause", "--for", "2h")
    code, out, _ = run("status")
    assert code == 69
    (line,) = [x for x in out.splitlines() if x.startswith("Paused until ")]
    assert line.endswith("(`stretchd resume` ends it now)")
    import re

    assert re.fullmatch(r"Paused until (tomorrow )?\d\d:\d\d \(.*", line)  # a whole minute
    run("resume")
    assert "Paused" not in run("status")[1]


def test_help_texts_give_no_dated_example_and_say_one_thing_about_history_rows() -> None:
    import re

    pause_help = run("pause", "--help")[1]
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", pause_help)  # a dated example goes stale
    history_help = " ".join(run("history", "--help")[1].split())
    assert "--all List every row, even past 500 (without it, a summary a day)." in history_help


@pytest.mark.parametrize(("given", "said"), [
    ("9999", "9999 minutes is out of range; snooze for 1 to 240 minutes"),
    ("0", "0 minutes is out of range; snooze for 1 to 240 minutes"),
    ("ten", '"ten" is not a number of minutes; use a whole number from 1 to 240, e.g. 15'),
    ("-5", '"-5" is not a number of minutes; use a whole number from 1 to 240, e.g. 15'),
])
def test_a_snooze_length_out_of_range_is_told_from_one_that_is_no_number(given: str, said: str) -> None:
    code, out, err = run("snooze", "--", given)
    assert (code, out) == (2, "") and said in err
