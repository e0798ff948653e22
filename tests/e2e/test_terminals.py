"""Start opens the walkthrough in the terminals people use, on the headless X desktop (dunst
on Xvfb): each found through $TERMINAL (and xdg-terminal-exec when it is there), and the
walkthrough running inside it (its row in the history, its process the terminal's child)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.desktop import Desktop
from harness.history import events, running_walk
from harness.kit import MORNING, DaemonProcess, ancestors, require, wait_for

pytestmark = pytest.mark.clock  # fake dates: CI runs these again a year ahead

# The process that shows the terminal's window, by the terminal asked for.
WINDOW = {"xterm": "xterm", "xfce4-terminal": "xfce4-terminal", "kitty": "kitty",
          "alacritty": "alacritty", "gnome-terminal": "gnome-terminal-"}


def start_from_the_notification(tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any],
                                env: dict[str, str]) -> int:
    require("faketime")
    d = DaemonProcess(tmp_path, env, faketime="2026-11-24 07:29:58")
    daemons.append(d)
    d.wait_ready()
    desktop.wait_notify("Time to stretch", timeout=20)
    desktop.click("Start")
    pid = wait_for(lambda: running_walk(), 30, "the walkthrough to start in the terminal")
    assert isinstance(pid, int)
    return pid


def close(pid: int) -> None:
    """The walkthrough and its terminal go (their own session: the daemon's kill does not)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(os.getpgid(pid), signal.SIGTERM)


@pytest.mark.compat("{} (terminal), on X11", "Start opens the walkthrough in it")
@pytest.mark.parametrize("name", list(WINDOW))
def test_start_opens_the_walkthrough_in_the_terminal_named_by_terminal(
        name: str, tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any],
        write_config: Any) -> None:
    require(name)
    write_config(MORNING)
    env = {**desktop.env, "TERMINAL": name}
    if name == "gnome-terminal":
        # Its windows belong to gnome-terminal-server, which a desktop's bus activates; the
        # test's bus activates nothing, so it is started here, on that bus.
        server = "/usr/libexec/gnome-terminal-server"
        require(server)
        # No accessibility bus either: GTK would wait for one to be activated.
        env.update(NO_AT_BRIDGE="1", LANG="C.UTF-8")  # and it refuses a non-UTF-8 locale
        desktop.spawn([server], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: subprocess.run(
            ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/",
             "org.freedesktop.DBus.GetNameOwner", "string:org.gnome.Terminal"], env=desktop.env,
            capture_output=True).returncode == 0, 10, "gnome-terminal-server")
    pid = start_from_the_notification(tmp_path, xdg, desktop, daemons, env)
    try:
        assert any(n.startswith(WINDOW[name]) for n in ancestors(pid)), ancestors(pid)
    finally:
        close(pid)


def window_size(pid: int, env: dict[str, str]) -> tuple[int, int]:
    """The size in pixels of the window of the terminal the walkthrough (pid) runs in."""
    terminal = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])

    def window() -> str:
        found = subprocess.run(["xdotool", "search", "--pid", str(terminal)], env=env,
                               capture_output=True, text=True).stdout.split()
        return found[-1] if found else ""

    wid = str(wait_for(window, 10, "the terminal's window"))
    shell = subprocess.run(["xdotool", "getwindowgeometry", "--shell", wid], env=env,
                           capture_output=True, text=True, check=True).stdout
    geometry = dict(line.split("=", 1) for line in shell.split())
    return int(geometry["WIDTH"]), int(geometry["HEIGHT"])


@pytest.mark.compat("xterm (terminal), on X11", "opens maximized: the walkthrough read from the floor")
@pytest.mark.parametrize("window", ["maximized", "normal"])
def test_start_opens_the_terminal_maximized_unless_told_otherwise(
        window: str, tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any],
        write_config: Any) -> None:
    """xterm's default window (80x24 of a 6x13 font) is 484x316 px: digits 65 px tall on a
    1280x800 screen. Maximized (xterm's own -maximized) it takes the screen."""
    require("xterm", "xdotool")
    write_config(f'[walkthrough]\nwindow = "{window}"\n' + MORNING)
    env = {**desktop.env, "TERMINAL": "xterm"}
    pid = start_from_the_notification(tmp_path, xdg, desktop, daemons, env)
    try:
        screen = tuple(int(n) for n in desktop.screen.split("x")[:2])
        size = window_size(pid, desktop.env)
        if window == "maximized":
            assert size == screen, (size, screen)
        else:
            assert size[0] < screen[0] / 2 and size[1] < screen[1] / 2, (size, screen)
    finally:
        close(pid)


@pytest.mark.compat("xdg-terminal-exec (a stand-in), on X11", "chosen first; Start opens the walkthrough")
def test_xdg_terminal_exec_is_used_first_when_there_is_no_terminal_variable(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    require("xterm")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # A stand-in for the freedesktop default-terminal launcher (not packaged in Debian 12).
    stand_in = bin_dir / "xdg-terminal-exec"
    stand_in.write_text(f'#!/bin/sh\nexec {shutil.which("xterm")} -T via-xdg-terminal-exec -e "$@"\n')
    stand_in.chmod(0o755)
    write_config(MORNING)
    env = {k: v for k, v in desktop.env.items() if k != "TERMINAL"}
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    pid = start_from_the_notification(tmp_path, xdg, desktop, daemons, env)
    try:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        assert "via-xdg-terminal-exec" in Path(f"/proc/{parent}/cmdline").read_bytes().decode()
    finally:
        close(pid)


@pytest.mark.compat("gnome-terminal (terminal), on X11",
                    "outside GNOME (no gnome-terminal-server): the next terminal found opens the walkthrough")
def test_a_terminal_that_cannot_open_a_window_here_gives_way_to_the_next_one_found(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    """x-terminal-emulator is gnome-terminal on Debian; outside GNOME (here: a bus that starts
    no gnome-terminal-server) it exits at once, saying so. The walkthrough opens in the next
    terminal found; the log says what happened."""
    require("gnome-terminal", "x-terminal-emulator", "kitty")
    assert os.path.realpath(shutil.which("x-terminal-emulator") or "").endswith("gnome-terminal.wrapper")
    write_config(MORNING)
    env = {k: v for k, v in desktop.env.items() if k != "TERMINAL"}
    env.update(NO_AT_BRIDGE="1", LANG="C.UTF-8")
    pid = start_from_the_notification(tmp_path, xdg, desktop, daemons, env)
    try:
        assert "kitty" in ancestors(pid), ancestors(pid)
        d = daemons[-1]
        assert ("morning: gnome-terminal could not open a window: Error creating terminal: The name "
                "org.gnome.Terminal was not provided by any .service files; trying kitty") in d.err(), d.err()
        assert ("morning", "start failed") not in events()
    finally:
        close(pid)


@pytest.mark.compat("gnome-terminal (terminal), on X11",
                    "configured, outside GNOME: start failed with its words, the reminder shown again")
def test_a_configured_terminal_that_cannot_open_a_window_shows_the_reminder_again_saying_why(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    require("gnome-terminal")
    write_config('[defaults]\nterminal = ["gnome-terminal", "--"]\n' + MORNING)
    env = {**desktop.env, "NO_AT_BRIDGE": "1", "LANG": "C.UTF-8"}
    d = DaemonProcess(tmp_path, env, faketime="2026-11-24 07:29:58")
    daemons.append(d)
    d.wait_ready()
    desktop.wait_notify("Time to stretch", timeout=20)
    mark = len(desktop.notifications())
    desktop.click("Start")
    again = desktop.wait_notify("Time to stretch", timeout=60, since=mark)
    assert ("Start did not work: gnome-terminal could not open a window: Error creating terminal: The "
            "name org.gnome.Terminal was not provided by any .service files;") in again["body"], again["body"]
    wait_for(lambda: [k for _, k in events()] == ["shown", "started", "start failed", "shown"], 10,
             "shown again in the history")
    assert running_walk() is None
