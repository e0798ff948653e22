"""schedule / config / service commands: exit codes, messages, and the file left as it should be."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from stretchd.cli import cli


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


def cfg(xdg: Path) -> Path:
    return xdg / "config" / "stretchd" / "config.toml"


def test_schedule_add_writes_the_commented_default_plus_the_new_reminder(xdg: Path) -> None:
    code, out, _ = run("schedule", "add", "lunch", "12:30", "--days", "mon,fri", "--routine", "shotgun")
    assert code == 0 and "daemon is not running" in out
    text = cfg(xdg).read_text()
    assert text.startswith("# stretchd configuration")  # the comments came along
    assert '[reminders.lunch]\ntime = "12:30"\ndays = ["mon", "fri"]\nroutine = "shotgun"\n' in text
    assert "lunch" in run("schedule", "list")[1]


def test_a_refused_edit_leaves_the_file_byte_for_byte(xdg: Path) -> None:
    run("schedule", "add", "lunch", "12:30")
    before = cfg(xdg).read_bytes()
    for args in (["schedule", "set", "lunch", "7:3"], ["schedule", "set", "lunhc", "12:00"],
                 ["schedule", "add", "x", "12:00", "--routine", "nope"],
                 ["schedule", "add", "y", "12:00", "--days", "funday"],
                 ["config", "set", "defaults.max_snoozes", "99"], ["schedule", "remove", "nobody"]):
        code, _out, err = run(*args)
        assert code == 2, args
        assert err.startswith(f"stretchd: {cfg(xdg)}: ") and err.count("\n") == 1, err
        assert "Traceback" not in err
    assert cfg(xdg).read_bytes() == before


def test_config_check_lists_every_problem_and_exits_78(xdg: Path) -> None:
    cfg(xdg).parent.mkdir(parents=True)
    cfg(xdg).write_text('[reminders.a]\ntime = "x"\n[reminders.b]\ntime = "08:00"\nroutine = "no"\n')
    code, _out, err = run("config", "check")
    assert code == 78 and len(err.strip().splitlines()) == 2
    code, _out, err = run("config", "set", "reminders.a.time", "09:00")  # b is still invalid: refused
    assert code == 78 and err == f'stretchd: {cfg(xdg)}: reminders.b.routine: no routine named "no"; known: hips-lower-back, shotgun, si-joints (line 5)\n'
    assert 'time = "x"' in cfg(xdg).read_text()


def test_config_check_ok() -> None:
    code, out, _ = run("config", "check")
    assert code == 0 and "ok, 2 reminders, 3 routines" in out


def test_config_path_and_show(xdg: Path) -> None:
    assert run("config", "path")[1].strip() == str(cfg(xdg))
    code, out, err = run("config", "show")
    assert code == 0 and "[reminders.morning]" in out and "does not exist" in err


def test_config_edit_with_an_editor_that_writes_a_valid_change(xdg: Path, tmp_path: Path) -> None:
    editor = tmp_path / "ed.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/07:30/06:45/" "$1"\n')
    editor.chmod(0o755)
    code, out, err = run("config", "edit", env={"VISUAL": str(editor), "EDITOR": ""})
    assert code == 0 and err == f"saved {cfg(xdg)}\n"
    assert out == "(the daemon is not running; the change applies when it starts)\n"
    assert 'time = "06:45"' in cfg(xdg).read_text()


@pytest.fixture
def no_user_manager(tmp_path: Path) -> dict[str, str]:
    """No user manager runs on CI machines: PATH holds a stand-in systemctl that fails like one."""
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "systemctl"
    fake.write_text("#!/bin/sh\necho 'Failed to connect to bus: No such file or directory' >&2\nexit 1\n")
    fake.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_service_install_without_a_user_manager_writes_the_unit_and_says_what_to_run(
        xdg: Path, no_user_manager: dict[str, str]) -> None:
    code, _out, err = run("service", "install", env=no_user_manager)
    assert code == 1
    assert "systemctl --user daemon-reload && systemctl --user enable --now stretchd.service" in err
    assert (xdg / "config" / "systemd" / "user" / "stretchd.service").exists()


def test_schedule_and_config_changes_speak_in_one_voice_and_say_what_changed(xdg: Path) -> None:
    code, out, _ = run("schedule", "add", "test1", "01:53")
    assert (code, out) == (0, "added test1 at 01:53\n(the daemon is not running; the change applies when it starts)\n")
    assert run("schedule", "set", "test1", "02:10")[1].splitlines()[0] == "test1 is now at 02:10"
    assert run("schedule", "remove", "test1")[1].splitlines()[0] == "removed test1"
    assert run("config", "set", "defaults.snooze_minutes", "1")[1].splitlines()[0] == "defaults.snooze_minutes = 1"


def test_service_status_says_whether_the_daemon_runs_and_exits_1_without_a_user_manager(
        xdg: Path, no_user_manager: dict[str, str]) -> None:
    code, out, _ = run("service", "status", env=no_user_manager)
    assert code == 1
    assert out.splitlines()[-2:] == ["systemd: no user manager (Failed to connect to bus: No such file or directory)",
                                     "daemon: not running"]


def test_schedule_set_says_whether_the_moved_reminder_still_shows_today(xdg: Path) -> None:
    code, out, _ = run("schedule", "set", "morning", "23:59:59")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "morning is now at 23:59:59"
    # Later today (nothing answered yet), unless the day is already past that second.
    assert lines[-1] in ("it shows today at 23:59:59", "next tomorrow at 23:59:59")
