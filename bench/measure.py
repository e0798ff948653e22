"""Helpers the benchmarks share: a throw-away XDG home, timed commands, busy cores, import costs."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

XDG_DIRS = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME",
            "XDG_CACHE_HOME")


@dataclass(frozen=True)
class Sandbox:
    """A temporary directory holding one XDG directory per variable, and the env naming them."""

    root: Path
    env: dict[str, str]  # os.environ plus the XDG variables: pass to subprocesses

    def dir(self, var: str) -> Path:
        return Path(self.env[var])

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Point this process's XDG variables at the sandbox, for code run in-process."""
        saved = {var: os.environ.get(var) for var in XDG_DIRS}
        os.environ.update({var: self.env[var] for var in XDG_DIRS})
        try:
            yield
        finally:
            for var, value in saved.items():
                if value is None:
                    os.environ.pop(var, None)
                else:
                    os.environ[var] = value


@contextlib.contextmanager
def sandbox() -> Iterator[Sandbox]:
    """A fresh, empty config/state/runtime home, so no benchmark reads or writes the user's."""
    with tempfile.TemporaryDirectory(prefix="stretchd-bench-") as tmp:
        root = Path(tmp)
        env = dict(os.environ)
        for var in XDG_DIRS:
            d = root / var.removeprefix("XDG_").removesuffix("_HOME").lower()
            d.mkdir(mode=0o700)
            env[var] = str(d)
        env.pop("NOTIFY_SOCKET", None)  # a benchmark must never talk to the real systemd
        yield Sandbox(root, env)


def venv_script(name: str) -> Path:
    """A console script installed beside the running interpreter (e.g. the venv's stretchd)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; run `make bench` so the venv is set up")
    return path


def run_checked(argv: Sequence[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return done


def time_commands(commands: Mapping[str, Sequence[str]], *, env: Mapping[str, str], runs: int,
                  warmups: int) -> dict[str, list[float]]:
    """Wall seconds of each command, every run; the commands take turns so drift hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(warmups + runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            run_checked(argv, env)
            took = time.perf_counter() - start
            if i >= warmups:
                times[name].append(took)
    return times


@dataclass(frozen=True)
class ImportCost:
    module: str
    self_ms: float
    cumulative_ms: float


def import_costs(argv: Sequence[str], *, env: Mapping[str, str], runs: int) -> list[ImportCost]:
    """Per-module import time of a Python command (argv[0] the interpreter), medians over runs.

    Most expensive self time first. The first run only warms the bytecode cache.
    """
    cmd = [argv[0], "-X", "importtime", *argv[1:]]
    seen: dict[str, tuple[list[float], list[float]]] = {}
    for i in range(runs + 1):
        stderr = run_checked(cmd, env).stderr
        if i == 0:
            continue
        for line in stderr.splitlines():
            fields = line.removeprefix("import time:").split("|")
            if len(fields) != 3 or not fields[0].strip().isdigit():
                continue  # the header line, or someone else's stderr
            own, total = seen.setdefault(fields[2].strip(), ([], []))
            own.append(int(fields[0]) / 1000)
            total.append(int(fields[1]) / 1000)
    costs = [ImportCost(m, statistics.median(own), statistics.median(total))
             for m, (own, total) in seen.items()]
    return sorted(costs, key=lambda c: c.self_ms, reverse=True)


class Spinners:
    """Processes that each keep one core busy, to measure under load."""

    def __init__(self, procs: list[subprocess.Popen[bytes]]) -> None:
        self.procs = procs
        self.started = time.monotonic()

    def cpu_seconds(self) -> list[float]:
        """CPU time each spinner has had so far (to check they really ran)."""
        tick = os.sysconf("SC_CLK_TCK")
        out = []
        for p in self.procs:
            # Fields after the ")" that ends the command name; utime and stime are 14 and 15.
            stat = Path(f"/proc/{p.pid}/stat").read_text().rpartition(")")[2].split()
            out.append((int(stat[11]) + int(stat[12])) / tick)
        return out

    def describe(self) -> str:
        """How busy they kept the cores, e.g. "2 busy-loop processes (98%, 97% of a core over 301 s)"."""
        wall = time.monotonic() - self.started
        shares = ", ".join(f"{c / wall:.0%}" for c in self.cpu_seconds())
        return f"{len(self.procs)} busy-loop processes ({shares} of a core over {wall:.0f} s)"


@contextlib.contextmanager
def busy_cores(count: int | None = None) -> Iterator[Spinners]:
    """count processes (default: one per usable core) spinning `while True: pass` until exit."""
    n = count if count is not None else len(os.sched_getaffinity(0))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(n):
            procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"],
                                          stdin=subprocess.DEVNULL))
        time.sleep(0.5)  # let them get scheduled before measuring starts
        yield Spinners(procs)
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()
