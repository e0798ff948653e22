"""On time whatever the clock does: started late, a suspend (wall clock jumps, monotonic does
not), a jump back, and live reloads; against a real desktop (dunst) and a real daemon."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from harness.desktop import Desktop
from harness.history import events
from harness.kit import DaemonProcess, require, wait_for

pytestmark = pytest.mark.clock  # fake dates and moved clocks: CI runs these again a year ahead


def start(tmp_path: Path, env: dict[str, str], daemons: list[Any], faketime: str | None = None,
          lead: float | None = None) -> DaemonProcess:
    d = DaemonProcess(tmp_path, env, faketime=faketime, lead=lead)
    daemons.append(d)
    d.wait_ready()
    return d


def reminder(name: str, at: str) -> str:
    return f'[reminders.{name}]\ntime = "{at}"\nroutine = "shotgun"\n'


def test_started_after_the_time_within_grace_it_shows_late(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    require("faketime")
    write_config(reminder("morning", "07:30"))
    start(tmp_path, desktop.env, daemons, faketime="2026-11-24 07:50:00", lead=0)
    n = desktop.wait_notify("Time to stretch", timeout=20)
    assert n["body"] == "Morning stretch: Shotgun (SI joints), 40 s · you need a belt — it was due at 07:30"
    wait_for(lambda: events() == [("morning", "late")], 5, "a late row")


def test_started_after_the_grace_it_is_recorded_missed_not_shown(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    require("faketime")
    write_config(reminder("morning", "07:30"))
    start(tmp_path, desktop.env, daemons, faketime="2026-11-24 07:00:00", lead=0).stop()  # ran, then off
    start(tmp_path, desktop.env, daemons, faketime="2026-11-24 08:01:00", lead=0)
    wait_for(lambda: events() == [("morning", "missed")], 10, "a missed row")
    desktop.sync()
    assert desktop.notifications() == []


@pytest.mark.minute
def test_a_wall_clock_jump_forward_shows_the_reminder_due_in_the_span_within_60_s(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    """No resume signal: the daemon's minute check (a real minute) finds the jump."""
    write_config(reminder("soon", "07:50"))
    d = start(tmp_path, desktop.env, daemons, faketime="2026-11-24 07:30:00")
    assert d.clock is not None
    jumped_at = time.monotonic()
    d.clock.jump(30 * 60)  # 30 minutes of "sleep": the reminder is 10 minutes overdue
    n = desktop.wait_notify("Time to stretch", timeout=10 * 60)
    assert n["time"] - time.time() + (time.monotonic() - jumped_at) <= 62
    assert "it was due at" in n["body"]
    wait_for(lambda: events() == [("soon", "late")], 5, "a late row")


def test_logind_resume_signal_shows_it_within_2_s(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any,
        resume_bus: Any) -> None:
    write_config(reminder("soon", "07:50"))
    d = start(tmp_path, {**desktop.env, "DBUS_SYSTEM_BUS_ADDRESS": resume_bus.address}, daemons,
              faketime="2026-11-24 07:30:00")
    assert d.clock is not None
    d.clock.jump(25 * 60)
    sent = time.time()
    resume_bus.resume()
    n = desktop.wait_notify("Time to stretch", timeout=10)
    assert n["time"] - sent <= 2.0
    assert "it was due at 07:50" in n["body"] and "resumed from sleep" in d.err()


@pytest.mark.minute
def test_a_jump_back_of_a_day_shows_nothing_twice(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    write_config(reminder("now", "07:30"))
    d = start(tmp_path, {**desktop.env, "STRETCHD_DEBUG": "1"}, daemons, faketime="2026-11-24 07:29:57")
    desktop.wait_notify("Time to stretch", timeout=20)
    assert d.clock is not None
    noticed = "the wall clock jumped"
    before = d.err().count(noticed)  # the step to its start time was one
    d.clock.jump(-(24 * 3600 + 20))  # yesterday, 20 s before the reminder's time; no signal
    # Within a minute the daemon notices; yesterday's same time passes meanwhile. One more
    # minute check after that would show whatever it thought was due.
    wait_for(lambda: d.err().count(noticed) > before, 10 * 60, "the jump to be noticed")
    # (The check that noticed ends with a "done" line too; the next one makes two.)
    after = lambda: d.err().rsplit(noticed, 1)[1]  # noqa: E731
    wait_for(lambda: after().count("minute check done") >= 2, 10 * 60,
             "the minute check after the one that noticed")
    desktop.sync()
    assert len(desktop.notifications()) == 1
    assert events()[0] == ("now", "shown")


def test_sighup_reloads_a_valid_change_and_keeps_the_old_schedule_on_an_invalid_one(
        tmp_path: Path, xdg: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    write_config(reminder("first", "09:30"))
    d = start(tmp_path, desktop.env, daemons, faketime="2026-11-24 07:00:00")
    write_config(reminder("first", "07:30"))
    os.kill(d.proc.pid, signal.SIGHUP)
    wait_for(lambda: "config reloaded" in d.err(), 10, "the reload")
    # Now an invalid change: the schedule just loaded stays, and one notification says why.
    path = write_config('[reminders.first]\ntime = "7:3"\n')
    os.kill(d.proc.pid, signal.SIGHUP)
    error = desktop.wait_notify("stretchd: config not loaded", timeout=10)
    assert f'{path}: reminders.first.time: "7:3" is not a time' in error["body"]
    os.kill(d.proc.pid, signal.SIGHUP)  # the same error again is not announced again
    wait_for(lambda: d.err().count("config not reloaded") == 2, 10, "the second reload to be refused")
    d.step_to_next()  # to 07:29:57: the 07:30 of the valid change is what it runs on
    n = desktop.wait_notify("Time to stretch", timeout=20)
    assert n["body"].startswith("First stretch: ")
    assert len([x for x in desktop.notifications() if "config not loaded" in x["summary"]]) == 1


@pytest.fixture(autouse=True)
def _utc_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test computes local times with this process's zone; the daemon must agree."""
    monkeypatch.setenv("TZ", os.environ.get("TZ", "UTC"))
