"""Holding reminders: what it costs the idle daemon, and how soon a held reminder shows.

On the same headless desktop as `daemon` (a private session bus, Xvfb, dunst, a pcap bus
monitor), every daemon in its own temporary XDG directories, in the zone UTC.

- **Idle**: reminders hours away, 10 s to settle after READY=1, then a 60 s window (3 s and
  10 s with --quick), summed over the process tree, taking turns: the code before holding
  existed (commit 12e67cf, taken from git into a temporary directory and run by the same
  Python) and the daemon now, with the default conditions. RSS at the end of each window;
  wakeups = context switches of every thread.
- **After a reminder**: RSS 10 s after a reminder's notification (3 s with --quick), taking
  turns: the code before holding, and the daemon now with the reminder held in dunst's
  do-not-disturb first, then shown.
- **Condition end → notification**: a reminder due 3 s after the daemon starts, held; the
  condition ended; the time from the end to the Notify call's arrival at the bus monitor.
  With a signal: dunst's do-not-disturb (`dunstctl set-paused false`, which dunst announces
  with PropertiesChanged). Without one: GNOME's `show-banners` set back to true (a small
  notification server named gnome-shell stands in for GNOME Shell; GSettings' keyfile
  backend), which the daemon reads once a minute; the end comes at a random moment of that
  minute (seeded), so the figures spread over 0-60 s.
"""

from __future__ import annotations

import contextlib
import io
import random
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from bench.measure import IdleWindow, Sandbox, idle_window, sample_tree, sandbox
from bench.report import Section, Target

if TYPE_CHECKING:
    from harness.desktop import Desktop

BEFORE = "12e67cf"  # the last commit before holding reminders
ROOT = Path(__file__).resolve().parents[1]
WAKEUPS_TARGET = Target.at_most(1)  # per minute
GROWTH_TARGET = Target.at_most(1)  # MiB over the code before holding
SIGNAL_TARGET = Target.at_most(2)  # seconds
MINUTE_TARGET = Target.at_most(60)  # seconds
RUN_OLD = "import sys; sys.path.insert(0, {path!r}); from stretchd._run import main; sys.exit(main())"


def due_in(seconds: float) -> str:
    from zoneinfo import ZoneInfo

    return (datetime.now(ZoneInfo(TZ)) + timedelta(seconds=seconds)).strftime("%H:%M:%S")


def hold_toml(*when: str) -> str:
    return "[hold]\nwhen = [" + ", ".join(f'"{w}"' for w in when) + "]\n"


def events(box: Sandbox) -> list[tuple[str, str, str | None]]:
    path = box.dir("XDG_STATE_HOME") / "stretchd" / "stretchd.sqlite3"
    if not path.exists():
        return []
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT reminder, kind, detail FROM events ORDER BY id").fetchall()


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@contextlib.contextmanager
def code_before() -> Iterator[Path]:
    """The stretchd package as it was at BEFORE, from git, in a temporary directory."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", BEFORE, "stretchd"],
                             capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory(prefix="stretchd-before-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


IDLE = ("before holding (12e67cf)", "default conditions")
AFTER = ("before holding (12e67cf), after a reminder showed",
         "default conditions, after a reminder was held, then showed")


def run(report: Section) -> None:
    settle, window = (3.0, 10.0) if report.quick else (10.0, 60.0)
    windows: dict[str, list[IdleWindow]] = {k: [] for k in IDLE}
    after: dict[str, list[float]] = {k: [] for k in AFTER}
    with sandbox() as base, desktop(base) as desk, LogindBus() as logind, code_before() as old:
        system_bus = {"DBUS_SYSTEM_BUS_ADDRESS": logind.address}
        for _ in range(report.runs(2, 1)):  # taking turns
            for kind in IDLE:
                windows[kind].append(idle(desk, system_bus, kind, old, settle, window))
        for _ in range(report.runs(3, 1)):
            for kind in AFTER:
                after[kind].append(after_a_reminder(desk, system_bus, kind, old, settle))
        with_signal = [dnd_signal(desk) for _ in range(report.runs(5, 2))]
        rng = random.Random(14)
        without = [gnome_minute(desk, rng) for _ in range(report.runs(3, 1))]

    for kind in IDLE:
        report.figure(f"Idle wakeups, {kind}", [w.wakeups_per_min for w in windows[kind]],
                      unit="/min", target=WAKEUPS_TARGET)
    for kind in IDLE:
        report.figure(f"Idle RSS, {kind}", [w.rss_mib for w in windows[kind]], unit="MiB", digits=2)
    report.figure("Idle RSS growth over the code before holding",
                  [w.rss_mib - b.rss_mib for w, b in zip(windows[IDLE[1]], windows[IDLE[0]], strict=True)],
                  unit="MiB", target=GROWTH_TARGET, digits=2)
    for kind in AFTER:
        report.figure(f"RSS {settle:g} s later, {kind}", after[kind], unit="MiB", digits=2)
    report.figure("… growth over the code before holding",
                  [a - b for a, b in zip(after[AFTER[1]], after[AFTER[0]], strict=True)],
                  unit="MiB", target=GROWTH_TARGET, digits=2)
    report.figure("Condition end → notification, with a signal (dunst's do-not-disturb)",
                  with_signal, unit="s", target=SIGNAL_TARGET, digits=3)
    report.figure("Condition end → notification, without one (GNOME's show-banners)",
                  without, unit="s", target=MINUTE_TARGET, digits=1)
    report.note(
        "Each growth pairs a daemon with the one of the code before holding in the same turn. "
        "The daemon with holding imports busy.py, holding.py and senses.py at start, and reads "
        "the conditions once at start (to log what it cannot see) and once when a reminder falls "
        "due, opening its own D-Bus connections and `pw-dump --monitor` only while a reminder "
        "is held (closed after), and reading X11 in a short-lived child process. After a "
        "reminder, both daemons have shown one notification; the held one also read the "
        "conditions, watched dunst's signal, and read them again.")


def idle(desk: Desktop, system_bus: dict[str, str], kind: str, old: Path, settle: float,
         window: float) -> IdleWindow:
    with sandbox() as box, daemons() as started:
        write_config(box, hours_away(2))
        argv = [sys.executable, "-I", "-c", RUN_OLD.format(path=str(old))] if kind == IDLE[0] else None
        d = Daemon(box.root, daemon_env(box, desk, system_bus), argv=argv)
        started.append(d)
        d.wait_ready()
        assert d.ready_at is not None
        return idle_window(d.pid, settle=settle - (time.monotonic() - d.ready_at), window=window)


def after_a_reminder(desk: Desktop, system_bus: dict[str, str], kind: str, old: Path,
                     settle: float) -> float:
    """RSS settle seconds after a reminder showed (held first, with holding)."""
    with sandbox() as box, daemons() as started:
        held = kind == AFTER[1]
        write_config(box, (hold_toml("dnd") if held else "") + reminder_toml("soon", due_in(3))
                     + hours_away(2))
        argv = None if held else [sys.executable, "-I", "-c", RUN_OLD.format(path=str(old))]
        if held:
            desk.dunstctl("set-paused", "true")
        mark = len(desk.notifications())
        d = Daemon(box.root, daemon_env(box, desk, system_bus), argv=argv)
        started.append(d)
        d.wait_ready()
        if held:
            wait_until(lambda: events(box)[:1] == [("soon", "held", "do not disturb")], 20, "the hold")
            desk.dunstctl("set-paused", "false")
        desk.wait_notify(for_reminder("soon"), timeout=10, since=mark)
        desk.close_all()
        time.sleep(settle)
        return sample_tree(d.pid).rss_kib / 1024


def dnd_signal(desk: Desktop) -> float:
    with sandbox() as box, daemons() as started:
        write_config(box, hold_toml("dnd") + reminder_toml("soon", due_in(3)))
        desk.dunstctl("set-paused", "true")
        mark = len(desk.notifications())
        d = Daemon(box.root, daemon_env(box, desk))
        started.append(d)
        d.wait_ready()
        wait_until(lambda: events(box)[:1] == [("soon", "held", "do not disturb")], 20, "the hold")
        ended = time.time()
        desk.dunstctl("set-paused", "false")
        n = desk.wait_notify(for_reminder("soon"), timeout=10, since=mark)
        desk.close_all()
        return float(n["time"]) - ended


def gnome_minute(desk: Desktop, rng: random.Random) -> float:
    """A stand-in GNOME Shell for one run: dunst gives way to it, and comes back after."""
    with sandbox() as box, daemons() as started:
        env = {**daemon_env(box, desk), "GSETTINGS_BACKEND": "keyfile"}
        banners = ["gsettings", "set", "org.gnome.desktop.notifications", "show-banners"]
        subprocess.run([*banners, "false"], env=env, check=True)
        desk.kill_server()
        server = subprocess.Popen([sys.executable, "-m", "harness.fake_server", "--name", "gnome-shell"],
                                  env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
        try:
            wait_until(lambda: desk.server_owner() is not None, 10, "the gnome-shell stand-in")
            write_config(box, hold_toml("dnd") + reminder_toml("soon", due_in(3)))
            mark = len(desk.notifications())
            d = Daemon(box.root, env)
            started.append(d)
            d.wait_ready()
            wait_until(lambda: events(box)[:1] == [("soon", "held", "do not disturb")], 20, "the hold")
            time.sleep(rng.uniform(0, 60))
            ended = time.time()
            subprocess.run([*banners, "true"], env=env, check=True)
            n = desk.wait_notify(for_reminder("soon"), timeout=75, since=mark)
            return float(n["time"]) - ended
        finally:
            server.terminate()
            server.wait(5)
            desk.start_server()
