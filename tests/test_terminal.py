"""A terminal is found by the configured list, $TERMINAL or a search, and started without a shell."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from stretchd.daemon.ports import TerminalLauncher, walk_argv
from stretchd.desktop.terminal import EMULATORS, SEARCH_ORDER, SystemTerminal, command, find, launch
from stretchd.errors import ConfigError, StretchdError


class FakeWhich:
    """A PATH holding exactly the given programs, each in /usr/bin unless given as a path."""

    def __init__(self, installed: Iterable[str]) -> None:
        self.installed = set(installed)

    def __call__(self, name: str) -> str | None:
        if name not in self.installed:
            return None
        return name if "/" in name else f"/opt/fake-bin/{name}"


ALL = FakeWhich(SEARCH_ORDER)
NONE = FakeWhich(())


def test_terminal_variable_comes_first() -> None:
    assert find("auto", {"TERMINAL": "xterm"}, ALL) == [
        "/opt/fake-bin/xterm", "-T", "stretchd", "-e"
    ]


@pytest.mark.parametrize("position", range(len(SEARCH_ORDER)))
def test_without_terminal_variable_the_search_takes_the_first_installed_in_order(position: int) -> None:
    """xdg-terminal-exec, x-terminal-emulator, gnome-terminal, konsole, kitty, alacritty, foot, xterm."""
    prefix = find("auto", {}, FakeWhich(SEARCH_ORDER[position:]))
    assert prefix is not None
    assert prefix[0] == f"/opt/fake-bin/{SEARCH_ORDER[position]}"


def test_the_search_order_is_the_documented_one() -> None:
    assert SEARCH_ORDER == ("xdg-terminal-exec", "x-terminal-emulator", "gnome-terminal", "konsole",
                            "kitty", "alacritty", "foot", "xterm")


@pytest.mark.parametrize(("name", "prefix"), [
    ("xdg-terminal-exec", ["/opt/fake-bin/xdg-terminal-exec"]),
    ("x-terminal-emulator", ["/opt/fake-bin/x-terminal-emulator", "-T", "stretchd", "-e"]),
    ("gnome-terminal", ["/opt/fake-bin/gnome-terminal", "--title", "stretchd", "--"]),
    ("konsole", ["/opt/fake-bin/konsole", "-e"]),
    ("kitty", ["/opt/fake-bin/kitty", "--title", "stretchd"]),
    ("alacritty", ["/opt/fake-bin/alacritty", "--title", "stretchd", "-e"]),
    ("foot", ["/opt/fake-bin/foot", "--title", "stretchd"]),
    ("xterm", ["/opt/fake-bin/xterm", "-T", "stretchd", "-e"]),
])
def test_each_known_emulator_gets_its_own_run_flag(name: str, prefix: list[str]) -> None:
    assert find("auto", {}, FakeWhich([name])) == prefix


def test_the_program_argv_follows_the_prefix_unchanged() -> None:
    argv = ["/opt/stretchd", "walk", "hips-lower-back", "--reminder", "morning"]
    assert command(["/opt/fake-bin/gnome-terminal", "--"], argv) == ["/opt/fake-bin/gnome-terminal", "--", *argv]


def test_terminal_variable_as_a_path_is_recognised_by_its_basename() -> None:
    assert find("auto", {"TERMINAL": "/opt/bin/konsole"}, FakeWhich(["/opt/bin/konsole"])) == [
        "/opt/bin/konsole", "-e"
    ]


def test_an_unknown_terminal_variable_gets_dash_e() -> None:
    assert find("auto", {"TERMINAL": "urxvt"}, FakeWhich(["urxvt", "kitty"])) == ["/opt/fake-bin/urxvt", "-e"]


def test_terminal_variable_with_arguments_is_split_like_a_shell_would() -> None:
    env = {"TERMINAL": "'/opt/my term/st' -f 'Mono 12'"}
    assert find("auto", env, FakeWhich(["/opt/my term/st"])) == ["/opt/my term/st", "-f", "Mono 12", "-e"]


def test_terminal_variable_with_arguments_keeps_them_and_adds_the_known_flag() -> None:
    env = {"TERMINAL": "gnome-terminal --window"}
    assert find("auto", env, ALL) == ["/opt/fake-bin/gnome-terminal", "--window", "--"]


@pytest.mark.parametrize(("value", "prefix"), [
    ("alacritty -e", ["/opt/fake-bin/alacritty", "-e"]),
    ("wezterm start", ["/opt/fake-bin/wezterm", "start", "--"]),
    ("wezterm start --", ["/opt/fake-bin/wezterm", "start", "--"]),
])
def test_terminal_variable_that_already_ends_with_its_run_flag_does_not_get_it_twice(
    value: str, prefix: list[str]
) -> None:
    assert find("auto", {"TERMINAL": value}, FakeWhich(["alacritty", "wezterm"])) == prefix


def test_terminal_variable_xfce4_terminal_uses_dash_x_because_its_dash_e_takes_one_string() -> None:
    assert find("auto", {"TERMINAL": "xfce4-terminal"}, FakeWhich(["xfce4-terminal"])) == [
        "/opt/fake-bin/xfce4-terminal", "--title", "stretchd", "-x"
    ]


@pytest.mark.parametrize("value", ["", "   ", "not-installed", "kitty 'unbalanced"])
def test_an_unusable_terminal_variable_falls_through_to_the_search(value: str) -> None:
    assert find("auto", {"TERMINAL": value}, FakeWhich(["xterm", "kitty"])) == [
        "/opt/fake-bin/kitty", "--title", "stretchd"
    ]


def test_a_configured_list_is_used_as_is_before_terminal_variable_and_search() -> None:
    setting = ["kitty", "--single-instance", "--"]
    assert find(setting, {"TERMINAL": "xterm"}, ALL) == setting


def test_a_configured_list_whose_program_is_missing_names_the_key_and_program() -> None:
    with pytest.raises(ConfigError) as raised:
        find(["wezterm", "start", "--"], {}, ALL)
    assert raised.value.message == 'config.toml: defaults.terminal: program "wezterm" not found; ' \
        'use "auto" or install it'


def test_an_empty_configured_list_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"^config\.toml: defaults\.terminal: an empty list"):
        find([], {}, ALL)


def test_a_string_other_than_auto_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r'^config\.toml: defaults\.terminal: "kitty" is not "auto"'):
        find("kitty", {}, ALL)


def test_nothing_found_is_none() -> None:
    assert find("auto", {"TERMINAL": "xterm"}, NONE) is None


def test_the_default_which_searches_the_given_environments_path(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    foot = bin_dir / "foot"
    foot.write_text("#!/bin/sh\n")
    foot.chmod(0o755)
    assert find("auto", {"PATH": str(bin_dir)}) == [str(foot), "--title", "stretchd"]


def test_launch_with_nothing_found_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StretchdError) as raised:
        launch("auto", ["stretchd", "walk"], {"PATH": str(tmp_path)})
    assert raised.value.message == (
        "no terminal found; set defaults.terminal in config.toml, or $TERMINAL"
    )


def test_launch_of_a_program_that_cannot_be_executed_is_a_one_line_error() -> None:
    with pytest.raises(StretchdError) as raised:
        env = {"TERMINAL": "/nonexistent/xterm"}
        launch("auto", ["stretchd", "walk"], env, FakeWhich(["/nonexistent/xterm"]))
    assert raised.value.message == (
        "cannot start terminal /nonexistent/xterm: No such file or directory; "
        "set defaults.terminal in config.toml, or $TERMINAL"
    )
    assert "\n" not in raised.value.message


REPORTER = """
import json, os, sys
info = {"argv": sys.argv[2:], "sid": os.getsid(0), "pid": os.getpid(),
        "stdin": os.readlink("/proc/self/fd/0"), "stdout": os.readlink("/proc/self/fd/1")}
with open(sys.argv[1], "w") as f:
    json.dump(info, f)
"""


def reporting_terminal(out: Path) -> list[str]:
    """A configured "terminal" that records how it was started in `out`."""
    return [sys.executable, "-c", REPORTER, str(out)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_launch_starts_the_program_with_its_arguments_verbatim_never_through_a_shell(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    argv = ["walk", "a b", "$HOME", "*", "; echo pwned", "'"]
    process = launch(reporting_terminal(out), argv, {"PATH": "/usr/bin:/bin"})
    assert process.proc.wait(timeout=30) == 0
    assert json.loads(out.read_text())["argv"] == argv


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_launch_detaches_the_terminal_into_its_own_session_without_our_stdio(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    process = launch(reporting_terminal(out), ["walk"], {})
    assert process.proc.wait(timeout=30) == 0
    info = json.loads(out.read_text())
    assert info["sid"] == info["pid"]
    assert info["stdin"] == info["stdout"] == "/dev/null"


def test_launch_passes_the_given_environment(tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = 'printf %s "$STRETCHD_PROBE" > "$1"'
    env = {"PATH": "/usr/bin:/bin", "STRETCHD_PROBE": "yes"}
    process = launch(["sh", "-c", script, "sh"], [str(out)], env)
    assert process.proc.wait(timeout=30) == 0
    assert out.read_text() == "yes"


def test_the_system_terminal_is_a_terminal_launcher(tmp_path: Path) -> None:
    out = tmp_path / "out"
    launcher: TerminalLauncher = SystemTerminal(["sh", "-c", 'echo "$@" > "$0"', str(out)])
    launcher.launch(["walk", "si-joints"])
    deadline = time.monotonic() + 30
    while not (out.exists() and out.read_text().endswith("\n")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert out.read_text() == "walk si-joints\n"


def test_an_activation_token_reaches_the_terminal_as_xdg_activation_token_and_startup_id(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = 'echo "$XDG_ACTIVATION_TOKEN $DESKTOP_STARTUP_ID" > "$0"'
    SystemTerminal(["sh", "-c", script, str(out)], env={"PATH": "/usr/bin:/bin"}).launch(
        ["walk"], token="tok-42")
    deadline = time.monotonic() + 30
    while not (out.exists() and out.read_text().endswith("\n")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert out.read_text() == "tok-42 tok-42\n"


def test_the_system_terminal_raises_when_nothing_is_found(tmp_path: Path) -> None:
    with pytest.raises(StretchdError, match=r"^no terminal found"):
        SystemTerminal("auto", env={"PATH": str(tmp_path)}).launch(["walk"])


def test_walk_argv_runs_stretchd_walk_with_this_python() -> None:
    assert walk_argv("hips-lower-back", "morning") == [
        sys.executable, "-m", "stretchd", "walk", "hips-lower-back", "--reminder", "morning"
    ]
    assert walk_argv() == [sys.executable, "-m", "stretchd", "walk"]


def test_walk_argv_really_runs_the_walkthrough() -> None:
    """Piped, the walkthrough prints its steps and exits 0, which proves the argv is runnable."""
    result = subprocess.run(walk_argv("shotgun"), capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout



def test_auto_lists_each_terminal_once_x_terminal_emulator_being_gnome_terminal_by_another_name(
        tmp_path: Path) -> None:
    from stretchd.desktop.terminal import candidates

    for name in ("gnome-terminal.wrapper", "gnome-terminal", "xterm"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    (tmp_path / "x-terminal-emulator").symlink_to(tmp_path / "gnome-terminal.wrapper")
    found = candidates("auto", {"PATH": str(tmp_path)})
    # Run by its own name, where its own flags work (the wrapper drops --maximize).
    assert [p[0] for p in found] == [str(tmp_path / "gnome-terminal"), str(tmp_path / "xterm")]
    (tmp_path / "gnome-terminal").unlink()
    found = candidates("auto", {"PATH": str(tmp_path)}, window="maximized")
    assert found[0] == [str(tmp_path / "x-terminal-emulator"), "-T", "stretchd", "-e"]


@pytest.mark.parametrize(("name", "maximized", "fullscreen"), [
    ("xterm", ["-maximized"], ["-fullscreen"]),
    ("gnome-terminal", ["--maximize"], ["--full-screen"]),
    ("kitty", ["--start-as=maximized"], ["--start-as=fullscreen"]),
    ("alacritty", ["-o", "window.startup_mode=Maximized"], ["-o", "window.startup_mode=Fullscreen"]),
    ("foot", ["--maximized"], ["--fullscreen"]),
    ("konsole", [], ["--fullscreen"]),
    ("xdg-terminal-exec", [], []),
])
def test_each_known_emulator_opens_maximized_or_fullscreen_with_its_own_flag(
        name: str, maximized: list[str], fullscreen: list[str]) -> None:
    normal = find("auto", {}, FakeWhich([name]))
    assert normal is not None
    for window, flags in (("maximized", maximized), ("fullscreen", fullscreen), ("normal", [])):
        prefix = find("auto", {}, FakeWhich([name]), window=window)
        assert prefix is not None and [w for w in prefix if w not in normal] == flags
        # The flags come before the run flag: what follows it is the program's argv.
        run = EMULATORS[name].run
        assert prefix[len(prefix) - len(run):] == list(run)


@pytest.mark.parametrize("flags", [["xterm", "-maximized"], ["xfce4-terminal", "--maximize"]])
def test_the_window_flag_reaches_the_terminal_variable_by_name_alone(flags: list[str]) -> None:
    prefix = find("auto", {"TERMINAL": flags[0]}, FakeWhich([flags[0]]), window="maximized")
    assert prefix is not None and flags[1] in prefix


def test_a_configured_list_and_a_terminal_variable_with_options_run_as_written() -> None:
    assert find(["kitty", "--"], {}, ALL, window="fullscreen") == ["kitty", "--"]
    assert find("auto", {"TERMINAL": "kitty --single-instance"}, ALL, window="maximized") == [
        "/opt/fake-bin/kitty", "--single-instance"]


def test_x_terminal_emulator_that_is_xterm_opens_maximized_as_xterm(tmp_path: Path) -> None:
    from stretchd.desktop.terminal import candidates

    (tmp_path / "xterm").write_text("#!/bin/sh\n")
    (tmp_path / "xterm").chmod(0o755)
    (tmp_path / "x-terminal-emulator").symlink_to(tmp_path / "xterm")
    (found,) = candidates("auto", {"PATH": str(tmp_path)}, window="maximized")
    assert found == [str(tmp_path / "xterm"), "-T", "stretchd", "-maximized", "-e"]


def test_a_terminal_that_exits_at_once_saying_why_is_not_clean_and_the_next_one_starts(tmp_path: Path) -> None:
    """gnome-terminal outside GNOME exits 0 at once, its reason on stderr."""
    failing = tmp_path / "gnome-terminal"
    failing.write_text("#!/bin/sh\necho '# AT-SPI: noise' >&2\n"
                       "echo '# Error creating terminal: The name org.gnome.Terminal was not provided' >&2\n")
    failing.chmod(0o755)
    out = tmp_path / "out"
    working = tmp_path / "xterm"
    working.write_text(f'#!/bin/sh\nshift 3\necho "$@" > {out}\n')  # xterm -T stretchd -e ...
    working.chmod(0o755)
    launched = launch("auto", ["walk", "shotgun"], {"PATH": str(tmp_path)})
    assert launched.name == "gnome-terminal"
    launched.proc.wait(timeout=30)
    assert launched.ended() and not launched.clean()
    assert launched.said() == "Error creating terminal: The name org.gnome.Terminal was not provided"
    after = launched.next()
    assert after is not None and after.name == "xterm"
    assert after.proc.wait(timeout=30) == 0 and after.clean()
    assert out.read_text() == "walk shotgun\n"
    assert after.next() is None  # nothing after it
