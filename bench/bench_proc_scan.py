"""The meeting reading from /proc, beside a process holding thousands of open files.

Without PipeWire the daemon reads /proc for a camera held open: every process's fd/ names and
links. A process here holds up to 20,000 open files (/dev/null); a fresh Python process with the
stretchd package imports busy.py, reads once, then five times more, and reports how much its
RSS grew over what it was before the first reading. Taking turns: the code before the reading
was changed (commit cf84188, from git into a temporary directory) and the code now. Before, the
names were a list of all of a folder's entries joined into Paths, whose parts pathlib interns:
the freed lists and the interpreter's table of interned strings stayed in the process. Now
they are read one at a time and joined as strings.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from bench.report import Section, Target

BEFORE = "cf84188"  # the last commit before the reading kept its memory flat
ROOT = Path(__file__).resolve().parents[1]
GROWTH_TARGET = Target.at_most(0.1)  # MiB after six readings
PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
from stretchd.desktop import busy

def rss():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))

base = rss()
busy.meeting_from_proc()
first = rss() - base
for _ in range(5):
    busy.meeting_from_proc()
print(first, rss() - base)
"""
HOLDER = """
import os, resource, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(int(sys.argv[1]))]
print(len(fds), flush=True)
sys.stdin.read()
"""


def files_to_hold() -> int:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return max(100, min(20000, hard - 64))


def package_at(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "stretchd"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def growth(package: Path) -> tuple[float, float]:
    """(MiB after one reading, MiB after six) in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", PROBE, str(package)], capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    first, six = (int(v) / 1024 for v in out.stdout.split())
    return first, six


def run(report: Section) -> None:
    files = files_to_hold()
    kinds = {f"before ({BEFORE})": None, "now": ROOT}
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in kinds}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(files)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        held = int(holder.stdout.readline())
        with tempfile.TemporaryDirectory(prefix="stretchd-before-") as tmp:
            kinds[f"before ({BEFORE})"] = package_at(BEFORE, Path(tmp))
            for _ in range(report.runs(7, 2)):  # taking turns
                for kind, package in kinds.items():
                    assert package is not None
                    results[kind].append(growth(package))
    finally:
        holder.kill()
        holder.wait()
    for kind in kinds:
        report.figure(f"RSS growth after one reading, {kind}", [r[0] for r in results[kind]],
                      unit="MiB", digits=2)
        report.figure(f"RSS growth after six readings, {kind}", [r[1] for r in results[kind]],
                      unit="MiB", digits=2, target=GROWTH_TARGET if kind == "now" else None)
    report.note(f"A process held {held} open files (the hard limit of open files allows "
                f"{resource.getrlimit(resource.RLIMIT_NOFILE)[1]}). The soak saw the daemon's "
                "RSS step up by 0.6-0.9 MB once in its run, near its 1 MB limit; tracemalloc "
                "put it at this reading.")
