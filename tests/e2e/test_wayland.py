"""stretchd on Wayland: headless sway with mako or swaync, the whole session run as an ordinary
user (harness/sessions.py). The daemon's clock moves only when the test steps it, to a few
seconds before the next reminder once the last one is answered."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.history import running_walk
from harness.kit import ancestors, require, stand_in_config, wait_for
from harness.sessions import (
    A11Y_BUS,
    Session,
    SessionDaemon,
    events,
    newest,
    session_with,
    wait_recorded,
)

pytestmark = pytest.mark.clock  # fake dates: CI runs these again a year ahead

@pytest.fixture
def mako() -> Iterator[tuple[Session, Path]]:
    require("makoctl")
    with session_with("mako", ["makoctl", "list"]) as got:
        yield got


@pytest.fixture
def swaync() -> Iterator[tuple[Session, Path]]:
    require("swaync-client", A11Y_BUS)
    with session_with("swaync", ["swaync-client", "--get-dnd", "--skip-wait"], a11y=True) as got:
        yield got


@pytest.mark.compat("mako, on sway", "shown with Start, Snooze and Skip")
@pytest.mark.compat("mako, on sway", "Snooze, Skip and Start (makoctl invoke), a dismissal")
def test_mako_on_sway_shows_the_buttons_and_each_reaches_the_daemon(
        tmp_path: Path, mako: tuple[Session, Path]) -> None:
    session, python = mako
    started = session.home / "started"
    config = stand_in_config(started, morning="07:30", noon="07:32", evening="07:33")
    daemon = SessionDaemon(session, python, config)
    try:
        seen: set[int] = set()

        def shown() -> dict[str, Any]:
            n = wait_for(lambda: newest(session, seen), 20, f"a notification in mako; {events(session)}")
            assert isinstance(n, dict)
            seen.add(n["id"])
            return n

        def press(n: dict[str, Any], key: str, kind: str) -> None:
            result = session.run("makoctl", "invoke", "-n", str(n["id"]), key)
            assert result.returncode == 0, result.stderr
            wait_recorded(session, n["body"].split()[0].lower(), kind)
            daemon.step_to_next()

        first = shown()
        assert first["app_name"] == "stretchd"
        buttons = {k: v for k, v in first["actions"].items() if k != "default"}  # makoctl sorts them
        assert buttons == {"start": "Start", "snooze": "Snooze 1 min", "skip": "Skip"}
        press(first, "snooze", "snoozed")
        press(shown(), "skip", "skipped")  # the snooze came back at its end
        press(shown(), "start", "started")  # noon
        wait_for(lambda: started.exists() and "walk shotgun --reminder noon" in started.read_text(),
                 10, "the terminal stand-in to run")
        last = shown()  # evening
        assert session.run("makoctl", "dismiss", "-n", str(last["id"])).returncode == 0
        wait_recorded(session, "evening", "dismissed")
    finally:
        daemon.stop()


@pytest.mark.compat("swaync, on sway", "shown; its do-not-disturb state read (GetDnd)")
def test_swaync_shows_it_and_its_do_not_disturb_is_read(swaync: tuple[Session, Path]) -> None:
    session, python = swaync
    daemon = SessionDaemon(session, python, '[reminders.morning]\ntime = "07:30"\nroutine = "shotgun"\n')
    try:
        wait_for(lambda: events(session)[:1] == [("morning", "shown")], 20, "shown")
        wait_for(lambda: session.run("swaync-client", "--count", "--skip-wait").stdout.strip() == "1",
                 5, "swaync to count it")
        doctor = session.run(str(python), "-m", "stretchd", "doctor").stdout
        assert "notification server: SwayNotificationCenter " in doctor, doctor
        assert "dnd: off (SwayNotificationCenter)" in doctor, doctor
    finally:
        daemon.stop()


@pytest.mark.compat("foot (terminal), on sway", "Start (makoctl invoke) opens the walkthrough in it")
def test_start_opens_the_walkthrough_in_foot_on_sway(mako: tuple[Session, Path]) -> None:
    require("foot")
    session, python = mako
    session.env["TERMINAL"] = "foot"
    daemon = SessionDaemon(session, python, '[reminders.morning]\ntime = "07:30"\nroutine = "shotgun"\n')
    try:
        n = wait_for(lambda: newest(session, set()), 20, "the notification in mako")
        assert isinstance(n, dict)
        assert session.run("makoctl", "invoke", "-n", str(n["id"]), "start").returncode == 0
        pid = wait_for(lambda: running_walk(session.env), 20, "the walkthrough to start in foot")
        assert isinstance(pid, int)
        assert "foot" in ancestors(pid), ancestors(pid)
    finally:
        daemon.stop()


def atspi_press(session: Session, python: Path, label: str) -> None:
    """Press a button of the notification on screen through AT-SPI (harness/atspi.py)."""
    out = session.run(str(python), "-m", "harness.atspi", "press", label, "--timeout", "10")
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.compat("swaync, on sway", "shown with Start, Snooze and Skip")
@pytest.mark.compat("swaync, on sway", "Snooze, Skip and Start (pressed through AT-SPI), a click on the "
                    "body starts (the default action, labelled), swaync-client --close-latest")
def test_swaync_buttons_each_reach_the_daemon(swaync: tuple[Session, Path]) -> None:
    session, python = swaync
    started = session.home / "started"
    config = stand_in_config(started, morning="07:30", noon="07:32", evening="07:33", night="07:34")
    daemon = SessionDaemon(session, python, config)
    try:
        def shown(n: int, reminder: str) -> None:
            wait_for(lambda: [e for e in events(session) if e[1] == "shown"][n - 1:n] == [(reminder, "shown")],
                     30, f"{reminder} shown: {events(session)}")

        def press(label: str, reminder: str, kind: str) -> None:
            atspi_press(session, python, label)
            wait_recorded(session, reminder, kind)
            daemon.step_to_next()

        shown(1, "morning")
        labels = wait_for(lambda: json.loads(session.run(
            str(python), "-m", "harness.atspi", "buttons", "--app", "swaync").stdout or "[]"), 10, "its buttons")
        # the body (a button in swaync), the three, and the close button (no label)
        assert labels == ["Time to stretch", "Start", "Snooze 1 min", "Skip", ""]
        press("Snooze 1 min", "morning", "snoozed")
        shown(2, "morning")  # back at the snooze's end
        press("Skip", "morning", "skipped")
        shown(3, "noon")
        # swaync 0.7.3's body is a button too. It runs the default action only when that has
        # a label (with a blank one it only closed the notification).
        press("Time to stretch", "noon", "started")
        wait_for(lambda: started.exists() and "walk shotgun --reminder noon" in started.read_text(),
                 10, "the terminal stand-in to run for the body's click")
        shown(4, "evening")
        press("Start", "evening", "started")
        wait_for(lambda: started.exists() and "walk shotgun --reminder evening" in started.read_text(),
                 10, "the terminal stand-in to run")
        shown(5, "night")
        assert session.run("swaync-client", "--close-latest", "--skip-wait").returncode == 0
        wait_recorded(session, "night", "dismissed")
    finally:
        daemon.stop()
