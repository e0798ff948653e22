"""Run the tests a marker expression selects in several pytest processes side by side.

    python -m harness.beside EXPRESSION LOGDIR [--shards N]

Most end-to-end tests spend their time waiting for a program (a bus, a server, a clock's
real seconds), so two pytest processes on two cores take little more than the longer of
them. The tests marked minute each wait, doing nothing, for the daemon's real once-a-minute
check: each gets a pytest of its own. The others are split by file into N shards (default:
the machine's cores), files that share a resource kept in one shard (SAME_SHARD).

Each process's report is printed when all are done, then one closing line adding up their
counts; the exit status is 1 if any failed (5, none selected, is no failure)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

# Files whose tests must not run at the same time as each other's: they all run programs as
# the one ordinary user of the Wayland tests, and stopping a session ends all of that user's
# processes.
SAME_SHARD = {"tests/e2e/test_gnome.py": "tests/e2e/test_wayland.py",
              "tests/e2e/test_history_file.py": "tests/e2e/test_wayland.py",
              "tests/e2e/test_install.py": "tests/e2e/test_wayland.py"}
# --tb=native: a failure is reported through Python's own traceback module. pytest's long
# form parses the test's source with ast to show it, and CPython 3.11.7's ast.parse can fail
# there ("AST constructor recursion depth mismatch", gh-106905): that crashed a whole shard
# (INTERNALERROR) and lost the failure it was reporting. The assert's explanation is kept.
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--tb=native"]


def collect(expression: str) -> list[str]:
    listed = subprocess.run([*PYTEST, "--collect-only", "-q", "-m", expression], capture_output=True,
                            text=True)
    if listed.returncode not in (0, 5):
        raise SystemExit(f"collecting {expression!r} failed:\n{listed.stdout}{listed.stderr}")
    return [line for line in listed.stdout.splitlines() if "::" in line]


def weight(path: str) -> float:
    """A test's share of a shard's time: an end-to-end test takes seconds, a unit test a tenth."""
    return 1.0 if path.startswith("tests/e2e/") else 0.02


def shards(ids: list[str], n: int) -> list[list[str]]:
    """Their files (with the files kept with them) in n shards of about the same weight."""
    by_file: dict[str, Counter[str]] = {}
    for test in ids:
        path = test.split("::", 1)[0]
        by_file.setdefault(SAME_SHARD.get(path, path), Counter())[path] += 1

    def load(files: Counter[str]) -> float:
        return sum(weight(f) * k for f, k in files.items())

    out: list[Counter[str]] = [Counter() for _ in range(max(1, n))]
    for files in sorted(by_file.values(), key=load, reverse=True):
        min(out, key=load).update(files)
    return [sorted(c) for c in out if c]


def counts(report: str) -> Counter[str]:
    """pytest's closing line, as numbers: {"passed": 3, "failed": 1, ...}."""
    lines = [line for line in report.splitlines() if re.search(r"\d+ (passed|failed|error|skipped)", line)]
    found: Counter[str] = Counter()
    for number, word in re.findall(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)",
                                   lines[-1] if lines else ""):
        found["error" if word.startswith("error") else word] += int(number)
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("expression")
    parser.add_argument("logdir", type=Path)
    parser.add_argument("--shards", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    args.logdir.mkdir(parents=True, exist_ok=True)
    within = f"({args.expression or 'e2e or not e2e'})"  # every test, when no expression
    rest = f"{within} and not minute"
    groups = [["-m", f"{within} and minute", t] for t in collect(f"{within} and minute")]
    groups += [["-m", rest, *files] for files in shards(collect(rest), args.shards)]
    runs = []
    for n, argv in enumerate(groups):
        log = args.logdir / f"run-{n}.log"
        with log.open("w") as out:
            runs.append((argv[2:], log, subprocess.Popen([*PYTEST, "-ra", *argv], stdout=out,
                                                         stderr=subprocess.STDOUT)))
    print(f"beside: {len(runs)} pytest processes side by side; each reports when it ends", flush=True)
    total: Counter[str] = Counter()
    failed = False
    waiting = list(runs)
    while waiting:
        done = [r for r in waiting if r[2].poll() is not None]
        if not done:
            time.sleep(0.5)
            continue
        for tests, log, proc in done:
            waiting.remove((tests, log, proc))
            code = proc.returncode
            report = log.read_text()
            print(f"=== {' '.join(t.removeprefix('tests/') for t in tests)}: exit {code}", flush=True)
            print(report if code not in (0, 5) else "\n".join(report.splitlines()[-8:]), flush=True)
            total += counts(report)
            failed |= code not in (0, 5)
    closing = f"{total['passed']} passed, {total['failed'] + total['error']} failed"
    print(closing + (f", {total['skipped']} skipped" if total["skipped"] else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
