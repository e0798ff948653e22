"""The soak: `stretchd run` under faketime x600 on a real desktop for minutes of real time.

    .venv/bin/python -m tests.soak [--minutes 5] [--keep]

Five real minutes are fifty simulated hours. Three reminders a day; every notification is
answered by a fixed cycle of Start, Snooze and Skip (Start runs a recorder for a terminal, so
each launch is counted). At the end it checks, against what the schedule and the answers given
say: the Notify calls on the bus, the history rows, that no occurrence was shown twice for a
day except by a snooze, that Start launched, that the daemon stayed up, that its memory did not
grow (RSS at the end within 1 MB of RSS after the first simulated hour), and reports its
wakeups. One line per check; the exit status is 1 if any failed, 2 if it could not run.

Not a pytest test (it takes minutes): `make soak` runs it, as does .ci/run.

Its clock runs free at 600x on purpose: fifty hours of reminders in five minutes cannot be
stepped by hand. So nothing here races that clock: each check counts outcomes (what was
shown, answered, recorded, launched; memory), a notification answered after the next one
came is counted as superseded, not failed, and the daemon's waits for other programs' replies
are stretched by the same factor (harness/sped_daemon.py: a notification server's 25 s would
be 42 real ms otherwise, and a loaded machine sent a reminder to the console). How late reminders came is reported, not judged
(a loaded machine is late at 600x); `make bench` measures lateness.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shlex
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from harness.clock import clock_offset, libfaketime
from harness.desktop import Desktop
from harness.history import database
from harness.kit import DaemonProcess
from harness.sandbox import XDG_DIRS, xdg_home

SPEED = 600  # simulated seconds per real second: a simulated hour is 6 real seconds
ZONE = "UTC"  # the daemon's TZ, so that the expectation below reads the same wall clock
START = datetime(2026, 11, 24, 7, 15, 0, tzinfo=ZoneInfo(ZONE))  # 15 simulated min before the first
REMINDERS = {"morning": dtime(7, 30), "midday": dtime(13, 0), "evening": dtime(21, 0)}
ROUTINES = {"morning": "hips-lower-back", "midday": "shotgun", "evening": "si-joints"}
SNOOZE_MINUTES = 10
MAX_SNOOZES = 2
GRACE_MINUTES = 30
SUMMARY = "Time to stretch"
# The answers, one per notification in turn. Over five occurrences it plays: snooze then
# start; skip; snooze, snooze, then skip (when Snooze is no longer offered); start; snooze
# then skip. A one-minute run (two occurrences) still gives each answer once.
ANSWERS = ("snooze", "start", "skip", "snooze", "snooze", "skip", "start", "snooze", "skip")
LABELS = {"start": "Start", "snooze": "Snooze", "skip": "Skip"}
FIRST_HOUR = 6.0  # real seconds after the start: the first simulated hour
RSS_SLACK_KB = 1024
QUIET = 1.5  # real seconds with nothing to answer before the run may end
LAUNCHED = "launches.log"


def fake(real: float, t0: float) -> datetime:
    """The daemon's clock at a real time.time(), give or take libfaketime's start-up (ms)."""
    return START + timedelta(seconds=(real - t0) * SPEED)


def occurrences(until: datetime) -> list[tuple[str, date, datetime]]:
    """(reminder, local date, instant) of every occurrence in (START, until], in time order."""
    tz = ZoneInfo(ZONE)
    out = []
    day = START.astimezone(tz).date()
    while day <= until.astimezone(tz).date():
        for name, at in REMINDERS.items():
            occ = datetime.combine(day, at, tzinfo=tz)
            if START < occ <= until:
                out.append((name, day, occ))
        day += timedelta(days=1)
    return sorted(out, key=lambda o: o[2])


def reminder_of(n: dict[str, Any]) -> str:
    """The reminder a notification is for: its body starts "Name stretch:"."""
    head = str(n["body"]).split(":", 1)[0].lower().removesuffix(" stretch")
    return head if head in REMINDERS else f"?{head}"


@dataclass
class Answered:
    index: int  # the Notify call's index on the bus
    reminder: str
    day: date
    answer: str | None  # None: superseded before an answer
    had_snooze: bool
    snoozes_before: int


@dataclass
class Run:
    workdir: Path
    t0: float = 0.0  # time.time() when the daemon started: START on its clock
    t0_mono: float = 0.0
    answered: list[Answered] = field(default_factory=list)
    rss_first: int | None = None
    rss_samples: list[tuple[float, int]] = field(default_factory=list)
    switches_first: tuple[float, int, int] | None = None
    switches_end: tuple[float, int, int] | None = None
    rss_end: int | None = None
    exit_code: int | None = None
    end_fake: datetime | None = None
    unanswered_snoozes: int = 0
    notifications: list[dict[str, Any]] = field(default_factory=list)  # every Notify call
    open_at_end: list[dict[str, Any]] = field(default_factory=list)  # still shown by dunst
    log: str = ""  # the daemon's stderr
    problems: list[str] = field(default_factory=list)


# --- /proc ------------------------------------------------------------------------------

def status_fields(path: str) -> dict[str, str]:
    fields = {}
    try:
        with open(path) as f:
            for line in f:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
    except OSError:
        pass
    return fields


def rss_kb(pid: int) -> int:
    return int(status_fields(f"/proc/{pid}/status").get("VmRSS", "0 kB").split()[0])


def switches(pid: int) -> tuple[float, int, int]:
    """(when, context switches of all threads, threads): a context switch is a wakeup."""
    total = threads = 0
    for task in glob.glob(f"/proc/{pid}/task/*/status"):
        f = status_fields(task)
        if "voluntary_ctxt_switches" in f:
            total += int(f["voluntary_ctxt_switches"]) + int(f["nonvoluntary_ctxt_switches"])
            threads += 1
    return time.monotonic(), total, threads


# --- the run ------------------------------------------------------------------------------

def config_text(launch_log: Path) -> str:
    recorder = ["sh", "-c", f'echo "$@" >> {shlex.quote(str(launch_log))}', "stretchd-terminal"]
    lines = ["[defaults]", f"snooze_minutes = {SNOOZE_MINUTES}", f"max_snoozes = {MAX_SNOOZES}",
             f"grace_minutes = {GRACE_MINUTES}", f"terminal = {json.dumps(recorder)}", ""]
    for name, at in REMINDERS.items():
        lines += [f"[reminders.{name}]", f'time = "{at:%H:%M}"', f'routine = "{ROUTINES[name]}"', ""]
    return "\n".join(lines)


def environment(workdir: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **xdg_home(workdir)}


def environment_of(workdir: Path) -> dict[str, str]:
    """The XDG variables of the run in workdir (made by environment())."""
    return {var: str(workdir / sub) for var, sub in XDG_DIRS.items()}


def soak(run: Run, minutes: float) -> None:
    env = environment(run.workdir)
    config = run.workdir / "config" / "stretchd" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(config_text(run.workdir / LAUNCHED))
    desktop = Desktop(run.workdir / "desktop", environ=env).start()
    daemon: DaemonProcess | None = None
    try:
        daemon_env = {**desktop.env, "TZ": ZONE}
        run.t0, run.t0_mono = time.time(), time.monotonic()
        # A clock that runs free at SPEED, on purpose (see the top of this file).
        offset = START.timestamp() - (time.time() - clock_offset())
        lib = libfaketime()
        assert lib is not None  # checked before the run
        # Its waits on other programs' replies stay as long in real time (harness/sped_daemon.py).
        daemon = DaemonProcess(run.workdir, daemon_env, clock_env={
            "LD_PRELOAD": lib, "TZ": ZONE, "FAKETIME": f"{offset:+.6f} x{SPEED}"},
            command=[sys.executable, "-m", "harness.sped_daemon", str(SPEED)])
        daemon.wait_ready()
        answer_all(run, desktop, daemon, minutes)
        pid = daemon.proc.pid
        run.switches_end = switches(pid)
        run.rss_end = rss_kb(pid)
    finally:
        if daemon is not None:
            run.exit_code = daemon.stop()
            run.log = daemon.err()
        desktop.stop()
    run.end_fake = alive_at(run.workdir)
    # Kept for the checks: the desktop is stopped, its record of the bus is not.
    run.notifications = desktop.notifications()


def answer_all(run: Run, desktop: Desktop, daemon: DaemonProcess, minutes: float) -> None:
    """Answer each notification as it comes, until the time is up and all is quiet."""
    pid = daemon.proc.pid
    start_mono = run.t0_mono
    deadline = start_mono + minutes * 60
    cursor = 0  # the next Notify call to look at
    snoozes: Counter[tuple[str, date]] = Counter()
    awaiting: Counter[str] = Counter()  # snoozed reminders whose notification is to come back
    pending: Answered | None = None
    turn = 0
    last_activity = time.monotonic()
    next_sample = start_mono + FIRST_HOUR
    while True:
        now = time.monotonic()
        if daemon.proc.poll() is not None:
            raise AssertionError(f"the daemon exited with {daemon.proc.returncode}:\n{daemon.err()[-2000:]}")
        if now >= next_sample:
            if run.rss_first is None:
                run.rss_first = rss_kb(pid)
                run.switches_first = switches(pid)
            run.rss_samples.append((now - start_mono, rss_kb(pid)))
            next_sample += 10.0
        calls = desktop.notifications()
        while cursor < len(calls) and (calls[cursor]["id"] is not None or calls[cursor]["error"]):
            n = calls[cursor]
            cursor += 1
            if n["summary"] != SUMMARY or n["error"]:
                continue  # counted in the checks
            last_activity = time.monotonic()
            if pending is not None:
                run.answered.append(pending)  # superseded: shown again before an answer
            name = reminder_of(n)
            day = fake(n["time"], run.t0).date()
            if awaiting[name]:
                awaiting[name] -= 1
            pending = Answered(n["index"], name, day, None,
                               had_snooze=any("Snooze" in label for label in n["actions"].values()),
                               snoozes_before=snoozes[(name, day)])
        if pending is not None:
            answer = ANSWERS[turn % len(ANSWERS)]
            turn += 1
            if answer == "snooze" and not pending.had_snooze:
                run.problems.append(f"the answer cycle wanted Snooze on #{pending.index}, "
                                    "which offers none; started instead")
                answer = "start"
            desktop.click(LABELS[answer], summary=SUMMARY)
            pending.answer = answer
            run.answered.append(pending)
            if answer == "snooze":
                snoozes[(pending.reminder, pending.day)] += 1
                awaiting[pending.reminder] += 1
            pending = None
            last_activity = time.monotonic()
            continue
        if now >= deadline:
            soon = [o for _n, _d, o in occurrences(fake(time.time(), run.t0) + timedelta(minutes=10))
                    if o > fake(time.time(), run.t0) - timedelta(minutes=2)]
            quiet = time.monotonic() - last_activity >= QUIET
            waiting = sum(awaiting.values())
            if not waiting and not soon and quiet:
                break
            if waiting and time.monotonic() - last_activity > 30:
                run.unanswered_snoozes = waiting
                break
        time.sleep(0.05)
    run.open_at_end = desktop.shown()


def alive_at(workdir: Path) -> datetime | None:
    db = database(environment_of(workdir))
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT value FROM state WHERE key = 'alive_at'").fetchone()
    return datetime.fromisoformat(row[0]) if row else None


# --- the checks -----------------------------------------------------------------------------

class Report:
    def __init__(self) -> None:
        self.failed = 0

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)

    def info(self, name: str, detail: str) -> None:
        print(f"INFO {name}: {detail}", flush=True)


def rows(workdir: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database(environment_of(workdir))) as conn:
        return conn.execute(sql).fetchall()


def check(run: Run, report: Report, minutes: float) -> None:
    calls = run.notifications
    end = run.end_fake
    report.info("run", f"{minutes:g} real min from {START:%Y-%m-%d %H:%M} ({ZONE}) x{SPEED}; "
                       f"the daemon's clock at the end {end:%Y-%m-%d %H:%M}" if end else "no alive_at")
    assert end is not None
    for p in run.problems:
        report.check("answer script", False, p)

    occs = occurrences(end)
    expected_occ = {(name, day.isoformat()) for name, day, _ in occs}
    answers = Counter(a.answer for a in run.answered)
    superseded = answers.pop(None, 0)
    shows = len(occs) + answers["snooze"]

    # Notify calls
    stretch = [n for n in calls if n["summary"] == SUMMARY]
    others = [n for n in calls if n["summary"] != SUMMARY]
    errors = [n for n in stretch if n["error"]]
    report.check("notifications", len(stretch) == shows and not errors,
                 f"{len(stretch)} Notify calls '{SUMMARY}', expected {shows} = {len(occs)} occurrences "
                 f"+ {answers['snooze']} snoozes" + (f"; {len(errors)} errors" if errors else ""))
    report.check("other notifications", not others,
                 "none" if not others else "; ".join(f"{n['summary']!r}: {n['body']!r}" for n in others[:5]))

    # History rows
    events = rows(run.workdir, "SELECT reminder, occurrence, kind, at, detail FROM events ORDER BY id")
    kinds = Counter(e[2] for e in events)
    shown_rows = kinds["shown"] + kinds["late"]
    want = Counter({"shown": shows, "started": answers["start"], "snoozed": answers["snooze"],
                    "skipped": answers["skip"], "superseded": superseded})
    got = Counter({"shown": shown_rows, **{k: v for k, v in kinds.items() if k not in ("shown", "late")}})
    total = sum(want.values())
    report.check("history rows", len(events) == total and +got == +want,
                 f"{len(events)} events, expected {total}: "
                 + ", ".join(f"{k} {got[k]}/{want[k]}" for k in sorted(set(want) | set(got)))
                 + (f" (late {kinds['late']})" if kinds["late"] else ""))

    # Once a day per reminder, except by snooze; on the bus and in the store
    bus_shows: Counter[tuple[str, str]] = Counter(
        (reminder_of(n), fake(n["time"], run.t0).date().isoformat()) for n in stretch)
    db_shows: Counter[tuple[str, str]] = Counter((e[0], e[1]) for e in events if e[2] in ("shown", "late"))
    db_snoozes: Counter[tuple[str, str]] = Counter((e[0], e[1]) for e in events if e[2] == "snoozed")
    given: Counter[tuple[str, str]] = Counter(
        (a.reminder, a.day.isoformat()) for a in run.answered if a.answer == "snooze")
    bad = [f"{r} {d}: bus {bus_shows[(r, d)]}, store {db_shows[(r, d)]}, snoozes {given[(r, d)]}"
           for r, d in sorted(expected_occ | set(bus_shows) | set(db_shows))
           if not (bus_shows[(r, d)] == db_shows[(r, d)] == 1 + given[(r, d)] == 1 + db_snoozes[(r, d)])
           or (r, d) not in expected_occ]
    report.check("once per occurrence", not bad,
                 f"{len(expected_occ)} occurrences each shown once plus once per snooze" if not bad
                 else "; ".join(bad))

    # The Snooze button: offered until the last snooze
    wrong = [a.index for a in run.answered if a.had_snooze != (a.snoozes_before < MAX_SNOOZES)]
    report.check("snooze button", not wrong,
                 f"offered on {sum(a.had_snooze for a in run.answered)} of {len(run.answered)}, "
                 f"withheld after {MAX_SNOOZES} snoozes" + (f"; wrong on #{wrong}" if wrong else ""))

    # Start launches the walkthrough in the configured terminal
    launch_log = run.workdir / LAUNCHED
    launches = launch_log.read_text().splitlines() if launch_log.exists() else []
    started = [a.reminder for a in run.answered if a.answer == "start"]
    want_lines = [f"-m stretchd walk {ROUTINES[r]} --reminder {r}" for r in started]
    ok = len(launches) == len(started) and all(line.endswith(w) for line, w in zip(launches, want_lines,
                                                                                  strict=False))
    report.check("start launches", ok, f"{len(launches)} terminal launches for {len(started)} Starts"
                 + ("" if ok else f": {launches[:3]}"))

    # On time, by the daemon's own clock
    late_first, late_again = [], []
    scheduled = {(r, d): datetime.combine(date.fromisoformat(d), REMINDERS[r], tzinfo=ZoneInfo(ZONE))
                 for r, d in expected_occ}
    last_snooze: dict[tuple[str, str], datetime] = {}
    for r, d, kind, at, _detail in events:
        when = datetime.fromisoformat(at)
        if kind == "snoozed":
            last_snooze[(r, d)] = when
        elif kind in ("shown", "late") and (r, d) in scheduled:
            if (r, d) in last_snooze:
                late_again.append((when - last_snooze.pop((r, d)) - timedelta(minutes=SNOOZE_MINUTES))
                                  .total_seconds())
            else:
                late_first.append((when - scheduled[(r, d)]).total_seconds())
    worst = max(late_first + late_again, default=0.0)
    # How late is the machine's speed, not the daemon's behaviour: `make bench` measures it.
    report.info("lateness", f"worst {worst:.0f} simulated s; "
                f"first shows at most {max(late_first, default=0):.0f} simulated s after their time, "
                 f"snoozed ones at most {max(late_again, default=0):.0f} s after the snooze ran out")
    report.check("snoozes came back", run.unanswered_snoozes == 0,
                 "every snoozed reminder was shown again" if not run.unanswered_snoozes
                 else f"{run.unanswered_snoozes} never came back")

    # The end state
    report.check("nothing left showing", not run.open_at_end,
                 "dunst shows no notification" if not run.open_at_end
                 else f"{len(run.open_at_end)} still open: "
                 + "; ".join(f"#{n['index']} {n['body']!r}" for n in run.open_at_end[:3]))
    err = run.log
    bad_lines = [line for line in err.splitlines() if line.startswith(("<3>", "<4>", "stretchd: error:", "stretchd: warning:")) or "Traceback" in line]
    report.check("daemon", run.exit_code == 0 and not bad_lines,
                 f"up throughout, exit {run.exit_code} on SIGTERM, "
                 f"{len(err.splitlines())} log lines, {len(bad_lines)} errors/warnings"
                 + (f": {bad_lines[:3]}" if bad_lines else ""))
    walks = rows(run.workdir, "SELECT count(*) FROM walks")[0][0]
    report.info("walks", f"{walks} rows (Start runs a recorder here, not the walkthrough)")

    # Memory and wakeups
    if run.rss_first is not None and run.rss_end is not None:
        growth = run.rss_end - run.rss_first
        trend = " ".join(f"{kb / 1024:.1f}" for _t, kb in run.rss_samples[::3])
        report.check("memory", growth <= RSS_SLACK_KB,
                     f"VmRSS {run.rss_first} kB after the first simulated hour, {run.rss_end} kB at the "
                     f"end ({growth:+d} kB; limit +{RSS_SLACK_KB}); MB every 30 s: {trend}")
    else:
        report.check("memory", False, "no sample (a run shorter than the first simulated hour?)")
    if run.switches_first and run.switches_end:
        (t1, s1, _), (t2, s2, threads) = run.switches_first, run.switches_end
        real = t2 - t1
        report.info("wakeups", f"{s2 - s1} context switches in {real:.0f} real s after the first "
                               f"simulated hour: {(s2 - s1) / real * 60:.0f}/real min, "
                               f"{(s2 - s1) / (real * SPEED / 3600):.0f}/simulated hour; {threads} threads "
                               f"(at x{SPEED} the once-a-minute clock check runs {SPEED}/real min)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="real minutes to run (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    if args.minutes * 60 < FIRST_HOUR + 4:
        parser.error("--minutes: at least 10 real seconds")
    tools = ("dbus-daemon", "dbus-monitor", "dbus-send", "Xvfb", "dunst", "dunstctl")
    missing = [t for t in tools if shutil.which(t) is None]
    if libfaketime() is None:
        missing.append("libfaketime (Debian: faketime)")
    if missing:
        print(f"soak: not installed: {', '.join(missing)}", file=sys.stderr)
        return 2
    run = Run(Path(tempfile.mkdtemp(prefix="stretchd-soak-")))
    report = Report()
    try:
        soak(run, args.minutes)
        check(run, report, args.minutes)
    except Exception as e:
        report.check("soak", False, f"{type(e).__name__}: {e}")
    if report.failed or args.keep:
        print(f"soak: work directory kept: {run.workdir}", flush=True)
    else:
        shutil.rmtree(run.workdir, ignore_errors=True)
    print(f"soak: {'FAILED (' + str(report.failed) + ')' if report.failed else 'passed'}", flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
