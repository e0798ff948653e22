"""What the running daemon costs, and how punctual it is.

`stretchd run` on a headless desktop (the end-to-end tests' harness: a private session bus,
Xvfb, dunst, and a pcap D-Bus monitor that timestamps every Notify call), with a private
dbus-daemon standing in for the system bus so that the daemon subscribes to logind's resume
signal as it would on a real desktop. Every daemon gets its own temporary XDG directories and
runs in the zone UTC.

- **Idle**: reminders hours away; after 10 s to settle, a 60 s window (3 s and 10 s with
  --quick), summed over the daemon's process tree (it and any children): RSS (VmRSS) and PSS
  (smaps_rollup) at the end of the window; wakeups = voluntary + involuntary context switches
  of every thread (/proc/PID/task/*/status), the difference over the window scaled to a
  minute; CPU = utime + stime (/proc/PID/stat, clock ticks), likewise, and the same from
  schedstat (nanoseconds) because a tick is 10 ms. Several daemons one after another.
- **Lateness**: 20 reminders 3 s apart (07:30:05, 07:30:08, ...) in one daemon whose wall clock
  is set to 07:30:00 as it starts; each is the arrival of its Notify call at the bus monitor
  minus its scheduled time, both on the real clock (how the faked clock maps to it: below).
- **Start-up**: from Popen of `stretchd run` to the READY=1 datagram on $NOTIFY_SOCKET (a
  socket of ours), with an existing history database (a first start, which creates it, is
  not counted).
- **`stretchd status`** with the daemon up, and down (exit 69, after working out the next
  reminders itself), taking turns with `python -c pass`.
- **Growth**: start-up and memory (2 s after READY=1) with 2, 20 and 200 reminders, taking
  turns; and `stretchd history --days 3650` over 1k, 10k and 100k events written straight
  into the SQLite `events` table.
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bench.daemons import (
    TZ,
    ClockProbe,
    Daemon,
    LogindBus,
    daemon_env,
    daemons,
    desktop,
    for_reminder,
    hours_away,
    libfaketime,
    reminder_toml,
    stretchd_command,
    write_config,
)
from bench.measure import (
    CLOCK_TICK,
    Command,
    IdleWindow,
    ImportCost,
    Sandbox,
    idle_window,
    import_costs,
    import_memory,
    import_tree,
    parse_importtime,
    profile_top,
    rss_by_mapping,
    sample_tree,
    sandbox,
    shared,
    time_runs,
)
from bench.report import Section, Target

if TYPE_CHECKING:  # harness.desktop itself is imported by bench.daemons.desktop()
    from harness.desktop import Desktop

RSS_TARGET = Target.at_most(25)  # MiB
RSS_EARLIER_TARGET = Target.at_most(30)  # MiB, the earlier issue's
WAKEUPS_TARGET = Target.at_most(1)  # per minute
CPU_TARGET = Target.at_most(1)  # ms per minute
LATE_MEDIAN_TARGET = Target.at_most(20)  # ms
LATE_EARLIER_TARGET = Target.at_most(50)  # ms, the earlier issue's
LATE_MAX_TARGET = Target.at_most(100)  # ms
READY_TARGET = Target.at_most(400)  # ms
STATUS_TARGET = Target.at_most(100)  # ms
STATUS_EARLIER_TARGET = Target.at_most(150)  # ms, the earlier issue's
GROWTH_TARGET = Target.at_most(2)  # MiB more at 200 reminders than at 2
HISTORY_TARGET = Target.at_most(200)  # ms at 100k rows

# Idle figures of other break reminders, from /work/shared/TESTING.md (not measured here):
# name, RSS MB, wakeups per minute (low, high), CPU ms per minute (low, high).
PEERS = (("Workrave 1.10.50", 95.0, (700.0, 750.0), (55.0, 60.0)),
         ("Safe Eyes 2.1.5", 130.0, (247.0, 247.0), (30.0, 30.0)),
         # and two reference points from the same table:
         ("a bare Python 3.11 process asleep", 13.0, (0.0, 0.0), (0.0, 0.0)),
         ("Python + apscheduler + desktop-notifier, idle loop, 60 s guard", 30.0, (1.0, 1.0),
          (0.0, 0.0)))

FAKE_START = "2026-11-24 07:30:00"  # the lateness daemon's wall clock as it starts (UTC)
GROWTH_SIZES = (2, 20, 200)
HISTORY_SIZES = (1_000, 10_000, 100_000)
TOP = 12


def run(report: Section) -> None:
    quick = report.quick
    with sandbox() as base, desktop(base) as desk, LogindBus() as logind:
        system_bus = {"DBUS_SYSTEM_BUS_ADDRESS": logind.address}
        found = measure_idle(report, desk, system_bus)
        late = measure_lateness(report, desk, system_bus)
        growth = measure_growth(report, desk, system_bus)
        measure_memory_options(report, desk, system_bus)
    history = measure_history(report, base)

    idle = found.windows
    # --- idle ---------------------------------------------------------------------------
    rss = [w.rss_mib for w in idle]
    rss_fig = report.figure("Idle RSS, process tree", rss, unit="MiB", target=RSS_TARGET)
    report.figure("Idle RSS, process tree (the earlier issue's target)", rss, unit="MiB",
                  target=RSS_EARLIER_TARGET)
    report.figure("Idle PSS, process tree", [w.pss_mib for w in idle], unit="MiB")
    wakeups = report.figure("Idle wakeups (context switches, all threads)",
                            [w.wakeups_per_min for w in idle], unit="/min", target=WAKEUPS_TARGET)
    report.figure("Idle CPU (utime + stime, clock ticks)", [w.cpu_ms_per_min for w in idle],
                  unit="ms/min", target=CPU_TARGET)
    cpu = report.figure("Idle CPU (schedstat, ns resolution)",
                  [w.cpu_ms_per_min_precise for w in idle], unit="ms/min", target=CPU_TARGET,
                  digits=2)
    # --- lateness -----------------------------------------------------------------------
    lateness = late["lateness_ms"]
    report.figure(f"Lateness of each of {len(lateness)} reminders (Notify on the bus − due)",
                  lateness, unit="ms", target=LATE_MEDIAN_TARGET)
    report.figure("Lateness, each reminder (the earlier issue's target)", lateness, unit="ms",
                  target=LATE_EARLIER_TARGET)
    report.figure(f"Lateness, worst of the {len(lateness)}", [max(lateness)], unit="ms",
                  target=LATE_MAX_TARGET)
    report.figure("RSS after showing them (idle again), process tree", [late["rss_after"]],
                  unit="MiB")
    # --- start-up -----------------------------------------------------------------------
    ready = report.figure("Start-up: Popen → READY=1 (2 reminders)",
                          [t * 1000 for t in growth["ready"][2]], unit="ms", target=READY_TARGET)
    # --- status -------------------------------------------------------------------------
    ms = {k: [t * 1000 for t in v] for k, v in found.status_times.items()}
    up = report.figure("`stretchd status`, daemon up", ms["up"], unit="ms", target=STATUS_TARGET)
    report.figure("`stretchd status`, daemon up (the earlier issue's target)", ms["up"], unit="ms",
                  target=STATUS_EARLIER_TARGET)
    report.figure("`stretchd status`, daemon down (exit 69)", ms["down"], unit="ms")
    report.figure("`python -c pass` (baseline)", ms["baseline"], unit="ms")
    for name in ("up", "down"):
        report.figure(f"`status` {name} ÷ baseline",
                      [c / b for c, b in zip(ms[name], ms["baseline"], strict=True)], unit="×",
                      digits=2)
    # --- growth -------------------------------------------------------------------------
    for n in GROWTH_SIZES:
        report.figure(f"RSS 2 s after READY=1, {n} reminders", growth["rss"][n], unit="MiB")
    report.figure("RSS growth, 200 reminders − 2 (paired by turn)",
                  [b - a for a, b in zip(growth["rss"][2], growth["rss"][200], strict=True)],
                  unit="MiB", target=GROWTH_TARGET, digits=2)
    for n in GROWTH_SIZES[1:]:
        report.figure(f"Start-up: Popen → READY=1, {n} reminders",
                      [t * 1000 for t in growth["ready"][n]], unit="ms")
    hist_figs = {}
    for n in HISTORY_SIZES:
        hist_figs[n] = report.figure(
            f"`stretchd history --days 3650`, {n:,} events", [t * 1000 for t in history[n]],
            unit="ms", target=HISTORY_TARGET if n == HISTORY_SIZES[-1] else None)
    report.figure("`python -c pass` (baseline, beside `history`)",
                  [t * 1000 for t in history["baseline"]], unit="ms")

    # --- notes and tables ---------------------------------------------------------------
    runs_note = (f"{len(idle)} idle daemon{'s' if len(idle) != 1 else ''}, one after another, "
                 f"each watched for {statistics.median(w.seconds for w in idle):.1f} s after "
                 f"{'3' if quick else '10'} s to settle; process tree: "
                 + "; ".join(f"{len(w.pids)} process{'es' if len(w.pids) != 1 else ''}, "
                             f"{w.threads} thread{'s' if w.threads != 1 else ''}" for w in idle)
                 + ". RSS and PSS are in MiB (the kB of /proc are KiB); read as 10⁶ bytes, "
                   "25 MB and 30 MB would be 23.8 and 28.6 MiB. utime + stime move in whole "
                   f"clock ticks ({1000 / CLOCK_TICK:g} ms), so one 60 s window reads either 0 or "
                   f"{1000 / CLOCK_TICK:g} ms/min whatever the daemon did; the schedstat figure "
                   "(the scheduler's own nanosecond sum for every thread) is the one to believe, "
                   "and both are judged against the same target.")
    report.note(runs_note)
    report.table(("Run", "Context switches in the window, and when (s after READY=1)"),
                 [[str(i + 1), when_woken(w, t)]
                  for i, (w, t) in enumerate(zip(idle, found.ready_at, strict=True))],
                 caption="When the idle daemons woke up (looked at every 0.5 s). `stretchd run` "
                         "checks the wall clock every 60 s from READY=1 on (the resume "
                         "fallback); each check also looks for config and time-zone changes "
                         "and writes `alive_at` to the history database:")
    report.table(
        ("Peer (idle, from TESTING.md)", "Its RSS", "÷ stretchd's", "Its wakeups/min",
         "÷ stretchd's", "Its CPU ms/min", "÷ stretchd's"),
        [[name, f"{peer_rss:g} MB", ratio(peer_rss, statistics.median(rss)),
          span(peer_wake), ratio_span(peer_wake, wakeups.median),
          span(peer_cpu), ratio_span(peer_cpu, cpu.median)]
         for name, peer_rss, peer_wake, peer_cpu in PEERS],
        caption="The peers' figures are from /work/shared/TESTING.md (Xvfb + dunst, 60 s window, "
                "summed over the process tree, the same way of counting wakeups), **not measured "
                "in this run** (`peers` measures them beside stretchd in one run); the ratios "
                "divide them by this run's medians above (idle RSS, wakeups, and the schedstat "
                "CPU): how many times more the peer costs.")
    report.note(late["note"])
    if late["table"]:
        report.table(*late["table"])
    report.note(f"Start-up, status and growth daemons ran with the stand-in system bus, so "
                f"start-up includes subscribing to logind's signal. Growth: "
                f"{len(growth['ready'][2])} turns of {', '.join(map(str, GROWTH_SIZES))} reminders "
                f"after one warm-up start each (which created the database). `status`: "
                f"{len(ms['up'])} runs of each after warm-ups; down means no daemon listens on "
                f"the sandbox's socket, so `status` computes the next reminders itself and exits "
                f"69. `history`: {len(history[HISTORY_SIZES[0]])} runs of each size after a "
                f"warm-up, output to a pipe; events spread over the last 1000 days, all inside "
                f"the 3650 asked for, so every row is printed.")

    # --- why, where a target is missed -------------------------------------------------
    if not ready.met:
        report.table(("Module", "Self", "Cumulative"),
                     [[f"`{c.module}`", f"{c.self_ms:.1f} ms", f"{c.cumulative_ms:.1f} ms"]
                      for c in growth["imports"][:TOP]],
                     caption=f"Start-up missed its target: the {TOP} imports with the most self "
                             "time in `stretchd run` (PYTHONPROFILEIMPORTTIME=1, until READY=1):")
    if not up.met:
        costs = found.status_imports
        report.table(("Module", "Self", "Cumulative"),
                     [[f"`{c.module}`", f"{c.self_ms:.1f} ms", f"{c.cumulative_ms:.1f} ms"]
                      for c in costs[:TOP]],
                     caption=f"`status` (up) missed its target: the {TOP} imports with the most "
                             f"self time in `python -X importtime -m stretchd status` (medians; "
                             f"{sum(c.self_ms for c in costs):.1f} ms of imports in all):")
    if not rss_fig.met:
        maps = found.maps[:TOP]
        report.table(("Mapping", "RSS", "PSS"),
                     [[f"`{name}`", f"{r / 1024:.1f} MiB", f"{p / 1024:.1f} MiB"]
                      for name, r, p in maps],
                     caption=f"Idle RSS missed its target. What the last idle daemon's memory is "
                             f"(/proc/PID/smaps, the {len(maps)} largest; Python's objects are "
                             f"in `[anon]` and `[heap]`):")
        bare, packages = import_memory(growth["tree"])
        shown = packages[:TOP + 4]
        report.table(("Package", "RSS it adds", "Modules", "First pulled in by"),
                     [[f"`{m.package}`", f"{m.kib / 1024:.2f} MiB", str(m.modules),
                       f"`{m.brought_by}`"] for m in shown],
                     caption=f"And by import: the {len(growth['tree'])} modules `stretchd run` "
                             f"imported up to READY=1 (PYTHONPROFILEIMPORTTIME=1), imported again "
                             f"one at a time, in the order their imports completed, by a fresh "
                             f"interpreter ({bare / 1024:.1f} MiB before), reading its RSS after "
                             f"each: {sum(m.kib for m in packages) / 1024:.1f} MiB in all, the "
                             f"{len(shown)} packages that add most below. Approximate where a "
                             f"package's `__init__` imports much (asyncio's takes in some of its "
                             f"dependencies). \"First pulled in by\" is the daemon's own import "
                             f"(or a lazy one, in a function) that brought the package's first "
                             f"module; \"Modules\" counts the package's modules loaded:")
    if not hist_figs[HISTORY_SIZES[-1]].met:
        total, lines = history["profile"]
        report.table(("Function", "Calls", "Self", "Cumulative"),
                     [[f"`{p.function}`", f"{p.calls:,}", f"{p.self_ms:.0f} ms",
                       f"{p.cumulative_ms:.0f} ms"] for p in lines],
                     caption=f"`history` at {HISTORY_SIZES[-1]:,} events missed its target: the "
                             f"{TOP} functions with the most self time under cProfile "
                             f"({total * 1000:.0f} ms profiled; cProfile slows it down):")

    shared["idle_windows"] = list(zip(idle, found.ready_at, strict=True))
    shared["idle_quick"] = quick


# --- idle, and `status` beside the last idle daemon ------------------------------------------

@dataclass
class Idle:
    windows: list[IdleWindow] = field(default_factory=list)
    ready_at: list[float] = field(default_factory=list)  # time.monotonic() of each READY=1
    maps: list[tuple[str, int, int]] = field(default_factory=list)  # the last one's smaps
    status_times: dict[str, list[float]] = field(default_factory=dict)  # seconds
    status_imports: list[ImportCost] = field(default_factory=list)  # of `status`, daemon up


def measure_idle(report: Section, desk: Desktop, system_bus: dict[str, str]) -> Idle:
    """Idle daemons one after another; `status` timed beside the last, after its window."""
    settle, window = (3.0, 10.0) if report.quick else (10.0, 60.0)
    found = Idle()
    runs = report.runs(3, 2)
    with sandbox() as down_box:
        write_config(down_box, hours_away(2))
        down_env = daemon_env(down_box, desk)
        for i in range(runs):
            with sandbox() as box, daemons() as started:
                write_config(box, hours_away(2))
                env = daemon_env(box, desk, system_bus)
                d = Daemon(box.root, env)
                started.append(d)
                d.wait_ready()
                assert d.ready_at is not None
                if "no resume signal" in d.err():
                    raise RuntimeError(f"the daemon did not subscribe to the stand-in logind: "
                                       f"{d.err()}")
                w = idle_window(d.pid, settle=settle - (time.monotonic() - d.ready_at),
                                window=window)
                found.windows.append(w)
                found.ready_at.append(d.ready_at)
                if i == runs - 1:
                    found.maps = rss_by_mapping(d.pid)
                    status = [*stretchd_command(), "status"]
                    found.status_times = time_runs({
                        "baseline": Command([sys.executable, "-c", "pass"], env),
                        "up": Command(status, env),
                        "down": Command(status, down_env, returncode=69),
                    }, runs=report.runs(20, 5), warmups=report.runs(2, 1))
                    # Where `status` spends its time, for the report if its target is missed.
                    found.status_imports = import_costs(
                        [sys.executable, "-m", "stretchd", "status"], env=env,
                        runs=report.runs(5, 2))
    return found


# Run like `stretchd run` (python -I -m stretchd._run), with one change applied once READY=1 is
# sent: what it would save if the daemon did it after start-up.
AFTER_READY = {
    "as shipped": "",
    "malloc_trim(0) after start-up": "import ctypes; ctypes.CDLL('libc.so.6').malloc_trim(0)",
    "gc.freeze() after start-up": "import gc; gc.collect(); gc.freeze()",
}
NO_SSL = """import sys
for m in ("ssl", "_ssl", "_hashlib"):
    sys.modules.setdefault(m, None)
"""
VARIANT = NO_SSL + """import stretchd.journal as journal
sent = journal.sd_notify
def sd_notify(message):
    sent(message)
    if message.startswith("READY=1"):
        {after}
journal.sd_notify = sd_notify
from stretchd._run import main
sys.exit(main())
"""
# What the daemon's alarm clock costs to import, on top of asyncio (as the daemon runs: no ssl).
IMPORTS = {
    "asyncio alone": "",
    "+ APScheduler's DateTrigger": "from apscheduler.triggers.date import DateTrigger",
    "+ its AsyncIOScheduler": "from apscheduler.schedulers.asyncio import AsyncIOScheduler",
}
PROBE = NO_SSL + """import asyncio
{line}
print([l for l in open("/proc/self/status") if l.startswith("VmRSS")][0].split()[1])
"""


def measure_memory_options(report: Section, desk: Desktop, system_bus: dict[str, str]) -> None:
    """What the ways to a smaller idle daemon would give: measured, not guessed."""
    settle = 3.0 if report.quick else 10.0
    rows, rss_of = [], {}
    for name, after in AFTER_READY.items():
        samples = []
        for _ in range(report.runs(3, 1)):
            with sandbox() as box, daemons() as started:
                write_config(box, hours_away(2))
                argv = [sys.executable, "-I", "-c", VARIANT.format(after=after or "pass")]
                d = Daemon(box.root, daemon_env(box, desk, system_bus), argv=argv)
                started.append(d)
                d.wait_ready()
                time.sleep(settle)
                samples.append(sample_tree(d.pid).rss_kib / 1024)
        rss_of[name] = statistics.median(samples)
        report.figure(f"Idle RSS, {name}", samples, unit="MiB", digits=2)
    probes = {}
    for name, line in IMPORTS.items():
        got = [int(subprocess.run([sys.executable, "-I", "-c", PROBE.format(line=line)], check=True,
                                  capture_output=True, text=True).stdout) / 1024
               for _ in range(report.runs(5, 2))]
        probes[name] = statistics.median(got)
    base = rss_of["as shipped"]
    for name in list(AFTER_READY)[1:]:
        rows.append([name, f"{rss_of[name] - base:+.2f} MiB"])
    alone, triggers, scheduler = (probes[n] for n in IMPORTS)
    rows.append(["APScheduler's triggers, imported (over asyncio)", f"+{triggers - alone:.2f} MiB"])
    rows.append(["its scheduler beyond the triggers", f"+{scheduler - triggers:.2f} MiB"])
    report.table(["Toward 25 MiB", "What it gives (median RSS against the daemon as shipped)"], rows)
    report.note("Each variant is the daemon as `stretchd run` starts it, with the change applied once "
                f"READY=1 is sent, measured {settle:g} s later. malloc_trim needs ctypes, whose import "
                "costs more than the trim returns; gc.freeze() moves objects out of the collector's "
                "generations but frees nothing. The import probes are fresh interpreters without ssl, "
                "as the daemon runs; APScheduler's package `__init__` reads its own version through "
                "importlib.metadata, most of the triggers' cost.")


def when_woken(w: IdleWindow, ready_at: float) -> str:
    """E.g. "4: 59.9 s (+3), 60.0 s (+1)": each look at which the count went up."""
    steps = []
    last = 0
    for seconds, count in w.timeline:
        if count > last:
            steps.append(f"{w.started + seconds - ready_at:.1f} s (+{count - last})")
            last = count
    return f"{last}" + (f": by {', '.join(steps)}" if steps else "")


def ratio(peer: float, ours: float) -> str:
    return ratio_span((peer, peer), ours)


def ratio_span(peer: tuple[float, float], ours: float) -> str:
    """peer / ours as text, a range for a range; a dash when both are 0."""
    if ours <= 0:
        return "–" if peer[1] <= 0 else "∞ (stretchd: 0)"

    def show(x: float) -> str:
        return f"{x:.0f}" if x >= 10 else f"{x:.1f}" if x >= 1 else f"{x:.2f}"

    low, high = show(peer[0] / ours), show(peer[1] / ours)
    return f"{low}×" if low == high else f"{low}–{high}×"


def span(values: tuple[float, float]) -> str:
    return f"{values[0]:g}" if values[0] == values[1] else f"{values[0]:g}–{values[1]:g}"


# --- lateness --------------------------------------------------------------------------------

def measure_lateness(report: Section, desk: Desktop, system_bus: dict[str, str]
                     ) -> dict[str, Any]:
    count, gap = (20, 3) if not report.quick else (6, 3)
    fake_start = datetime.fromisoformat(FAKE_START).replace(tzinfo=UTC)
    due = [fake_start + timedelta(seconds=5 + gap * i) for i in range(count)]
    names = [f"late{i + 1:02d}" for i in range(count)]
    with sandbox() as box, daemons() as started:
        write_config(box, "".join(reminder_toml(n, at.strftime("%H:%M:%S"))
                                  for n, at in zip(names, due, strict=True)))
        # The daemon's wall clock = the real one + a fixed offset (set so that it reads 07:30:00
        # as it starts); its monotonic clock is left alone, as on a real machine.
        offset = fake_start.timestamp() - time.time()
        fake_env = {"LD_PRELOAD": libfaketime(), "FAKETIME": f"{offset:+.6f}",
                    "DONT_FAKE_MONOTONIC": "1"}
        env = daemon_env(box, desk, {**system_bus, **fake_env})
        probe = ClockProbe(env)
        try:
            measured, plus_minus = probe.offset()
        finally:
            probe.close()
        at_bias = start_at_bias(daemon_env(box, desk))
        mark = len(desk.notifications())
        d = Daemon(box.root, env)
        started.append(d)
        ready = d.wait_ready()
        desk.wait_notify(for_reminder(names[-1]), timeout=gap * count + 20, since=mark)
        desk.sync()
        time.sleep(2)
        after = sample_tree(d.pid)
        seen = desk.notifications()[mark:]
        errors = d.err()
    lateness: list[float] = []
    rows = []
    previous: dict[str, Any] | None = None
    for name, at in zip(names, due, strict=True):
        hits = [n for n in seen if for_reminder(name)(n)]
        if len(hits) != 1:
            raise RuntimeError(f"{name}: {len(hits)} Notify calls, not 1; daemon log:\n{errors}")
        n = hits[0]
        real_due = at.timestamp() - measured
        late_ms = (n["time"] - real_due) * 1000
        lateness.append(late_ms)
        closed = "–"
        if previous is not None and previous["closed_time"] is not None:
            closed = (f"reason {previous['closed']}, "
                      f"{(n['time'] - previous['closed_time']) * 1000:.1f} ms before")
        rows.append([name, at.strftime("%H:%M:%S"), f"{late_ms:.1f} ms", closed,
                     str(n["error"] or "–")])
        previous = n
    note = (
        f"**Lateness, how the faked clock maps to the real one.** The daemon runs with "
        f"libfaketime preloaded and `FAKETIME=\"{offset:+.6f}\"` (a relative offset chosen just "
        f"before the start so that its wall clock reads {FAKE_START} UTC then; "
        f"`DONT_FAKE_MONOTONIC=1`). A relative offset makes the mapping exact and independent "
        f"of when the process starts: real = fake − offset at every moment. To check that "
        f"libfaketime applies it as written, a Python probe under the same settings was asked "
        f"for `time.time()` over a pipe 20 times: fake − real = {measured:+.6f} s "
        f"± {plus_minus * 1000:.2f} ms (half the tightest round trip), "
        f"{(measured - offset) * 1000:+.2f} ms from the offset written; the measured offset is "
        f"the one used. With `FAKETIME=\"@{FAKE_START}\"` instead, the fake clock starts when "
        f"libfaketime initialises in the new process, after Popen returns: the same probe "
        f"started that way showed its clock {at_bias * 1000:.1f} ms behind \"07:30:00 at "
        f"Popen\", an error that anchoring at Popen would have added to every lateness. "
        f"Arrival is dbus-monitor's pcap timestamp of the Notify call (its own real clock). "
        f"Reminders {gap} s apart with one notification at a time: each after the first "
        f"closes (supersedes) the one before, so its lateness includes recording that in the "
        f"history and the CloseNotification round trip. The daemon was ready "
        f"{ready * 1000:.0f} ms after Popen, {5 - ready:.1f} s before the first was due. "
        f"First reminder (nothing to supersede): {lateness[0]:.1f} ms; the others: median "
        f"{statistics.median(lateness[1:] or lateness):.1f} ms. The first also pays for "
        f"connecting to the session bus and subscribing to the server's signals, which the "
        f"daemon does on first use. RSS after them is read 2 s after the last.")
    table = (("Reminder", "Due (fake clock)", "Late", "The previous one closed (NotificationClosed)",
              "Error"), rows)
    return {"lateness_ms": lateness, "rss_after": after.rss_kib / 1024, "note": note,
            "table": table if not report.quick else None}


def start_at_bias(env: dict[str, str]) -> float:
    """How far behind "the fake clock started at Popen" an `@` start really is, in seconds."""
    fake_start = datetime.fromisoformat(FAKE_START).replace(tzinfo=UTC).timestamp()
    biases = []
    for _ in range(3):
        probe = ClockProbe({**env, "LD_PRELOAD": libfaketime(), "FAKETIME": f"@{FAKE_START}",
                            "DONT_FAKE_MONOTONIC": "1"})
        try:
            measured, _ = probe.offset(5)
        finally:
            probe.close()
        biases.append((fake_start - probe.started_wall) - measured)
    return statistics.median(biases)


# --- start-up and memory by number of reminders ---------------------------------------------

def measure_growth(report: Section, desk: Desktop, system_bus: dict[str, str]
                   ) -> dict[str, Any]:
    ready: dict[int, list[float]] = {n: [] for n in GROWTH_SIZES}
    rss: dict[int, list[float]] = {n: [] for n in GROWTH_SIZES}
    with contextlib.ExitStack() as stack:
        boxes = {n: stack.enter_context(sandbox()) for n in GROWTH_SIZES}
        envs = {}
        for n, box in boxes.items():
            write_config(box, hours_away(n))
            envs[n] = daemon_env(box, desk, system_bus)
            with Daemon(box.root, envs[n]) as d:  # warm-up: creates the database
                d.wait_ready()
        for _ in range(report.runs(5, 2)):
            for n, box in boxes.items():
                with Daemon(box.root, envs[n]) as d:
                    ready[n].append(d.wait_ready())
                    time.sleep(2)
                    rss[n].append(sample_tree(d.pid).rss_kib / 1024)
        # Where start-up goes, for the report if its target is missed.
        with Daemon(boxes[2].root, {**envs[2], "PYTHONPROFILEIMPORTTIME": "1"}) as d:
            d.wait_ready()
            d.stop()
            imports = parse_importtime([d.err()])
            tree = import_tree(d.err())
    return {"ready": ready, "rss": rss, "imports": imports, "tree": tree}


# --- `stretchd history` over a big database --------------------------------------------------

def fill_history(box: Sandbox, rows: int) -> None:
    from stretchd.store.history import History

    path = box.dir("XDG_STATE_HOME") / "stretchd" / "stretchd.sqlite3"
    now = datetime.now(UTC)
    step = timedelta(days=1000) / rows
    kinds = ("shown", "started", "snoozed", "shown", "skipped", "late", "dismissed", "missed")
    with History(path) as h:
        events = []
        for i in range(rows):
            at = now - step * (rows - i)
            kind = kinds[i % len(kinds)]
            events.append((at.isoformat(timespec="milliseconds"), ("morning", "evening")[i % 2],
                           at.date().isoformat(), kind,
                           "3 min late" if kind == "late" else None))
        with h.db:
            h.db.execute("BEGIN")
            h.db.executemany("INSERT INTO events (at, reminder, occurrence, kind, detail) "
                             "VALUES (?, ?, ?, ?, ?)", events)


def measure_history(report: Section, base: Sandbox) -> dict[Any, Any]:
    with contextlib.ExitStack() as stack:
        commands = {"baseline": Command([sys.executable, "-c", "pass"], {**base.env, "TZ": TZ})}
        envs = {}
        for n in HISTORY_SIZES:
            box = stack.enter_context(sandbox())
            fill_history(box, n)
            envs[n] = {**box.env, "TZ": TZ}
            commands[str(n)] = Command([*stretchd_command(), "history", "--days", "3650"], envs[n])
        times = time_runs(commands, runs=report.runs(5, 2), warmups=1)
        out: dict[Any, Any] = {n: times[str(n)] for n in HISTORY_SIZES}
        out["baseline"] = times["baseline"]
        biggest = HISTORY_SIZES[-1]
        if statistics.median(times[str(biggest)]) * 1000 > HISTORY_TARGET.limit:
            out["profile"] = profile_top([sys.executable, "-m", "stretchd", "history", "--days",
                                          "3650"], env=envs[biggest], top=TOP)
    return out

