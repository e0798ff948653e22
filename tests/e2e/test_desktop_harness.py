"""The headless desktop harness, checked with notify-send (libnotify 0.8) as the client.

stretchd's end-to-end tests trust this harness to see what reached the notification
server and to press its buttons the way a user does; these tests earn that trust.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.desktop import Desktop
from harness.kit import require

pytestmark = pytest.mark.e2e

NotifySend = Callable[..., "subprocess.Popen[str]"]


@pytest.fixture
def notify_send(desktop: Desktop) -> NotifySend:
    """notify-send on the test's desktop; `--wait` ones print the chosen action's name."""
    require("notify-send")

    def send(*args: str) -> subprocess.Popen[str]:
        return desktop.spawn(["notify-send", "--app-name=stretchd-test", *args])

    return send


def output(proc: subprocess.Popen[str]) -> str:
    """What a `notify-send --wait` printed by the time it exited (it exits once closed)."""
    out, err = proc.communicate(timeout=5)
    assert proc.returncode == 0, err
    return out.strip()


def test_notify_call_is_seen_with_its_text_and_buttons(
        desktop: Desktop, notify_send: NotifySend) -> None:
    """A test can assert on exactly what the server was asked to show, markup, quotes and
    line breaks included, and on the buttons offered."""
    body = 'Line one\nLine "two" & <b>three</b>'
    notify_send("--action=snooze=Snooze", "--action=skip=Skip", "--wait",
                "Time to stretch", body)

    n = desktop.wait_notify("Time to stretch")
    assert n["summary"] == "Time to stretch"
    assert n["body"] == body
    assert n["app_name"] == "stretchd-test"
    assert n["actions"] == {"snooze": "Snooze", "skip": "Skip"}
    assert n["hints"]["urgency"] == 1  # normal
    assert n["id"] is not None and n["error"] is None
    assert [s["summary"] for s in desktop.shown()] == ["Time to stretch"]
    assert desktop.count() == 1


def test_arrival_time_is_when_the_bus_delivered_it(
        desktop: Desktop, notify_send: NotifySend) -> None:
    """Lateness measurements rest on `time`: the monitor's own receive time, on the clock
    of time.time(), between the moment the client started and the moment we parsed it."""
    before = time.time()
    notify_send("Time to stretch", "now")
    n = desktop.wait_notify("Time to stretch")
    assert before <= n["time"] <= n["seen"] <= time.time()
    assert n["seen"] - n["time"] < 0.5


def test_click_presses_the_named_button(desktop: Desktop, notify_send: NotifySend) -> None:
    """click("Snooze") presses that button, and the sender hears which one."""
    proc = notify_send("--action=snooze=Snooze", "--action=skip=Skip", "--wait",
                       "Time to stretch", "body")
    n = desktop.wait_notify("Time to stretch")

    event = desktop.click("Snooze")

    assert event["id"] == n["id"] and event["action"] == "snooze"
    assert output(proc) == "snooze"
    desktop.wait_count(0)


def test_click_body_invokes_the_default_action(desktop: Desktop, notify_send: NotifySend) -> None:
    """A click on the notification's body invokes the action named "default"."""
    proc = notify_send("--action=default=Open", "--action=skip=Skip", "--wait",
                       "Time to stretch", "body")
    desktop.wait_notify("Time to stretch")

    assert desktop.click_body()["action"] == "default"
    assert output(proc) == "default"


def test_dismiss_closes_it_as_the_user_did(desktop: Desktop, notify_send: NotifySend) -> None:
    """dismiss() closes the notification with reason 2 (dismissed by the user), which is
    what a sender takes as "the user waved it away"."""
    proc = notify_send("--action=snooze=Snooze", "--wait", "Time to stretch", "body")
    n = desktop.wait_notify("Time to stretch")

    closed = desktop.dismiss()

    assert closed["id"] == n["id"] and closed["reason"] == 2
    assert output(proc) == ""  # closed without an action
    assert desktop.count() == 0 and desktop.shown() == []


def test_history_lists_closed_notifications(desktop: Desktop, notify_send: NotifySend) -> None:
    """history() shows what was closed, newest first, as plain dicts."""
    for summary in ("First", "Second"):
        notify_send(summary, f"{summary} body")
        desktop.wait_notify(summary)
    desktop.close_all()

    history = desktop.history()
    assert [(h["summary"], h["body"], h["appname"]) for h in history] == [
        ("Second", "Second body", "stretchd-test"), ("First", "First body", "stretchd-test")]
    assert all(isinstance(h["id"], int) for h in history)


def test_replacement_shows_once(desktop: Desktop, notify_send: NotifySend) -> None:
    """A notification replaced by a newer one (same id) counts once in shown()."""
    notify_send("Time to stretch", "in 5 min")
    first = desktop.wait_notify("Time to stretch")
    notify_send(f"--replace-id={first['id']}", "Time to stretch", "now")
    second = desktop.wait_notify(lambda n: n["body"] == "now")

    assert second["id"] == first["id"]
    assert [s["body"] for s in desktop.shown()] == ["now"]
    assert desktop.count() == 1


def test_server_can_go_away_and_come_back(desktop: Desktop, notify_send: NotifySend) -> None:
    """kill_server() takes the notification server off the bus (so a sender gets an error)
    and start_server() brings a fresh one that takes notifications again."""
    notify_send("--wait", "Before", "body")
    desktop.wait_notify("Before")

    desktop.kill_server()
    assert desktop.server_owner() is None and desktop.shown() == []
    failed = notify_send("Nobody listening", "body")
    failed.communicate(timeout=5)
    assert failed.returncode != 0  # the bus must not start a server of its own

    desktop.start_server()
    since = len(desktop.notifications())
    proc = notify_send("--action=snooze=Snooze", "--wait", "After", "body")
    n = desktop.wait_notify("After", since=since)
    assert [s["summary"] for s in desktop.shown()] == ["After"]
    desktop.click("Snooze")
    assert output(proc) == "snooze"
    assert n["server"] == desktop.server_owner()


def test_stop_leaves_nothing_behind(tmp_path: Path) -> None:
    """Each test's desktop is gone after it, even with a client still waiting on it."""
    require("dbus-daemon", "dbus-monitor", "dbus-send", "Xvfb", "dunst", "dunstctl", "notify-send")
    with Desktop(tmp_path / "desktop") as d:
        client = d.spawn(["notify-send", "--wait", "Left open", "body"])
        d.wait_notify("Left open")
        pids = [*d.pids().values(), client.pid]
        socket = Path(f"/tmp/.X11-unix/X{d.display}")
        bus_path = d.env["DBUS_SESSION_BUS_ADDRESS"].split("path=", 1)[1].split(",", 1)[0]
        assert len(pids) == 5 and socket.exists() and Path(bus_path).exists()

    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # reaped, not a zombie: stop() waited for each
    assert not socket.exists() and not Path(f"/tmp/.X{d.display}-lock").exists()
    assert not Path(bus_path).exists()
