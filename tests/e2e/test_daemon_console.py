"""`stretchd run` as a real process with no desktop: console reminders and the control socket."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.history import events
from harness.kit import DaemonProcess, control_socket, no_desktop_env, require, stretchd_command, wait_for
from harness.kit import start_console_daemon as start

pytestmark = pytest.mark.clock  # fake dates and moved clocks: CI runs these again a year ahead


def raw(path: Path, payload: bytes, *, read: bool = True) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(str(path))
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return json.loads(data) if read else {}


def test_with_no_session_bus_it_reminds_on_the_console(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], daemons: list[Any],
        write_config: Any) -> None:
    require("faketime")
    write_config('[reminders.morning]\ntime = "07:30"\nroutine = "shotgun"\n')
    no_system_bus = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/stretchd-test-system-bus"}
    d = start(tmp_path, {**xdg_env, **no_system_bus}, daemons, faketime="2026-11-24 07:29:57")
    # Known before the first reminder: with no session bus there is no desktop to show it on.
    assert "reminders show on its console (no D-Bus session bus)" in d.cli("status").stdout
    wait_for(lambda: "Time to stretch" in d.out(), 20, "the console reminder")
    assert "reminders show on its console (no D-Bus session bus)" in d.cli("status").stdout
    assert "Morning stretch: Shotgun (SI joints), 40 s · you need a belt" in d.out()
    # No system bus is normal (containers, many window managers): one calm line, no errno.
    assert "no system bus, so no resume signal from logind" in d.err() and "Errno" not in d.err()
    # What cannot hold a reminder here is said once, at start; the reminder was not held.
    wait_for(lambda: "hold: not watched here" in d.err(), 10, "the hold sources line")
    (line,) = [x for x in d.err().splitlines() if "hold: not watched here" in x]
    for unseen in ("dnd: unknown (no session bus", "locked: unknown (no system bus",
                   "away: unknown (no idle time"):
        assert unseen in line, line
    assert "Traceback" not in d.err()
    assert "\a" in d.out()  # a bell
    err = d.err()
    assert err.count("desktop notifications unavailable") == 1
    assert "Traceback" not in err
    history = d.cli("history", "--days", "1", "--json")  # the daemon's today, on its clock
    assert any(r["what"] == "shown" and r["reminder"] == "morning" for r in json.loads(history.stdout))


def test_cli_controls_a_running_daemon(tmp_path: Path, xdg: Path, xdg_env: dict[str, str],
                                       daemons: list[Any]) -> None:
    d = start(tmp_path, xdg_env, daemons)
    status = json.loads(d.cli("status", "--json").stdout)
    assert status["running"] is True and status["pid"] == d.proc.pid
    assert d.cli("skip", "evening").stdout.startswith("skipped evening")
    assert "not running" not in d.cli("skip", "evening").stdout
    assert d.cli("snooze", "15").stdout.startswith("snoozed ")
    assert d.cli("pause", "--for", "1h").stdout.startswith("paused until")
    status = json.loads(d.cli("status", "--json").stdout)
    assert status["paused_until"] and status["snoozed"]
    assert d.cli("resume").stdout.strip() == "resumed"
    assert json.loads(d.cli("status", "--json").stdout)["paused_until"] is None


def test_a_second_run_exits_at_once_and_the_first_carries_on(
        tmp_path: Path, xdg_env: dict[str, str], daemons: list[Any]) -> None:
    d = start(tmp_path, xdg_env, daemons)
    second = subprocess.run([*stretchd_command(), "run"], env=no_desktop_env(xdg_env),
                            capture_output=True, text=True, timeout=20, check=False)
    assert second.returncode == 1
    assert f"another stretchd is already running (pid {d.proc.pid})" in second.stderr
    assert d.cli("status").returncode == 0


def test_the_socket_is_its_owners_alone(tmp_path: Path, xdg: Path, xdg_env: dict[str, str],
                                        daemons: list[Any]) -> None:
    start(tmp_path, xdg_env, daemons)
    assert stat.S_IMODE(os.stat(xdg / "run" / "stretchd").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(control_socket()).st_mode) == 0o600


def test_bad_messages_get_an_error_and_the_daemon_lives_on(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], daemons: list[Any]) -> None:
    d = start(tmp_path, xdg_env, daemons)
    for payload in (b"\x00\xff garbage\n", b"{not json\n", b"[1, 2]\n", b'{"cmd": "explode"}\n',
                    b'{"cmd": "snooze", "minutes": "lots"}\n', b"x" * 200_000 + b"\n"):
        reply = raw(control_socket(), payload)
        assert reply["ok"] is False and reply["error"]
    assert d.cli("status").returncode == 0
    assert d.proc.poll() is None


def test_an_invalid_config_exits_78_naming_the_key(
        tmp_path: Path, xdg_env: dict[str, str], write_config: Any) -> None:
    path = write_config('[reminders.morning]\ntime = "7:3"\n')
    out = subprocess.run([*stretchd_command(), "run"], env=no_desktop_env(xdg_env),
                         capture_output=True, text=True, timeout=20, check=False)
    assert out.returncode == 78
    assert f'stretchd: error: {path}: reminders.morning.time: "7:3" is not a time' in out.stderr
    assert "<3>" not in out.stderr  # journald's prefix only where stderr is the journal
    assert "Traceback" not in out.stderr


def test_it_tells_systemd_it_is_ready(tmp_path: Path, xdg_env: dict[str, str],
                                      daemons: list[Any]) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(tmp_path / "notify.sock"))
    listener.settimeout(20)
    env = {**xdg_env, "NOTIFY_SOCKET": str(tmp_path / "notify.sock")}
    d = DaemonProcess(tmp_path, no_desktop_env(env))
    daemons.append(d)
    message = listener.recv(4096).decode()
    assert "READY=1" in message.splitlines()
    listener.close()


def test_a_schedule_change_from_the_cli_takes_effect_in_the_running_daemon_at_once(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], daemons: list[Any]) -> None:
    d = start(tmp_path, xdg_env, daemons, faketime="2026-11-24 07:00:00")
    added = d.cli("schedule", "add", "soon", "07:30", "--routine", "shotgun")
    assert added.returncode == 0 and "the running daemon has the new schedule" in added.stdout
    assert "soon" in d.cli("status").stdout
    d.step_to_next()  # to 07:29:57
    wait_for(lambda: "Soon stretch: Shotgun" in d.out(), 20, "the new reminder to fire")
    assert "config reloaded" in d.err()


def test_the_daemon_keeps_tls_libraries_out_of_its_memory(
        tmp_path: Path, xdg_env: dict[str, str], daemons: list[Any]) -> None:
    """It lives all day: what it maps it holds all day, and it speaks no TLS."""
    d = start(tmp_path, xdg_env, daemons)
    maps = Path(f"/proc/{d.proc.pid}/maps").read_text()
    assert "libssl" not in maps and "libcrypto" not in maps and "_ssl." not in maps
    assert d.proc.poll() is None  # the same pid after the exec that sheds the CLI


def test_with_an_unusable_state_directory_it_still_reminds(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], daemons: list[Any],
        write_config: Any) -> None:
    """A state directory that cannot hold the database (here a file stands in its way)."""
    require("faketime")
    (xdg / "state" / "stretchd").write_text("not a directory")
    write_config('[reminders.morning]\ntime = "07:30"\nroutine = "shotgun"\n')
    d = start(tmp_path, xdg_env, daemons, faketime="2026-11-24 07:29:57")
    wait_for(lambda: "Time to stretch" in d.out(), 20, "the console reminder")
    assert "keeping what happens in memory" in d.err() and "Traceback" not in d.err()


# DST nights with the real alarm clock (APScheduler), grace 0: shown once, at schedule.py's time.

NIGHT = '[defaults]\ngrace_minutes = 0\n[reminders.night]\ntime = "02:30"\nroutine = "shotgun"\n'


def test_on_a_spring_forward_night_a_0230_reminder_shows_at_0300_not_missed(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], daemons: list[Any],
        write_config: Any) -> None:
    """Berlin, 28 March 2027: 02:00 becomes 03:00, so 02:30 never comes; it shows at 03:00."""
    require("faketime")
    write_config(NIGHT)
    d = start(tmp_path, {**xdg_env, "TZ": "Europe/Berlin"}, daemons, faketime="2027-03-28 01:59:57")
    wait_for(lambda: "Time to stretch" in d.out(), 20, "the reminder")
    assert d.out().startswith("\a03:00 Time to stretch: Night stretch: Shotgun (SI joints), 40 s · you need a belt")
    # The line is printed, then the showing recorded: wait for the row, do not race it.
    wait_for(lambda: events(columns="at, reminder, kind"), 10, "the shown row")
    ((at, reminder, kind),) = events(columns="at, reminder, kind")
    assert (at[:16], reminder, kind) == ("2027-03-28T03:00", "night", "shown")  # not 02:30, not missed


def test_on_a_fall_back_night_a_0230_reminder_shows_once_not_at_the_second_0230(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], daemons: list[Any],
        write_config: Any) -> None:
    """Berlin, 31 October 2027: 03:00 becomes 02:00 again, so 02:30 comes twice; it shows at the
    first. The clock is stepped over the hour between: to a few seconds before the second 02:30,
    which then passes in real time, as does the daemon's minute-free alarm clock."""
    require("faketime")
    from datetime import datetime
    from zoneinfo import ZoneInfo

    write_config(NIGHT.replace("grace_minutes = 0", "grace_minutes = 30"))
    d = start(tmp_path, {**xdg_env, "TZ": "Europe/Berlin"}, daemons, faketime="2027-10-31 02:29:57")
    wait_for(lambda: "Time to stretch" in d.out(), 20, "the first 02:30")
    berlin = ZoneInfo("Europe/Berlin")
    assert d.clock is not None
    d.clock.set(datetime(2027, 10, 31, 2, 29, 57, tzinfo=berlin, fold=1))  # an hour on: winter time
    # What a second showing would print, it prints by 02:30:00 (+01:00); a command answered
    # after that, on the daemon's loop, comes after it.
    after_second = datetime(2027, 10, 31, 2, 30, 5, tzinfo=berlin, fold=1).timestamp()
    wait_for(lambda: d.clock is not None and d.clock.now() > after_second, 30, "the second 02:30 to pass")
    assert d.cli("status").returncode == 0
    assert d.out().count("Time to stretch") == 1
    ((at, reminder, kind),) = events(columns="at, reminder, kind")
    assert (at[:16], at[-6:], reminder, kind) == ("2027-10-31T02:30", "+02:00", "night", "shown")
