"""On time whatever the clock does: started late, a suspend (wall clock jumps, monotonic does
not), a jump back, and live reloads; against a real desktop (dunst) and a real daemon."""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from harness.clock import clock_offset, without_clock
from harness.desktop import Desktop
from tests.e2e.harness import DaemonProcess, libfaketime, require, wait_for
from tests.e2e.test_daemon_desktop import kinds

pytestmark = pytest.mark.clock  # fake dates and moved clocks: CI runs these again a year ahead


class Jumper:
    """Moves the daemon's wall clock while its monotonic clock runs on (as a suspend does).

    It starts on this test's clock (the real one, or the one CI moved the run to)."""

    def __init__(self, tmp: Path) -> None:
        self.file = tmp / "faketime-offset"
        self.base = clock_offset()
        self.jump(0)

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """base with this clock instead of any other (a FAKETIME would win over the file)."""
        return {**without_clock(base), "LD_PRELOAD": libfaketime(), "DONT_FAKE_MONOTONIC": "1",
                "FAKETIME_NO_CACHE": "1", "FAKETIME_TIMESTAMP_FILE": str(self.file)}

    def jump(self, seconds: int) -> None:
        self.file.write_text(f"{self.base + seconds:+.6f}\n")


def hhmmss(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S")


def start(tmp_path: Path, env: dict[str, str], daemons: list[Any], faketime: str | None = None) -> DaemonProcess:
    d = DaemonProcess(tmp_path, env, faketime=faketime)
    daemons.append(d)
    d.wait_ready()
    return d


def reminder(name: str, at: str) -> str:
    return f'[reminders.{name}]\ntime = "{at}"\nroutine = "shotgun"\n'


def test_started_after_the_time_within_grace_it_shows_late(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    require("faketime")
    write_config(reminder("morning", "07:30"))
    start(tmp_path, desktop.env, daemons, faketime="2026-11-24 07:50:00")
    n = desktop.wait_notify("Time to stretch", timeout=20)
    assert n["body"] == "Morning stretch: Shotgun (SI joints), 40 s · you need a belt — it was due at 07:30"
    wait_for(lambda: kinds(xdg) == [("morning", "late")], 5, "a late row")


def test_started_after_the_grace_it_is_recorded_missed_not_shown(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    require("faketime")
    write_config(reminder("morning", "07:30"))
    start(tmp_path, desktop.env, daemons, faketime="2026-11-24 07:00:00").stop()  # ran, then off
    start(tmp_path, desktop.env, daemons, faketime="2026-11-24 08:01:00")
    wait_for(lambda: kinds(xdg) == [("morning", "missed")], 10, "a missed row")
    desktop.sync()
    assert desktop.notifications() == []


def test_a_wall_clock_jump_forward_shows_the_reminder_due_in_the_span_within_60_s(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    jumper = Jumper(tmp_path)
    due = datetime.now() + timedelta(minutes=20)
    write_config(reminder("soon", hhmmss(due)))
    start(tmp_path, jumper.env(desktop.env), daemons)
    jumped_at = time.monotonic()
    jumper.jump(30 * 60)  # 30 minutes of "sleep": the reminder is 10 minutes overdue
    n = desktop.wait_notify("Time to stretch", timeout=75)
    assert n["time"] - time.time() + (time.monotonic() - jumped_at) <= 62
    assert "it was due at" in n["body"]
    wait_for(lambda: kinds(xdg) == [("soon", "late")], 5, "a late row")


def test_logind_resume_signal_shows_it_within_2_s(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any,
        resume_bus: Any) -> None:
    jumper = Jumper(tmp_path)
    due = datetime.now() + timedelta(minutes=20)
    write_config(reminder("soon", hhmmss(due)))
    d = start(tmp_path, {**jumper.env(desktop.env), "DBUS_SYSTEM_BUS_ADDRESS": resume_bus.address}, daemons)
    wait_for(lambda: "no resume signal" not in d.err(), 1)
    jumper.jump(25 * 60)
    sent = time.time()
    resume_bus.resume()
    n = desktop.wait_notify("Time to stretch", timeout=10)
    assert n["time"] - sent <= 2.0
    assert "resumed from sleep" in d.err()


def test_a_jump_back_of_a_day_shows_nothing_twice(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    jumper = Jumper(tmp_path)
    due = datetime.now() + timedelta(seconds=4)
    write_config(reminder("now", hhmmss(due)))
    d = start(tmp_path, {**jumper.env(desktop.env), "STRETCHD_DEBUG": "1"}, daemons)
    desktop.wait_notify("Time to stretch", timeout=20)
    jumper.jump(-(24 * 3600 + 20))  # yesterday, 20 s before the reminder's time
    # Within a minute the daemon notices; yesterday's same time passes meanwhile. One more
    # minute check after that would show whatever it thought was due.
    noticed = "the wall clock jumped"
    wait_for(lambda: noticed in d.err(), 75, "the jump to be noticed")
    # (The check that noticed ends with a "done" line too; the next one makes two.)
    wait_for(lambda: d.err().split(noticed, 1)[1].count("minute check done") >= 2, 75,
             "the minute check after the one that noticed")
    desktop.sync()
    assert len(desktop.notifications()) == 1
    assert kinds(xdg)[0] == ("now", "shown")


def test_sighup_reloads_a_valid_change_and_keeps_the_old_schedule_on_an_invalid_one(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    base = datetime.now()
    write_config(reminder("first", hhmmss(base + timedelta(hours=2))))
    d = start(tmp_path, desktop.env, daemons)
    write_config(reminder("first", hhmmss(base + timedelta(seconds=8))))
    os.kill(d.proc.pid, signal.SIGHUP)
    wait_for(lambda: "config reloaded" in d.err(), 10, "the reload")
    # Now an invalid change: the schedule just loaded stays, and one notification says why.
    path = write_config('[reminders.first]\ntime = "7:3"\n')
    os.kill(d.proc.pid, signal.SIGHUP)
    error = desktop.wait_notify("stretchd: config not loaded", timeout=10)
    assert f'{path}: reminders.first.time: "7:3" is not a time' in error["body"]
    os.kill(d.proc.pid, signal.SIGHUP)  # the same error again is not announced again
    n = desktop.wait_notify("Time to stretch", timeout=20)
    assert n["body"].startswith("First stretch: ")
    assert len([x for x in desktop.notifications() if "config not loaded" in x["summary"]]) == 1


@pytest.fixture(autouse=True)
def _utc_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test computes local times with this process's zone; the daemon must agree."""
    monkeypatch.setenv("TZ", os.environ.get("TZ", "UTC"))
