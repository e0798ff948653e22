"""The command line: exit codes, stdout and stderr, for good and bad input."""

from __future__ import annotations

from pathlib import Path

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
