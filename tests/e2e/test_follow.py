"""`stretchd status --follow --format waybar` attached to a real daemon on a fake clock: a line
within 1 s of each change, still there across a daemon restart, idle while nothing changes."""

from __future__ import annotations

import json
import queue
import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from harness.kit import DaemonProcess, no_desktop_env, require, stretchd_command, wait_for

pytestmark = pytest.mark.clock  # fake dates: CI runs these again a year ahead

MORNING = '[reminders.morning]\ntime = "07:30"\nroutine = "shotgun"\n'


class Follower:
    """The bar module: its lines, each with the (real) time it arrived."""

    def __init__(self, d: DaemonProcess) -> None:
        self.proc = subprocess.Popen([*stretchd_command(), "status", "--follow", "--format", "waybar"],
                                     env=d.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put((time.monotonic(), json.loads(line)))

    def next_line(self, timeout: float = 10.0) -> tuple[float, dict[str, Any]]:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line in {timeout} s; stderr: {self.stderr()}") from None

    def until(self, cls: str, timeout: float = 10.0) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            at, line = self.next_line(max(0.1, deadline - time.monotonic()))
            if line["class"] == cls:
                return at, line

    def cpu_ticks(self) -> int:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


def test_a_bar_gets_a_line_within_1_s_of_each_change_and_survives_a_restart(
        tmp_path: Path, xdg_env: dict[str, str], daemons: list[Any], write_config: Any) -> None:
    require("faketime")
    write_config(MORNING)
    env = no_desktop_env(xdg_env)
    d = DaemonProcess(tmp_path, env, faketime="2026-11-24 07:29:53")
    daemons.append(d)
    d.wait_ready()
    bar = Follower(d)
    try:
        _, first = bar.until("waiting")
        assert first["text"].startswith("morning in 1 min · 0 today · streak 0"), first
        assert first["percentage"] == 0 and "Next: morning (shotgun)" in first["tooltip"]

        # A reminder shown (on the console here): the line follows within 1 s.
        wait_for(lambda: "Time to stretch" in d.out(), 20, "the reminder")
        shown = time.monotonic()
        at, line = bar.until("showing")
        assert at - shown <= 1.0 and line["text"].startswith("stretch now: morning")

        for command, cls, text in ((("snooze", "10"), "snoozed", r"morning in 10 min \(snoozed\) · "),
                                   (("skip",), "waiting", r"morning in (23 h 5\d min|24 h) · "),
                                   (("pause", "--for", "2h"), "paused", r"paused until 09:3\d · "),
                                   (("resume",), "waiting", r"morning in (23 h 5\d min|24 h) · ")):
            got = d.cli(*command)
            assert got.returncode == 0, got.stderr
            done = time.monotonic()
            at, line = bar.until(cls, 5)
            assert at - done <= 1.0, f"{command}: {at - done:.2f} s"
            assert re.match(text, line["text"]), (command, line)

        # Nothing changes: the bar module sleeps (its countdown's next minute is far off).
        before = bar.cpu_ticks()
        time.sleep(3)
        assert bar.cpu_ticks() - before <= 1
        assert bar.lines.empty()

        # The daemon stops and starts again: the module says so, and carries on.
        d.stop()
        _, line = bar.until("stopped", 5)
        assert line["text"] == "stretchd not running" and bar.proc.poll() is None
        d2 = DaemonProcess(tmp_path, env, faketime="2026-11-24 07:31:00")
        daemons.append(d2)
        _, line = bar.until("waiting", 20)  # the countdown on the module's clock
        assert re.match(r"morning in (23 h 5\d min|24 h) · ", line["text"]), line
    finally:
        bar.stop()
