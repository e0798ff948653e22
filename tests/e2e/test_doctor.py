"""`stretchd doctor` and the readings behind it, against real sources: dunst on Xvfb, X11
idle time and window state, logind (python-dbusmock on a private system bus), PipeWire."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from harness.desktop import Desktop
from harness.kit import require, stretchd_command, wait_for
from stretchd.desktop.busy import pw_dump_objects


def doctor(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([*stretchd_command(), "doctor", *args], env=env, capture_output=True,
                         text=True, timeout=30, check=False)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    return out.stdout


def test_doctor_names_dunst_its_buttons_and_its_do_not_disturb(desktop: Desktop) -> None:
    seen = doctor({**desktop.env, "TERMINAL": "xterm"})
    assert seen.startswith("notification server: dunst "), seen
    assert seen.splitlines()[0].endswith("buttons: yes; tested")
    # dunst's "buttons" are its menu: say where they are, and what a click does.
    assert seen.splitlines()[1].startswith("  dunst draws no buttons, only (A): Start, Snooze and Skip are "
                                           "in its menu"), seen
    assert "a middle click starts, a left click dismisses" in seen.splitlines()[1]
    assert seen.splitlines()[2].startswith("terminal: /usr/bin/xterm ") and seen.splitlines()[2].endswith(
        "; tested")
    assert "buttons: yes" in seen and "dnd: off (dunst)" in seen
    assert "away: no (X11, idle " in seen and "fullscreen: off (X11, no active window)" in seen
    desktop.dunstctl("set-paused", "true")
    assert "dnd: on (dunst)" in doctor(desktop.env)
    data = json.loads(doctor(desktop.env, "--json"))
    assert data["server"]["name"] == "dunst" and data["server"]["buttons"] is True
    by = {c["condition"]: c for c in data["conditions"]}
    assert list(by) == ["meeting", "dnd", "locked", "away", "fullscreen"]
    assert (by["dnd"]["busy"], by["dnd"]["source"], by["dnd"]["reason"]) == (True, "dunst", "do not disturb")


def test_x11_idle_time_and_a_fullscreen_window_are_read(desktop: Desktop,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    require("xdotool")
    from Xlib import X, Xatom
    from Xlib import display as xdisplay

    from stretchd.desktop import busy

    def read(*conditions: str) -> list[busy.Reading]:
        return asyncio.run(busy.read(conditions, away_minutes=1))

    def x11(condition: str) -> busy.Reading:
        # A reading has 2 s to come (a fresh Python reads X11): on a busy machine, ask again.
        found = wait_for(lambda: [r for r in read(condition) if r.source == "X11"], 60,
                         f"a reading of {condition} from X11")
        assert isinstance(found, list)
        return found[0]

    monkeypatch.setenv("DISPLAY", desktop.env["DISPLAY"])
    time.sleep(1.5)
    away = x11("away")
    assert away.busy is False and away.source == "X11" and away.detail.startswith("idle ")
    idle = int(away.detail.split()[1])
    assert idle >= 1
    subprocess.run(["xdotool", "mousemove", "10", "10"], env=desktop.env, check=True)
    subprocess.run(["xdotool", "mousemove", "20", "20"], env=desktop.env, check=True)
    moved = time.monotonic()
    again = x11("away")
    assert int(again.detail.split()[1]) <= time.monotonic() - moved + 1, again  # counted from the move

    d = xdisplay.Display(desktop.env["DISPLAY"])
    root = d.screen().root
    window = root.create_window(0, 0, 100, 100, 0, d.screen().root_depth)
    state, full = d.intern_atom("_NET_WM_STATE"), d.intern_atom("_NET_WM_STATE_FULLSCREEN")
    root.change_property(d.intern_atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW, 32, [window.id])
    window.change_property(state, Xatom.ATOM, 32, [])
    d.sync()
    assert x11("fullscreen").busy is False
    window.change_property(state, Xatom.ATOM, 32, [full], X.PropModeReplace)
    d.sync()
    on = x11("fullscreen")
    assert (on.busy, on.source, on.reason) == (True, "X11", "a fullscreen window")
    d.close()


def test_a_locked_session_is_read_from_logind(desktop: Desktop, logind: dict[str, str]) -> None:
    env = {**desktop.env, **logind}
    assert "locked: no (logind)" in doctor(env)
    subprocess.run(["dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.login1",
                    "/org/freedesktop/login1/session/c1", "org.freedesktop.login1.Session.SetLockedHint",
                    "boolean:true"], env={**os.environ, **logind}, check=True, capture_output=True)
    assert "locked: yes (logind)" in doctor(env)


def nodes(env: dict[str, str]) -> list[Any]:
    return pw_dump_objects(subprocess.run(["pw-dump"], env=env, capture_output=True, text=True,
                                          timeout=10).stdout)


def test_recording_from_a_microphone_is_a_meeting_and_a_sink_monitor_is_not(
        pipewire: dict[str, str], tmp_path: Path) -> None:
    assert "meeting: no (PipeWire, 0 capture streams)" in doctor(pipewire)
    record = subprocess.Popen(["pw-record", "--target", "fake-mic", str(tmp_path / "mic.wav")],
                              env=pipewire, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: "meeting: yes (PipeWire, 1 capture stream)" in doctor(pipewire), 10,
                 "the recording to be seen")
    finally:
        record.terminate()
        record.wait(5)
    wait_for(lambda: "meeting: no (PipeWire, 0 capture streams)" in doctor(pipewire), 10,
             "the recording to end")
    meter = subprocess.Popen(["pw-record", "-P", "{ stream.capture.sink=true }", "--target",
                              "fake-speaker", str(tmp_path / "meter.wav")],
                             env=pipewire, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: any((n.get("info") or {}).get("state") == "running"
                             and ((n.get("info") or {}).get("props") or {}).get("media.class")
                             == "Stream/Input/Audio" for n in nodes(pipewire)), 10, "the meter stream")
        assert "meeting: no (PipeWire, 0 capture streams)" in doctor(pipewire)
    finally:
        meter.terminate()
        meter.wait(5)


def test_with_nothing_there_every_condition_is_unknown_or_no_and_it_exits_0(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path),
           "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/none",
           "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={tmp_path}/none"}
    if shutil.which("pw-dump"):
        env["PATH"] = str(tmp_path)  # no PipeWire tools: the /proc fallback
    seen = doctor(env)
    assert "notification server: none" in seen
    assert "meeting: no (/proc, " in seen or "meeting: yes (/proc, " in seen
    for line in ("dnd: unknown (no session bus", "locked: unknown (no system bus",
                 "away: unknown (no idle time", "fullscreen: unknown (no X display)"):
        assert line in seen, seen


def test_doctor_names_what_x_terminal_emulator_really_is_and_whether_it_can_open_a_window(
        desktop: Desktop) -> None:
    """On Debian it is often gnome-terminal, which outside GNOME cannot open a window."""
    require("gnome-terminal", "x-terminal-emulator")
    env = {k: v for k, v in desktop.env.items() if k != "TERMINAL"}
    lines = doctor(env).splitlines()
    term = next(line for line in lines if line.startswith("terminal: "))
    # Debian's alternatives pick gnome-terminal (priority 40) among the terminals .ci/run installs.
    assert os.path.realpath(shutil.which("x-terminal-emulator") or "").endswith("gnome-terminal.wrapper")
    # Run by its own name, so that its flag for a maximized window is not dropped by the wrapper.
    assert term == ("terminal: /usr/bin/gnome-terminal --title stretchd --maximize -- (x-terminal-emulator is "
                    "gnome-terminal, run by its own name for its flags); tested"), term
    warning = lines[lines.index(term) + 1]
    assert warning.startswith("  gnome-terminal cannot open a window here: no org.gnome.Terminal on "
                              "the session bus"), warning
    assert json.loads(doctor(env, "--json"))["terminal_program"] == "gnome-terminal"
