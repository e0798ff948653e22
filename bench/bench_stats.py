"""`stretchd stats` on ten years of history, and the idle daemon with a `status --follow` client.

The history is generated: six reminders a day for ten years, each shown, some held first,
some snoozed and shown again, most started with a walkthrough (completed or quit), the rest
skipped or missed: about 100,000 rows in the events, occurrences and walks tables of a real
SQLite file. `stats`
runs as a fresh process (piped, so the calendar is ASCII), taking turns with `--json`. Then a
daemon with no desktop (console reminders) is watched idle for a window, once alone and once
with one `stretchd status --follow --format waybar` attached: the daemon's wakeups and RSS,
and the client's own.
"""

from __future__ import annotations

import random
import subprocess
import time
from datetime import datetime, timedelta

from bench.daemons import Daemon, daemons, hours_away, write_config
from bench.measure import IdleWindow, Sandbox, idle_window, sandbox, time_commands, venv_script
from bench.report import Section, Target

STATS_TARGET = Target.at_most(300)  # ms, for 10 years (100k rows)
WAKEUPS_TARGET = Target.at_most(1.0)  # /min beyond the client's own once-a-minute line
YEARS = 10
# Six reminders a day: the article's 3-5 times a day, and one more, for 100k rows in ten years.
REMINDERS = (("morning", 7), ("late-morning", 10), ("lunch", 12), ("afternoon", 15),
             ("early-evening", 18), ("evening", 21))


def generate(box: Sandbox, years: int = YEARS, seed: int = 16) -> int:
    """Fill the box's history; return how many rows it holds."""
    from stretchd.store.history import History, Kind, Status

    rng = random.Random(seed)
    now = datetime.now().astimezone().replace(second=0, microsecond=0)
    path = box.dir("XDG_STATE_HOME") / "stretchd" / "stretchd.sqlite3"
    with History(path) as h:
        h.db.execute("PRAGMA synchronous=OFF")
        h.db.execute("BEGIN")  # one transaction: generating, not measuring, the writes
        h._write = lambda sql, args: h.db.execute(sql, args).lastrowid or 0  # type: ignore[method-assign]
        h.record = lambda *a, **k: _record(h, *a, **k)  # type: ignore[method-assign]
        for back in range(years * 365, 0, -1):
            day = now - timedelta(days=back)
            for name, hour in REMINDERS:
                at = day.replace(hour=hour, minute=30)
                key = at.date().isoformat()
                h.record(name, key, at, Kind.SHOWN, at, status=Status.SHOWING)
                r = rng.random()
                if rng.random() < 0.1:
                    h.record(name, key, at, Kind.HELD, at, status=Status.HELD, detail="microphone in use")
                    h.record(name, key, at, Kind.SHOWN, at + timedelta(minutes=5), status=Status.SHOWING)
                if r < 0.35:
                    h.record(name, key, at, Kind.SNOOZED, at, snoozes=1, snoozed_until=at)
                    h.record(name, key, at, Kind.SHOWN, at + timedelta(minutes=10), status=Status.SHOWING)
                if r < 0.7:
                    h.record(name, key, at, Kind.STARTED, at + timedelta(minutes=11))
                    walk = h.start_walk("shotgun" if hour == 12 else "hips-lower-back", name, at, 5)
                    h.finish_walk(walk, at + timedelta(minutes=5),
                                  outcome="completed" if r < 0.6 else "quit", step=5)
                elif r < 0.85:
                    h.record(name, key, at, Kind.SKIPPED, at + timedelta(minutes=1))
                else:
                    h.record(name, key, at, Kind.MISSED, at + timedelta(minutes=31))
        h.db.execute("COMMIT")
        return sum(h.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                   for t in ("events", "occurrences", "walks"))


def _record(h: object, reminder: str, key: str, scheduled: datetime, kind: str, at: datetime, *,
            status: str | None = None, detail: str | None = None, snoozes: int | None = None,
            snoozed_until: datetime | None = None) -> None:
    db = h.db  # type: ignore[attr-defined]
    db.execute("INSERT INTO events (at, reminder, occurrence, kind, detail) VALUES (?,?,?,?,?)",
               (at.isoformat(timespec="milliseconds"), reminder, key, kind, detail))
    db.execute("INSERT INTO occurrences (reminder, occurrence, scheduled, status, snoozes, snoozed_until) "
               "VALUES (?, ?, ?, ?, coalesce(?, 0), ?) ON CONFLICT (reminder, occurrence) DO UPDATE SET "
               "status = excluded.status, snoozes = coalesce(?, snoozes)",
               (reminder, key, scheduled.isoformat(timespec="milliseconds"), status or kind, snoozes,
                snoozed_until.isoformat() if snoozed_until else None, snoozes))


def run(report: Section) -> None:
    stretchd = str(venv_script("stretchd"))
    with sandbox() as box:
        rows = generate(box, YEARS if not report.quick else 2)
        times = time_commands({"stats": [stretchd, "stats"], "json": [stretchd, "stats", "--json"],
                               "weeks": [stretchd, "stats", "--weeks", "520"]},
                              env=box.env, runs=report.runs(15, 3), warmups=1)
    ms = {k: [t * 1000 for t in v] for k, v in times.items()}
    years = YEARS if not report.quick else 2
    report.figure(f"`stretchd stats`, {years} years ({rows:,} rows)", ms["stats"], unit="ms",
                  target=STATS_TARGET)
    report.figure("`stretchd stats --json`", ms["json"], unit="ms", target=STATS_TARGET)
    report.figure("`stretchd stats --weeks 520` (every day of ten years in the rates)", ms["weeks"],
                  unit="ms", target=STATS_TARGET)

    settle, window = (3.0, 15.0) if report.quick else (10.0, 120.0)
    alone, followed, client = [], [], []
    for _ in range(report.runs(2, 1)):
        alone.append(idle(settle, window, follow=False)[0])
        d, c = idle(settle, window, follow=True)
        followed.append(d)
        assert c is not None
        client.append(c)
    report.figure("Idle daemon wakeups, alone", [w.wakeups_per_min for w in alone], unit="/min")
    report.figure("Idle daemon wakeups, one `--follow` client attached",
                  [w.wakeups_per_min for w in followed], unit="/min")
    report.figure("… more than alone", [f.wakeups_per_min - a.wakeups_per_min
                                        for f, a in zip(followed, alone, strict=True)],
                  unit="/min", target=WAKEUPS_TARGET, digits=2)
    report.figure("Idle daemon RSS, alone", [w.rss_mib for w in alone], unit="MiB", digits=2)
    report.figure("Idle daemon RSS, one client attached", [w.rss_mib for w in followed], unit="MiB",
                  digits=2)
    report.figure("The client's own wakeups", [w.wakeups_per_min for w in client], unit="/min")
    report.figure("The client's RSS", [w.rss_mib for w in client], unit="MiB", digits=2)
    report.note("The daemon's next reminder is hours away, so the client's countdown line changes "
                "once a minute (its own wakeup); the daemon is woken only by its own minute check. "
                f"Windows of {window:g} s after {settle:g} s of settling.")


def idle(settle: float, window: float, follow: bool) -> tuple[IdleWindow, IdleWindow | None]:
    with sandbox() as box, daemons() as started:
        write_config(box, hours_away(2))
        env = {**box.env, "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bench-bus",
               "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/bench-system-bus"}
        env.pop("DISPLAY", None)
        d = Daemon(box.root, env)
        started.append(d)
        d.wait_ready()
        proc = None
        if follow:
            proc = subprocess.Popen([str(venv_script("stretchd")), "status", "--follow", "--format",
                                     "waybar"], env=env, stdout=subprocess.DEVNULL)
        try:
            time.sleep(settle)
            if proc is None:
                return idle_window(d.pid, settle=0, window=window), None
            # Both watched over the same window, each in its own thread-free turn of looks.
            import threading

            out: dict[str, IdleWindow] = {}
            t = threading.Thread(target=lambda: out.setdefault("client", idle_window(
                proc.pid, settle=0, window=window)))
            t.start()
            daemon = idle_window(d.pid, settle=0, window=window)
            t.join()
            return daemon, out["client"]
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(5)
