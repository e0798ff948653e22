"""The machine a report was measured on: CPU, cores, memory, Python, OS, date, source revision."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _first(path: str, key: str) -> str | None:
    """The value of the first "key: value" line in a /proc file, if there is one."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        name, sep, value = line.partition(":")
        if sep and name.strip() == key:
            return value.strip()
    return None


def cpu() -> str:
    model = _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    total = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0))
    cores = f"{total} cores" if usable == total else f"{usable} of {total} cores usable"
    mhz = _first("/proc/cpuinfo", "cpu MHz")
    return f"{model}, {cores}" + (f", {float(mhz):.0f} MHz" if mhz else "")


def memory() -> str:
    total = _first("/proc/meminfo", "MemTotal")  # "24683812 kB"
    if not total:
        return "unknown"
    return f"{int(total.split()[0]) / 1024 / 1024:.1f} GiB"


def operating_system() -> str:
    pretty = None
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.partition("=")[2].strip('"')
    except OSError:
        pass
    kernel = f"{platform.system()} {platform.release()} {platform.machine()}"
    return f"{pretty}, {kernel}" if pretty else kernel


def revision() -> str:
    """The version and commit measured, and whether the package's files differed from it."""
    from stretchd import __version__

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no", "--", "stretchd"))
    except (OSError, subprocess.CalledProcessError):
        return f"{__version__}, not a git checkout"
    return f"{__version__} at {commit}" + (" with uncommitted changes in stretchd/" if dirty else "")


def describe(now: datetime) -> list[tuple[str, str]]:
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    python = f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})"
    return [
        ("Date", now.isoformat(timespec="seconds")),
        ("CPU", cpu()),
        ("Memory", memory()),
        ("Python", python),
        ("OS", operating_system()),
        ("stretchd", revision()),
        ("Load average at start", f"{load} (1 / 5 / 15 min)"),
    ]
