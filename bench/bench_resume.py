"""How soon after a resume from sleep a reminder due during the sleep is shown.

A suspend as a process sees it: the wall clock jumps ahead, the monotonic clock does not. Each
daemon runs on the headless desktop of the end-to-end tests with libfaketime preloaded,
`DONT_FAKE_MONOTONIC=1` and its wall-clock offset read from a file at every clock call
(`FAKETIME_TIMESTAMP_FILE`, `FAKETIME_NO_CACHE=1`), starting at +0 on the real clock. Its one
reminder is due 20 minutes ahead; writing a bigger offset into the file is the resume. The
figure is the Notify call's arrival at the bus monitor (its pcap timestamp) minus the real
time just before the offset was written.

- **(a) Without logind** (`DBUS_SYSTEM_BUS_ADDRESS` names no bus): only the daemon's wall-clock
  check, every 60 s from READY=1 on, can notice. Jump +30 min 1 s after READY=1, that is just
  after a check: the worst case, the next check being a whole period away. Several daemons
  side by side (seconds are measured here, not milliseconds). Skipped with --quick.
- **(b) With logind**: a private dbus-daemon stands in for the system bus; jump +25 min, then
  send `PrepareForSleep(false)` on it with dbus-send (its start-up counts in the figure).
- **(c) The cost of the wall-clock check**: the idle daemon's wakeups per minute (the check
  is its only timer), from bench_daemon's idle windows when that ran first in the same
  `python -m bench`, otherwise measured here the same way.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bench.daemons import (
    TZ,
    Daemon,
    LogindBus,
    daemon_env,
    daemons,
    desktop,
    for_reminder,
    hours_away,
    reminder_toml,
    write_config,
)
from bench.measure import IdleWindow, idle_window, sandbox, shared
from bench.report import Section, Target
from harness.clock import SteppedClock

if TYPE_CHECKING:
    from harness.desktop import Desktop

NO_LOGIND_TARGET = Target.at_most(60)  # s
LOGIND_TARGET = Target.at_most(2)  # s
CHECK_WAKEUPS_TARGET = Target.at_most(1)  # per minute
NO_BUS = "unix:path=/nonexistent/stretchd-bench-no-system-bus"


def due_in(minutes: int) -> str:
    from zoneinfo import ZoneInfo

    return (datetime.now(ZoneInfo(TZ)) + timedelta(minutes=minutes)).strftime("%H:%M:%S")


def run(report: Section) -> None:
    quick = report.quick
    with sandbox() as base, desktop(base) as desk, LogindBus() as logind:
        without = [] if quick else without_logind(desk, report.runs(3, 0))
        with_bus = with_logind(desk, logind, report.runs(5, 3))
        reused = "idle_windows" in shared
        if reused:
            windows = shared["idle_windows"]
            windows_quick = bool(shared.get("idle_quick"))
        else:
            windows = idle_windows(desk, logind, report.runs(3, 1), quick)
            windows_quick = quick
    assert isinstance(windows, list)

    if without:
        report.figure("(a) Without logind: jump → Notify, jump just after a check (worst case)",
                      [r["seconds"] for r in without], unit="s", target=NO_LOGIND_TARGET, digits=2)
    report.figure("(b) With logind: jump → Notify (PrepareForSleep sent right after the jump)",
                  [r["seconds"] for r in with_bus], unit="s", target=LOGIND_TARGET, digits=3)
    report.figure("(b) … of which dbus-send (jump → dbus-send returned)",
                  [r["sent"] for r in with_bus], unit="s", digits=3)
    report.figure("(c) Idle wakeups with the clock check armed", [w.wakeups_per_min
                                                                  for w, _ in windows],
                  unit="/min", target=CHECK_WAKEUPS_TARGET)

    if without:
        report.note(
            "(a): " + "; ".join(
                f"daemon {i + 1}: jumped {r['jump_after_ready']:.1f} s after READY=1, shown "
                f"{r['seconds']:.2f} s later ({r['after_ready']:.2f} s after READY=1)"
                for i, r in enumerate(without))
            + ". The check runs every 60 s of the monotonic clock from READY=1 on, so a jump at a "
              "random moment is noticed after 0–60 s, 30 s on average; these jumps came just "
              "after one, so the figure is the longest wait there is.")
    else:
        report.note("(a) was skipped (--quick): it takes up to a minute.")
    report.note(
        f"(b): {len(with_bus)} daemons one after another, each checked to have logged "
        f"\"resumed from sleep\". Between the jump and the signal there is only the start of "
        f"dbus-send; a real logind sends PrepareForSleep(false) once the system is back.")
    rows = []
    for i, (w, ready_at) in enumerate(windows):
        steps, last = [], 0
        for seconds, count in w.timeline:
            if count > last:
                steps.append(f"{w.started + seconds - ready_at:.1f} s: +{count - last}")
                last = count
        rows.append([str(i + 1), f"{w.seconds:.1f} s", str(last), ", ".join(steps) or "–"])
    source = ("bench_daemon's idle windows (same `python -m bench` run)" if reused
              else "idle windows measured here")
    report.table(("Run", "Window", "Context switches", "When (after READY=1): how many"), rows,
                 caption=f"(c): from {source}: reminders hours away, the stand-in logind bus "
                         f"connected, {'3' if windows_quick else '10'} s to settle after READY=1, "
                         f"then the window. The clock check falls at about 60 s after READY=1, so "
                         f"the wakeups there are its cost"
                         + (" — with --quick the 10 s window holds no check at all, and this "
                            "figure says nothing about it." if windows_quick else "."))


def without_logind(desk: Desktop, count: int) -> list[dict[str, float]]:
    """count daemons at once, each with only its once-a-minute clock check to notice the jump."""
    out: list[dict[str, float]] = []
    with contextlib.ExitStack() as stack, daemons() as started:
        runs = []
        for i in range(count):
            box = stack.enter_context(sandbox())
            name = f"nologind{i + 1}"
            write_config(box, reminder_toml(name, due_in(20)))
            clock = SteppedClock(box.root / "faketime-offset", TZ)
            env = daemon_env(box, desk, {**clock.env(), "DBUS_SYSTEM_BUS_ADDRESS": NO_BUS})
            d = Daemon(box.root, env)
            started.append(d)
            runs.append((name, clock, d))
        mark = len(desk.notifications())
        jumped = {}
        for name, clock, d in runs:
            d.wait_ready()
            assert d.ready_at is not None
            time.sleep(max(0.0, d.ready_at + 1.0 - time.monotonic()))
            jumped[name] = (time.time(), time.monotonic() - d.ready_at)
            clock.jump(30 * 60)
        for name, _, _ in runs:
            n = desk.wait_notify(for_reminder(name), timeout=90, since=mark)
            if "it was due at" not in str(n["body"]):
                raise RuntimeError(f"{name}: not shown as late: {n['body']!r}")
            at, after_ready = jumped[name]
            out.append({"seconds": n["time"] - at, "jump_after_ready": after_ready,
                        "after_ready": after_ready + n["time"] - at})
    return out


def with_logind(desk: Desktop, logind: LogindBus, count: int) -> list[dict[str, float]]:
    out: list[dict[str, float]] = []
    for i in range(count):
        with sandbox() as box, daemons() as started:
            name = f"logind{i + 1}"
            write_config(box, reminder_toml(name, due_in(20)))
            clock = SteppedClock(box.root / "faketime-offset", TZ)
            env = daemon_env(box, desk, {**clock.env(), "DBUS_SYSTEM_BUS_ADDRESS": logind.address})
            d = Daemon(box.root, env)
            started.append(d)
            d.wait_ready()  # READY=1 comes after the subscription to PrepareForSleep
            if "no resume signal" in d.err():
                raise RuntimeError(f"not subscribed to the stand-in logind: {d.err()}")
            mark = len(desk.notifications())
            jumped = time.time()
            clock.jump(25 * 60)
            logind.resume()
            sent = time.time()
            n = desk.wait_notify(for_reminder(name), timeout=20, since=mark)
            if "resumed from sleep" not in d.err():
                raise RuntimeError(f"{name}: shown, but not after the resume signal: {d.err()}")
            out.append({"seconds": n["time"] - jumped, "sent": sent - jumped})
    return out


def idle_windows(desk: Desktop, logind: LogindBus, count: int, quick: bool
                 ) -> list[tuple[IdleWindow, float]]:
    settle, window = (3.0, 10.0) if quick else (10.0, 60.0)
    out = []
    for _ in range(count):
        with sandbox() as box, daemons() as started:
            write_config(box, hours_away(2))
            d = Daemon(box.root, daemon_env(box, desk, {"DBUS_SYSTEM_BUS_ADDRESS": logind.address}))
            started.append(d)
            d.wait_ready()
            assert d.ready_at is not None
            w = idle_window(d.pid, settle=settle - (time.monotonic() - d.ready_at), window=window)
            out.append((w, d.ready_at))
    return out

