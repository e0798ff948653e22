"""Holding a due reminder while the person is busy or away, against the real sources: dunst's
do-not-disturb, PipeWire with a virtual microphone, logind (python-dbusmock), X11 idle time,
a KDE-like server's Inhibited, GNOME's show-banners setting; and a real daemon under faketime."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from harness.desktop import Desktop
from harness.history import events
from harness.kit import MORNING, DaemonProcess, hold, require, wait_for
from stretchd.desktop.busy import pw_dump_objects

pytestmark = pytest.mark.clock  # fake dates and moved clocks: CI runs these again a year ahead

DUE = "2026-11-24 07:29:58"
DETAIL = "reminder, kind, detail"


def start(tmp_path: Path, env: dict[str, str], daemons: list[Any], at: str = DUE) -> DaemonProcess:
    require("faketime")
    d = DaemonProcess(tmp_path, env, faketime=at)
    daemons.append(d)
    d.wait_ready()
    return d


def held_then_shown(desktop: Desktop, xdg: Path, d: DaemonProcess, reason: str,
                    end: Any, phrase: str, within: float = 2.0) -> dict[str, Any]:
    """The reminder is held for `reason`, nothing is shown; `end()` ends the condition and the
    notification follows within `within` seconds (real time), saying why it comes late."""
    try:
        wait_for(lambda: events(columns=DETAIL) == [("morning", "held", reason)], 20, f"held for {reason}")
    except AssertionError as e:  # say what happened instead, and what the daemon said
        raise AssertionError(f"{e}; history {events(columns=DETAIL)}; daemon log:\n{d.err()}") from None
    status = d.cli("status")
    assert f"morning: held since 07:30, {reason} (shows when that ends; missed if still held at 09:00)" \
        in status.stdout, status.stdout
    (entry,) = json.loads(d.cli("status", "--json").stdout)["held"]
    assert (entry["reminder"], entry["reason"]) == ("morning", reason)
    time.sleep(1)
    desktop.sync()
    assert desktop.notifications() == []
    ended = time.time()
    end()
    n = desktop.wait_notify("Time to stretch", timeout=within + 70)
    assert n["time"] - ended <= within, f"shown {n['time'] - ended:.1f} s after the end"
    assert n["body"].endswith(f" — due at 07:30, shown {phrase}"), n["body"]
    wait_for(lambda: events(columns=DETAIL)[-1][:2] == ("morning", "shown"), 5, "the shown row")
    assert events(columns=DETAIL)[-1][2].endswith(f" min held: {reason}")  # type: ignore[union-attr]
    return n


@pytest.mark.compat("dunst, on X11 (Xvfb)", "do-not-disturb holds a reminder")
def test_in_dunsts_do_not_disturb_it_is_held_and_shown_within_2_s_of_its_end(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    write_config(hold("dnd") + MORNING)
    desktop.dunstctl("set-paused", "true")
    d = start(tmp_path, desktop.env, daemons)
    held_then_shown(desktop, xdg, d, "do not disturb",
                    lambda: desktop.dunstctl("set-paused", "false"), "after do-not-disturb")


def test_held_longer_than_the_limit_it_is_missed_with_its_reason(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    write_config(hold("dnd", extra="hold_at_most_minutes = 1") + MORNING)
    desktop.dunstctl("set-paused", "true")
    d = start(tmp_path, desktop.env, daemons)
    wait_for(lambda: events(columns=DETAIL)[:1] == [("morning", "held", "do not disturb")], 20, "held")
    assert d.clock is not None
    d.clock.jump(65, wake=True)  # past the limit (a suspend's step, and the resume that follows)
    wait_for(lambda: events(columns=DETAIL)[-1:] == [("morning", "missed", "held 1 min: do not disturb")], 20,
             "the missed row")
    assert [k for _, k, _ in events(columns=DETAIL)] == ["held", "missed"]
    desktop.dunstctl("set-paused", "false")
    desktop.sync()
    assert desktop.notifications() == []


def test_a_reminder_with_hold_false_shows_in_do_not_disturb(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    write_config(hold("dnd") + MORNING + "hold = false\n")
    desktop.dunstctl("set-paused", "true")
    start(tmp_path, desktop.env, daemons)
    desktop.wait_notify("Time to stretch", timeout=20)  # dunst queues it until unpaused
    wait_for(lambda: events(columns=DETAIL) == [("morning", "shown", None)], 5, "the shown row")


def test_a_call_holds_it_and_its_end_shows_it_within_2_s(
        tmp_path: Path, xdg: Path, desktop: Desktop, pipewire: dict[str, str], daemons: list[Any],
        write_config: Any) -> None:
    write_config(hold("meeting") + MORNING)
    record = subprocess.Popen(["pw-record", "--target", "fake-mic", str(tmp_path / "mic.wav")],
                              env=pipewire, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: any(capturing(n) for n in nodes(pipewire)), 10, "the recording")
        d = start(tmp_path, pipewire, daemons)

        def hang_up() -> None:
            record.terminate()
            record.wait(5)

        held_then_shown(desktop, xdg, d, "microphone in use", hang_up, "after your call")
    finally:
        record.kill()
        record.wait(5)


def test_a_level_meter_on_a_speaker_does_not_hold_it(
        tmp_path: Path, xdg: Path, desktop: Desktop, pipewire: dict[str, str], daemons: list[Any],
        write_config: Any) -> None:
    write_config(hold("meeting") + MORNING)
    meter = subprocess.Popen(["pw-record", "-P", "{ stream.capture.sink=true }", "--target",
                              "fake-speaker", str(tmp_path / "meter.wav")],
                             env=pipewire, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: any(capturing(n) for n in nodes(pipewire)), 10, "the meter stream")
        start(tmp_path, pipewire, daemons)
        desktop.wait_notify("Time to stretch", timeout=20)
        wait_for(lambda: [k for _, k, _ in events(columns=DETAIL)] == ["shown"], 5, "the shown row")
    finally:
        meter.terminate()
        meter.wait(5)


def nodes(env: dict[str, str]) -> list[Any]:
    out = subprocess.run(["pw-dump"], env=env, capture_output=True, text=True, timeout=10).stdout
    return pw_dump_objects(out) if out.strip() else []


def capturing(node: Any) -> bool:
    info = node.get("info") or {}
    return info.get("state") == "running" and (info.get("props") or {}).get("media.class") == \
        "Stream/Input/Audio"


def set_locked(logind: dict[str, str], on: bool) -> None:
    subprocess.run(["dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.login1",
                    "/org/freedesktop/login1/session/c1", "org.freedesktop.login1.Session.SetLockedHint",
                    f"boolean:{'true' if on else 'false'}"], env={**os.environ, **logind}, check=True,
                   capture_output=True)


def test_a_locked_screen_holds_it_and_unlocking_shows_it_within_2_s(
        tmp_path: Path, xdg: Path, desktop: Desktop, logind: dict[str, str], daemons: list[Any],
        write_config: Any) -> None:
    write_config(hold("locked") + MORNING)
    set_locked(logind, True)
    d = start(tmp_path, {**desktop.env, **logind}, daemons)
    held_then_shown(desktop, xdg, d, "screen locked", lambda: set_locked(logind, False),
                    "now the screen is unlocked")


def fake_server(desktop: Desktop, tmp_path: Path, name: str, *args: str,
                env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    desktop.kill_server()
    root = Path(__file__).resolve().parents[2]
    server = subprocess.Popen([sys.executable, "-m", "harness.fake_server", "--name", name, *args],
                              env={**(env or desktop.env), "PYTHONPATH": str(root)}, cwd=root)
    wait_for(lambda: desktop.server_owner() is not None, 10, f"the {name} server")
    return server


@pytest.mark.compat("KDE Plasma", "do-not-disturb (Inhibited, through a stand-in server) holds a reminder")
def test_kdes_inhibited_holds_it_and_its_end_shows_it_within_2_s(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    write_config(hold("dnd") + MORNING)
    server = fake_server(desktop, tmp_path, "Plasma", "--inhibited")
    try:
        d = start(tmp_path, desktop.env, daemons)

        def uninhibit() -> None:
            subprocess.run(["dbus-send", "--session", "--print-reply",
                            "--dest=org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                            "org.stretchd.Test.SetInhibited", "boolean:false"], env=desktop.env,
                           check=True, capture_output=True)

        held_then_shown(desktop, xdg, d, "do not disturb", uninhibit, "after do-not-disturb")
    finally:
        server.terminate()
        server.wait(5)


@pytest.mark.compat("GNOME Shell", "do-not-disturb (show-banners, a stand-in server) holds a reminder")
@pytest.mark.minute
def test_gnomes_show_banners_off_holds_it_and_on_shows_it_within_a_minute(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    require("gsettings")
    env = {**desktop.env, "GSETTINGS_BACKEND": "keyfile"}  # GNOME's setting, in a file of the test's
    gsettings = ["gsettings", "set", "org.gnome.desktop.notifications", "show-banners"]
    subprocess.run([*gsettings, "false"], env=env, check=True)
    write_config(hold("dnd") + MORNING)
    server = fake_server(desktop, tmp_path, "gnome-shell", env=env)
    try:
        d = start(tmp_path, env, daemons)
        wait_for(lambda: events(columns=DETAIL)[:1] == [("morning", "held", "do not disturb")], 20, "held")
        assert "do not disturb" in d.cli("status").stdout
        ended = time.time()
        subprocess.run([*gsettings, "true"], env=env, check=True)
        n = desktop.wait_notify("Time to stretch", timeout=10 * 60)
        assert n["time"] - ended <= 60 + 2  # no signal: the hold's next minute check
        assert n["body"].endswith("shown after do-not-disturb")
    finally:
        server.terminate()
        server.wait(5)


def test_a_held_reminder_and_a_suspend_past_its_limit_is_missed_at_the_resume(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any,
        resume_bus: Any) -> None:
    write_config(hold("dnd") + MORNING)
    desktop.dunstctl("set-paused", "true")
    d = start(tmp_path, {**desktop.env, "DBUS_SYSTEM_BUS_ADDRESS": resume_bus.address}, daemons)
    wait_for(lambda: [k for _, k, _ in events(columns=DETAIL)] == ["held"], 20, "held")
    assert d.clock is not None
    d.clock.jump(2 * 3600)  # two hours asleep, the screen still in do-not-disturb
    sent = time.time()
    resume_bus.resume()
    wait_for(lambda: events(columns=DETAIL)[-1][1] == "missed", 5, "the missed row")
    assert time.time() - sent <= 2.5
    assert events(columns=DETAIL)[-1][2] == "held 120 min: do not disturb"
