"""Notification servers' quirks, with a small server of ours on the test's session bus (the
harness's fake server): one without buttons, and one that sends the activation token of
the notification spec 1.3 before a button's ActionInvoked."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.desktop import Desktop
from harness.history import events
from harness.kit import MORNING, DaemonProcess, require, stand_in_config, wait_for

pytestmark = pytest.mark.clock  # fake dates: CI runs these again a year ahead

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(desktop: Desktop) -> Iterator[Any]:
    """Start the fake server (dunst gives way to it) with the flags given."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(*flags: str) -> None:
        desktop.kill_server()
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "harness.fake_server", "--name", "test-server", *flags],
            env={**desktop.env, "PYTHONPATH": str(ROOT)}, cwd=ROOT))
        wait_for(lambda: desktop.server_owner() is not None, 10, "the fake server")

    yield start
    for p in procs:
        p.terminate()
        p.wait(5)


def daemon(tmp_path: Path, desktop: Desktop, daemons: list[Any]) -> DaemonProcess:
    require("faketime")
    d = DaemonProcess(tmp_path, dict(desktop.env), faketime="2026-11-24 07:29:58")
    daemons.append(d)
    d.wait_ready()
    return d


@pytest.mark.compat("a server without buttons (stand-in)", "the commands to type, in the body")
def test_a_server_without_buttons_gets_the_commands_to_type_in_the_body(
        tmp_path: Path, desktop: Desktop, server: Any, daemons: list[Any], write_config: Any) -> None:
    server("--no-actions")
    write_config(MORNING)
    daemon(tmp_path, desktop, daemons)
    n = desktop.wait_notify("Time to stretch", timeout=20)
    assert n["body"] == ("Morning stretch: Shotgun (SI joints), 40 s · you need a belt\n"
                         "This desktop shows no buttons; in a terminal: stretchd walk shotgun · "
                         "stretchd snooze · stretchd skip")


@pytest.mark.compat("a server of notification spec 1.3 (stand-in)",
                    "its ActivationToken reaches the terminal Start opens")
def test_the_activation_token_sent_before_start_reaches_the_terminal(
        tmp_path: Path, xdg: Path, desktop: Desktop, server: Any, daemons: list[Any],
        write_config: Any) -> None:
    server()
    seen = tmp_path / "terminal-env"
    terminal = ["sh", "-c", f'echo "$XDG_ACTIVATION_TOKEN $DESKTOP_STARTUP_ID" > {seen}', "sh"]
    write_config(f"[defaults]\nterminal = {json.dumps(terminal)}\n" + MORNING)
    daemon(tmp_path, desktop, daemons)
    n = desktop.wait_notify("Time to stretch", timeout=20)
    assert "This desktop shows no buttons" not in n["body"]
    subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.Notifications",
                    "/org/freedesktop/Notifications", "org.stretchd.Test.Press", "string:start",
                    "string:activation-42"], env=desktop.env, check=True, capture_output=True)
    wait_for(lambda: seen.exists() and seen.read_text().endswith("\n"), 10, "the terminal")
    assert seen.read_text() == "activation-42 activation-42\n"
    wait_for(lambda: events()[-1:] == [("morning", "started")], 5, "the started row")


XFCE = "/usr/lib/x86_64-linux-gnu/xfce4"
A11Y_BUS = "/usr/libexec/at-spi-bus-launcher"


def atspi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """harness/atspi.py in the desktop's session: `press LABEL`, `buttons`, ..."""
    return subprocess.run([sys.executable, "-m", "harness.atspi", *args],
                          env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT, capture_output=True,
                          text=True, timeout=30)


@pytest.fixture
def xfce4_notifyd(desktop: Desktop) -> dict[str, str]:
    """xfce4-notifyd in place of dunst, with its settings daemon and the accessibility bus
    it registers on (started first: GTK looks for it once, at start). Its environment."""
    notifyd, xfconfd = f"{XFCE}/notifyd/xfce4-notifyd", f"{XFCE}/xfconf/xfconfd"
    require(notifyd, xfconfd, A11Y_BUS, "xdotool")
    desktop.kill_server()
    env = {**desktop.env, "LANG": "C.UTF-8"}
    env.pop("NO_AT_BRIDGE", None)
    desktop.spawn([A11Y_BUS, "--launch-immediately"], env=env, stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL)
    wait_for(lambda: subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus", "/org/a11y/bus",
         "org.a11y.Bus.GetAddress"], env=env, capture_output=True).returncode == 0, 10,
        "the accessibility bus")
    desktop.spawn([xfconfd], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # its settings
    desktop.spawn([notifyd], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: desktop.server_owner() is not None, 15, "xfce4-notifyd")
    return env


@pytest.mark.compat("xfce4-notifyd, on X11", "shown with Start, Snooze and Skip")
@pytest.mark.compat("xfce4-notifyd, on X11", "a click on it dismisses it, recorded")
def test_xfce4_notifyd_shows_the_buttons_and_a_click_on_it_is_a_dismissal(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any,
        xfce4_notifyd: dict[str, str]) -> None:
    """xfce4-notifyd has buttons but no action for a click on the body: such a click closes
    it (reason 2, dismissed), which is recorded; Start is the button."""
    env = xfce4_notifyd
    write_config(MORNING)
    daemon(tmp_path, desktop, daemons)
    n = desktop.wait_notify("Time to stretch", timeout=20)
    assert [label for key, label in n["actions"].items() if key != "default"] == ["Start", "Snooze 10 min", "Skip"]
    assert "default" not in n["actions"]  # xfce4-notifyd runs no click action: none is sent
    assert "This desktop shows no buttons" not in n["body"]
    def dismissed() -> bool:
        return events()[-1:] == [("morning", "dismissed")]

    def click_on_its_title() -> bool:
        """A click where the window is now (it may still be sliding in on a busy machine);
        then until the dismissal is recorded, or a few seconds to click again."""
        window = subprocess.run(["xdotool", "search", "--class", "xfce4-notifyd"], env=env,
                                capture_output=True, text=True).stdout.split()[-1:]
        if window:
            shape = dict(line.split("=", 1) for line in subprocess.run(
                ["xdotool", "getwindowgeometry", "--shell", window[0]], env=env, capture_output=True,
                text=True).stdout.split() if "=" in line)
            if "X" in shape:
                x, y = int(shape["X"]) + 20, int(shape["Y"]) + 20  # on the title, off the buttons
                subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], env=env)
        with contextlib.suppress(AssertionError):
            wait_for(dismissed, 3, "the dismissed row")
        return dismissed()

    wait_for(click_on_its_title, 60, "a click on its title to be recorded as a dismissal")


@pytest.mark.compat("xfce4-notifyd, on X11", "Snooze, Skip and Start (pressed through AT-SPI)")
def test_xfce4_notifyd_buttons_each_reach_the_daemon(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any,
        xfce4_notifyd: dict[str, str]) -> None:
    """Each of its buttons, pressed as a screen reader presses it, does what it says."""
    started = tmp_path / "started"
    write_config(stand_in_config(started, morning="07:30", noon="07:32"))
    d = daemon(tmp_path, desktop, daemons)

    def shown(since: int, reminder: str) -> int:
        n = desktop.wait_notify(lambda n: n["body"].lower().startswith(reminder), timeout=30, since=since)
        assert n["error"] is None, n
        return len(desktop.notifications())

    def press(label: str, reminder: str, kind: str) -> None:
        out = atspi(xfce4_notifyd, "press", label, "--timeout", "10")
        assert out.returncode == 0, out.stderr
        wait_for(lambda: events()[-1:] == [(reminder, kind)], 10, f"{kind}: {events()}")
        d.step_to_next()  # to 3 s before the next one due

    seen = shown(0, "morning")
    labels = wait_for(lambda: json.loads(atspi(xfce4_notifyd, "buttons", "--app", "xfce4-notifyd").stdout
                                         or "[]"), 10, "its window's buttons")
    assert labels == ["Start", "Snooze 1 min", "Skip"]
    press("Snooze 1 min", "morning", "snoozed")
    seen = shown(seen, "morning")  # back at the snooze's end
    press("Skip", "morning", "skipped")
    shown(seen, "noon")
    press("Start", "noon", "started")
    wait_for(lambda: started.exists() and "walk shotgun --reminder noon" in started.read_text(),
             10, "the terminal stand-in to run")
