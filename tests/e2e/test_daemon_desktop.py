"""`stretchd run` on a real desktop: dunst on Xvfb, a private session bus, tmux as the terminal.

The daemon runs under faketime so a reminder falls due seconds after it starts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.desktop import Desktop
from harness.history import events
from harness.kit import DaemonProcess, Tmux, require, wait_for, zombies

pytestmark = pytest.mark.clock  # fake dates and moved clocks: CI runs these again a year ahead


@pytest.fixture
def terminal(tmux: Tmux, xdg_env: dict[str, str], desktop: Desktop) -> Tmux:
    """A tmux server the daemon's Start opens windows in."""
    tmux.start(["sh", "-c", "sleep 600"], {**xdg_env, "TERM": "xterm-256color"})
    return tmux


def config(tmux: Tmux, reminders: str, defaults: str = "") -> str:
    argv = json.dumps(["tmux", "-S", str(tmux.socket), "new-window"])
    return f"[defaults]\nterminal = {argv}\n{defaults}\n{reminders}"


def start(tmp_path: Path, desktop: Desktop, daemons: list[Any], at: str = "2026-11-24 07:29:57") -> DaemonProcess:
    require("faketime")
    d = DaemonProcess(tmp_path, dict(desktop.env), faketime=at)
    daemons.append(d)
    d.wait_ready()
    return d


MORNING = '[reminders.morning]\ntime = "07:30"\nroutine = "shotgun"\n'


@pytest.fixture
def showing(tmp_path: Path, desktop: Desktop, terminal: Tmux, daemons: list[Any],
            write_config: Any) -> tuple[DaemonProcess, dict[str, Any]]:
    """A daemon whose 07:30 shotgun reminder has just been shown: the daemon and the Notify."""
    write_config(config(terminal, MORNING))
    d = start(tmp_path, desktop, daemons)
    return d, desktop.wait_notify("Time to stretch", timeout=20)


@pytest.mark.compat("dunst, on X11 (Xvfb)", "shown with Start, Snooze and Skip")
def test_the_notification_has_title_body_and_buttons(
        xdg: Path, showing: tuple[DaemonProcess, dict[str, Any]]) -> None:
    _, n = showing
    assert n["summary"] == "Time to stretch"
    assert n["body"] == "Morning stretch: Shotgun (SI joints), 40 s · you need a belt"
    assert [label for key, label in n["actions"].items() if key != "default"] == [
        "Start", "Snooze 10 min", "Skip"]
    assert n["actions"]["default"] == "Start"  # the body's click, labelled in dunst's menu
    assert n["expire_timeout"] == 0  # it does not expire by itself
    assert n["app_name"] == "stretchd"
    # Attributed to stretchd.desktop (its notification settings), normal urgency by default.
    assert n["hints"]["desktop-entry"] == "stretchd" and n["hints"]["urgency"] == 1
    wait_for(lambda: events() == [("morning", "shown")], 5, "the shown row")


@pytest.mark.compat("dunst, on X11 (Xvfb)", "Start")
def test_start_opens_the_walkthrough_in_the_terminal(
        xdg: Path, desktop: Desktop, terminal: Tmux, showing: Any) -> None:
    desktop.click("Start")
    wait_for(lambda: len(terminal.cmd("list-windows").splitlines()) == 2, 10, "a new window")
    terminal.cmd("select-window", "-t", ":1")
    screen = terminal.wait_screen("Press Enter to begin")
    assert "Shotgun (SI joints)" in screen
    wait_for(lambda: ("morning", "started") in events(), 10, "the started row")
    # The terminal command (tmux new-window) has ended: it is reaped, not left a zombie.
    wait_for(lambda: zombies(showing[0].proc.pid) == [], 5, "the finished terminal to be reaped")


def test_start_with_no_terminal_says_why_on_the_reminder_itself_and_keeps_it(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    write_config('[defaults]\nterminal = ["/nonexistent/term", "-e"]\n' + MORNING)
    start(tmp_path, desktop, daemons)
    desktop.wait_notify("Time to stretch", timeout=20)
    mark = len(desktop.notifications())
    desktop.click("Start")
    again = desktop.wait_notify("Time to stretch", timeout=10, since=mark)
    assert again["body"] == (
        "Morning stretch: Shotgun (SI joints), 40 s · you need a belt\nStart did not work: "
        'config.toml: defaults.terminal: program "/nonexistent/term" not found; use "auto" or '
        "install it. Or run: stretchd walk shotgun")
    assert [label for key, label in again["actions"].items() if key != "default"] == [
        "Start", "Snooze 10 min", "Skip"]
    desktop.sync()
    assert [n["summary"] for n in desktop.notifications()] == ["Time to stretch", "Time to stretch"]
    # Shown, then recorded: the second shown row follows the notification by a moment.
    wait_for(lambda: len(events()) >= 3, 10, "the second shown row")
    assert events() == [("morning", "shown"), ("morning", "start failed"), ("morning", "shown")]


@pytest.mark.compat("dunst, on X11 (Xvfb)", "a click on the body")
def test_a_click_on_the_body_starts_too(
        xdg: Path, desktop: Desktop, terminal: Tmux, showing: Any) -> None:
    desktop.click_body()
    wait_for(lambda: len(terminal.cmd("list-windows").splitlines()) == 2, 10, "a new window")
    wait_for(lambda: ("morning", "started") in events(), 10, "the started row")


@pytest.mark.compat("dunst, on X11 (Xvfb)", "Skip")
def test_skip_records_and_opens_nothing(
        xdg: Path, desktop: Desktop, terminal: Tmux, showing: Any) -> None:
    desktop.click("Skip")
    wait_for(lambda: ("morning", "skipped") in events(), 10, "the skip to be recorded")
    assert len(terminal.cmd("list-windows").splitlines()) == 1
    desktop.wait_count(0)


@pytest.mark.compat("dunst, on X11 (Xvfb)", "a dismissal")
def test_dismissing_is_recorded(
        xdg: Path, desktop: Desktop, terminal: Tmux, showing: Any) -> None:
    desktop.dismiss()
    wait_for(lambda: ("morning", "dismissed") in events(), 10, "the dismissal to be recorded")


@pytest.mark.compat("dunst, on X11 (Xvfb)", "Snooze")
def test_snooze_shows_it_again_later_and_the_last_offers_no_snooze(
        tmp_path: Path, xdg: Path, desktop: Desktop, terminal: Tmux, daemons: list[Any],
        write_config: Any) -> None:
    write_config(config(terminal, MORNING, "snooze_minutes = 1\nmax_snoozes = 1\n"))
    d = start(tmp_path, desktop, daemons)
    first = desktop.wait_notify("Time to stretch", timeout=20)
    mark = len(desktop.notifications())
    desktop.click("Snooze")
    wait_for(lambda: events()[-1:] == [("morning", "snoozed")], 10, "the snooze to be recorded")
    d.step_to_next()  # to 3 s before the snooze's end
    again = desktop.wait_notify("Time to stretch", timeout=20, since=mark)
    assert again["body"] == first["body"]
    assert [label for key, label in again["actions"].items() if key != "default"] == ["Start", "Skip"]
    wait_for(lambda: events() == [("morning", "shown"), ("morning", "snoozed"), ("morning", "shown")],
             5, "shown, snoozed, shown in the history")


def test_cli_snooze_and_skip_act_on_the_notification_showing(
        xdg: Path, desktop: Desktop, showing: tuple[DaemonProcess, dict[str, Any]]) -> None:
    d, _ = showing
    desktop.wait_count(1)
    out = d.cli("snooze", "5")
    assert out.returncode == 0 and out.stdout.startswith("snoozed morning until 07:3")
    desktop.wait_count(0)
    status = json.loads(d.cli("status", "--json").stdout)
    assert status["snoozed"][0]["reminder"] == "morning"


def test_the_daemon_survives_the_notification_server_going_and_coming_back(
        tmp_path: Path, xdg: Path, desktop: Desktop, terminal: Tmux, daemons: list[Any],
        write_config: Any) -> None:
    write_config(config(terminal, MORNING + '[reminders.second]\ntime = "07:30:12"\nroutine = "shotgun"\n'
                                  '[reminders.third]\ntime = "07:30:24"\nroutine = "shotgun"\n'))
    d = start(tmp_path, desktop, daemons)
    desktop.wait_notify("Time to stretch", timeout=20)
    desktop.kill_server()
    d.step_to_next()
    # The second falls due with no server: shown on the console instead, the daemon alive.
    wait_for(lambda: "Second stretch: Shotgun" in d.out(), 20, "the console fallback")
    desktop.start_server()
    d.step_to_next()
    third = desktop.wait_notify(lambda n: n["body"].startswith("Third stretch:"), timeout=25)
    assert third["summary"] == "Time to stretch"
    desktop.click("Skip")
    wait_for(lambda: ("third", "skipped") in events(), 10, "the button to work after the restart")
    assert d.proc.poll() is None
    assert "Traceback" not in d.err()


@pytest.mark.minute
def test_a_reminder_showing_when_the_server_dies_is_shown_again_on_the_console(
        tmp_path: Path, xdg: Path, desktop: Desktop, terminal: Tmux, daemons: list[Any],
        write_config: Any) -> None:
    """The daemon's minute check (a real minute) finds the notification gone with its server."""
    write_config(config(terminal, MORNING))
    d = start(tmp_path, desktop, daemons)
    desktop.wait_notify("Time to stretch", timeout=20)
    desktop.kill_server()
    wait_for(lambda: "Morning stretch: Shotgun" in d.out(), 10 * 60, "the reminder on the console")
    assert "the notification server went away while it showed" in d.err()
    wait_for(lambda: events()[-1] == ("morning", "shown"), 5, "a second shown row")


@pytest.mark.compat("dunst, on X11 (Xvfb)", "critical urgency and the icon")
def test_critical_urgency_and_the_installed_icon_are_sent(
        tmp_path: Path, xdg: Path, desktop: Desktop, terminal: Tmux, daemons: list[Any],
        write_config: Any) -> None:
    """`urgency = "critical"`: GNOME shows it in do-not-disturb and over fullscreen windows."""
    from stretchd import paths
    from stretchd.desktop.service import icon_source

    icon = paths.icon_file()  # where `service install` puts it (the test's XDG_DATA_HOME)
    icon.parent.mkdir(parents=True)
    icon.write_bytes(icon_source().read_bytes())
    write_config(config(terminal, MORNING, defaults='urgency = "critical"'))
    start(tmp_path, desktop, daemons)
    n = desktop.wait_notify("Time to stretch", timeout=20)
    assert n["hints"]["urgency"] == 2
    assert n["app_icon"] == icon.as_uri()


@pytest.mark.compat("dunst, on X11 (Xvfb)", "after a kill -9: the dead notification closed at the next start")
def test_a_notification_left_by_a_killed_daemon_is_closed_at_the_next_start(
        tmp_path: Path, xdg: Path, desktop: Desktop, terminal: Tmux, daemons: list[Any],
        write_config: Any) -> None:
    """Killed, the daemon closes nothing: its notification stays with buttons that lead
    nowhere. The next start finds its id in the store, closes it on the same server, and
    shows the reminder again with buttons that work."""
    write_config(config(terminal, MORNING))
    d = start(tmp_path, desktop, daemons)
    dead = desktop.wait_notify("Time to stretch", timeout=20)
    desktop.wait_count(1)
    d.proc.kill()
    d.proc.wait()
    desktop.sync()
    assert desktop.count() == 1 and not desktop.closed()  # left on screen
    mark = len(desktop.notifications())
    start(tmp_path, desktop, daemons, at="2026-11-24 07:32:00")
    again = desktop.wait_notify("Time to stretch", timeout=20, since=mark)
    wait_for(lambda: [c["id"] for c in desktop.closed()] == [dead["id"]], 10,
             "the dead notification closed")
    desktop.wait_count(1)  # the new one alone
    assert again["id"] != dead["id"]
    desktop.click("Skip")
    wait_for(lambda: events()[-1:] == [("morning", "skipped")], 10, "the skip on the new one")


@pytest.mark.compat("dunst, on X11 (Xvfb)", "a restart: closed at stop, shown again at start")
def test_a_restart_closes_the_notification_and_shows_it_again_once(
        tmp_path: Path, xdg: Path, desktop: Desktop, terminal: Tmux, daemons: list[Any],
        write_config: Any) -> None:
    """Its buttons would lead to a daemon that is gone: the stop closes it, and the next start
    shows the unanswered reminder again, once, and its buttons work."""
    write_config(config(terminal, MORNING))
    d = start(tmp_path, desktop, daemons)
    desktop.wait_notify("Time to stretch", timeout=20)
    desktop.wait_count(1)
    assert d.stop() == 0
    desktop.wait_count(0)  # closed at stop, not left on screen
    mark = len(desktop.notifications())
    start(tmp_path, desktop, daemons, at="2026-11-24 07:32:00")
    again = desktop.wait_notify("Time to stretch", timeout=20, since=mark)
    assert again["body"].startswith("Morning stretch: Shotgun (SI joints), 40 s")
    wait_for(lambda: len(events()) == 2, 10, "the second shown row")
    (_, first), (kind, detail) = events(columns="kind, detail")
    assert (first, kind) == (None, "shown") and detail.startswith("again: stretchd restarted, "), detail
    desktop.click("Skip")
    wait_for(lambda: events()[-1:] == [("morning", "skipped")], 10, "the skip")
    desktop.sync()
    assert len([n for n in desktop.notifications() if n["summary"] == "Time to stretch"]) == mark + 1


def test_the_notification_shows_the_routines_first_position_as_its_image(
        xdg: Path, showing: tuple[DaemonProcess, dict[str, Any]]) -> None:
    """dunst (and GNOME, and most servers) show an image-path picture beside the text."""
    _, n = showing
    image = n["hints"]["image-path"]
    assert image.startswith("file://") and image.endswith("/routines/pictures/shotgun.svg")
    assert Path(image.removeprefix("file://")).read_text().startswith("<svg")
