"""Helpers the benchmarks share: a throw-away XDG home, timed commands, busy cores, import costs."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.sandbox import XDG_DIRS, xdg_home


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
        env = {**os.environ, **{k: v for k, v in xdg_home(root).items() if k != "HOME"}}
        env.pop("NOTIFY_SOCKET", None)  # a benchmark must never talk to the real systemd
        yield Sandbox(root, env)


def venv_script(name: str) -> Path:
    """A console script installed beside the running interpreter (e.g. the venv's stretchd)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; run `make bench` so the venv is set up")
    return path


def run_checked(argv: Sequence[str], env: Mapping[str, str], *,
                ok: Collection[int] = (0,)) -> subprocess.CompletedProcess[str]:
    """Run argv; an exit status outside `ok` (e.g. status's documented 69: no daemon) raises."""
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return done


def time_commands(commands: Mapping[str, Sequence[str]], *, env: Mapping[str, str], runs: int,
                  warmups: int, ok: Collection[int] = (0,)) -> dict[str, list[float]]:
    """Wall seconds of each command, every run; the commands take turns so drift hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(warmups + runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            run_checked(argv, env, ok=ok)
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
    stderrs = [run_checked(cmd, env).stderr for _ in range(runs + 1)]
    return parse_importtime(stderrs[1:])


def parse_importtime(stderrs: Sequence[str]) -> list[ImportCost]:
    """Per-module costs from the stderr of runs with -X importtime (or PYTHONPROFILEIMPORTTIME=1),
    medians over the runs, most expensive self time first; other stderr lines are skipped."""
    seen: dict[str, tuple[list[float], list[float]]] = {}
    for stderr in stderrs:
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


@dataclass(frozen=True)
class Command:
    """One command to time: its argv, its environment, and the exit status that means success."""

    argv: Sequence[str]
    env: Mapping[str, str]
    returncode: int = 0


def time_runs(commands: Mapping[str, Command], *, runs: int, warmups: int) -> dict[str, list[float]]:
    """Like time_commands, but each command has its own env and expected exit status."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(warmups + runs):
        for name, cmd in commands.items():
            start = time.perf_counter()
            done = subprocess.run(cmd.argv, env=cmd.env, capture_output=True, text=True,
                                  check=False)
            took = time.perf_counter() - start
            if done.returncode != cmd.returncode:
                raise RuntimeError(f"{' '.join(cmd.argv)} exited {done.returncode}, not "
                                   f"{cmd.returncode}: {done.stderr.strip()}")
            if i >= warmups:
                times[name].append(took)
    return times


# --- a process tree's memory, wakeups and CPU, from /proc --------------------------------

CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> list[int]:
    """root and every process descended from it that is alive now (root first)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop(0)
        tree.append(pid)
        todo.extend(sorted(children.get(pid, [])))
    return tree


def _status_fields(path: Path) -> dict[str, str]:
    fields = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


@dataclass(frozen=True)
class TreeSample:
    """One look at a process tree. Threads or processes that ended before it are not counted."""

    when: float  # time.monotonic() of the look
    pids: tuple[int, ...]
    threads: int
    rss_kib: int  # VmRSS, summed over the processes
    pss_kib: int  # Pss from smaps_rollup (0 when memory=False)
    switches: int  # voluntary + involuntary context switches of every thread: the wakeups
    cpu_ticks: int  # utime + stime (+ cutime + cstime: reaped children), in clock ticks
    cpu_ns: int  # sum_exec_runtime of every thread (/proc/PID/task/TID/schedstat), nanoseconds


def sample_tree(root: int, *, memory: bool = True) -> TreeSample:
    """Read root's process tree from /proc. memory=False skips smaps_rollup (it is the costly
    part, and walks the target's page tables); the rest does not disturb the processes."""
    pids = process_tree(root)
    if pids[0] != root or not Path(f"/proc/{root}").exists():
        raise RuntimeError(f"process {root} is gone")
    threads = rss = pss = switches = ticks = ns = 0
    for pid in pids:
        proc = Path(f"/proc/{pid}")
        try:
            stat = (proc / "stat").read_text().rpartition(")")[2].split()
            # After the command name: state is field 0, utime..cstime fields 11-14.
            ticks += sum(int(x) for x in stat[11:15])
            rss += int(_status_fields(proc / "status").get("VmRSS", "0 kB").split()[0])
            if memory:
                rollup = _status_fields(proc / "smaps_rollup")
                pss += int(rollup.get("Pss", "0 kB").split()[0])
            for task in (proc / "task").iterdir():
                try:
                    fields = _status_fields(task / "status")
                    switches += (int(fields["voluntary_ctxt_switches"])
                                 + int(fields["nonvoluntary_ctxt_switches"]))
                    ns += int((task / "schedstat").read_text().split()[0])
                    threads += 1
                except (OSError, KeyError):
                    continue  # the thread ended meanwhile
        except OSError:
            continue  # the process ended meanwhile
    return TreeSample(time.monotonic(), tuple(pids), threads, rss, pss, switches, ticks, ns)


@dataclass(frozen=True)
class IdleWindow:
    """What a process tree did over a window of doing nothing, per minute where it says so."""

    started: float  # time.monotonic() at its start
    seconds: float
    rss_mib: float  # at the end of the window
    pss_mib: float
    threads: int
    pids: tuple[int, ...]
    wakeups_per_min: float
    cpu_ms_per_min: float  # from utime + stime: clock-tick resolution
    cpu_ms_per_min_precise: float  # from schedstat: nanosecond resolution
    # (seconds into the window, context switches since its start) at each look, to tell when
    # the wakeups happened.
    timeline: tuple[tuple[float, int], ...]


def idle_window(root: int, *, settle: float, window: float, every: float = 0.5) -> IdleWindow:
    """Wait settle seconds, then watch root's tree for window seconds, looking every `every`."""
    time.sleep(settle)
    first = sample_tree(root, memory=False)
    timeline = [(0.0, 0)]
    end = first.when + window
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(every, left))
        look = sample_tree(root, memory=False)
        timeline.append((look.when - first.when, look.switches - first.switches))
    last = sample_tree(root, memory=True)
    seconds = last.when - first.when
    per_min = 60 / seconds
    return IdleWindow(
        started=first.when, seconds=seconds, rss_mib=last.rss_kib / 1024, pss_mib=last.pss_kib / 1024,
        threads=last.threads, pids=last.pids,
        wakeups_per_min=(last.switches - first.switches) * per_min,
        cpu_ms_per_min=(last.cpu_ticks - first.cpu_ticks) * 1000 / CLOCK_TICK * per_min,
        cpu_ms_per_min_precise=(last.cpu_ns - first.cpu_ns) / 1e6 * per_min,
        timeline=tuple(timeline))


# Results one benchmark leaves for another that runs later in the same `python -m bench`
# (e.g. bench_resume reuses bench_daemon's idle windows rather than idling again).
shared: dict[str, object] = {}


@dataclass(frozen=True)
class ProfileLine:
    function: str  # file:line(name)
    calls: int
    self_ms: float
    cumulative_ms: float


def profile_top(argv: Sequence[str], *, env: Mapping[str, str], top: int = 12,
                returncode: int = 0) -> tuple[float, list[ProfileLine]]:
    """Run a Python command (argv[0] the interpreter, then `-m module ...` or a script) under
    cProfile; (total profiled seconds, the functions with the most self time)."""
    import pstats

    with tempfile.TemporaryDirectory(prefix="stretchd-bench-prof-") as tmp:
        out = Path(tmp) / "profile"
        done = subprocess.run([argv[0], "-m", "cProfile", "-o", str(out), *argv[1:]], env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode != returncode:
            raise RuntimeError(f"profiling {' '.join(argv)}: exited {done.returncode}: "
                               f"{done.stderr.strip()[-2000:]}")
        stats = pstats.Stats(str(out))
    rows = []
    for (path, line, name), (_cc, calls, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{name}" if path == "~" else f"{_short(path)}:{line}({name})"
        rows.append(ProfileLine(where, calls, tt * 1000, ct * 1000))
    rows.sort(key=lambda r: r.self_ms, reverse=True)
    return stats.total_tt, rows[:top]  # type: ignore[attr-defined]


def _short(path: str) -> str:
    """A source path without the interpreter's or the venv's prefix."""
    for marker in ("site-packages/", "lib/python3."):
        if marker in path:
            rest = path.split(marker, 1)[1]
            return rest.split("/", 1)[1] if marker == "lib/python3." and "/" in rest else rest
    return path.removeprefix(str(Path.cwd()) + "/")


# --- what a process's memory is made of ------------------------------------------------------

def rss_by_mapping(pid: int) -> list[tuple[str, int, int]]:
    """(mapping, RSS KiB, PSS KiB) from /proc/PID/smaps, largest RSS first: shared objects by
    file name, anonymous memory as "[anon]" (Python's object arenas live there and in
    "[heap]")."""
    sizes: dict[str, list[int]] = {}
    current = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if not fields:
            continue
        if "-" in fields[0] and not fields[0].endswith(":"):  # a mapping's header line
            name = fields[5] if len(fields) > 5 else "[anon]"
            current = os.path.basename(name) if name.startswith("/") else name
            continue
        if fields[0] in ("Rss:", "Pss:"):
            entry = sizes.setdefault(current, [0, 0])
            entry[0 if fields[0] == "Rss:" else 1] += int(fields[1])
    return sorted(((k, v[0], v[1]) for k, v in sizes.items()), key=lambda x: x[1], reverse=True)


@dataclass(frozen=True)
class Imported:
    module: str
    depth: int  # 0: imported by the program itself (or lazily, from a function)
    self_us: int
    cumulative_us: int


def import_tree(stderr: str) -> list[Imported]:
    """The modules of one -X importtime run in the order their imports completed (a module's
    own imports come just before it, one level deeper)."""
    out = []
    for line in stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) != 3 or not fields[0].strip().isdigit():
            continue
        name = fields[2].rstrip()
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        out.append(Imported(name.strip(), depth, int(fields[0]), int(fields[1])))
    return out


_IMPORT_RSS = """
import importlib, json, sys
def rss():
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmRSS'))
out, last = [], rss()
out.append(['', last])
for m in json.load(sys.stdin):
    if m in sys.modules:
        continue
    try:
        importlib.import_module(m)
    except Exception:
        continue
    now = rss()
    out.append([m, now - last])
    last = now
print(json.dumps(out))
"""


@dataclass(frozen=True)
class ImportMemory:
    package: str  # the top-level package (or module)
    kib: int  # RSS added by importing its modules, in the program's order
    modules: int
    brought_by: str  # the program's own import that first pulled it in


def import_memory(tree: Sequence[Imported]) -> tuple[int, list[ImportMemory]]:
    """(the helper's RSS KiB before importing, RSS added per top-level package, largest first).

    A fresh interpreter imports the modules of `tree` one at a time in the order their imports
    completed (so each mostly adds itself, its dependencies being in already) and reads its RSS
    after each. Approximate: importing a submodule runs its package's __init__ first, so a
    package whose __init__ imports much (asyncio) takes in some dependencies that completed
    after its first submodule. Shared libraries count where they are first loaded."""
    done = subprocess.run([sys.executable, "-c", _IMPORT_RSS], input=json.dumps(
        [m.module for m in tree]), capture_output=True, text=True, check=True)
    deltas: list[tuple[str, int]] = json.loads(done.stdout)
    importer: dict[str, str] = {}
    for i, m in enumerate(tree):
        # A module's parents complete after it: the first depth-0 entry from here on.
        top = next((t.module for t in tree[i:] if t.depth == 0), m.module)
        importer.setdefault(m.module, top)
    packages: dict[str, int] = {}
    first_by: dict[str, str] = {}
    for module, kib in deltas[1:]:
        package = module.split(".")[0]
        packages[package] = packages.get(package, 0) + kib
        first_by.setdefault(package, importer.get(module, module))
    counts: dict[str, int] = {}
    for m in tree:
        counts[m.module.split(".")[0]] = counts.get(m.module.split(".")[0], 0) + 1
    rows = [ImportMemory(p, kib, counts.get(p, 0), first_by[p]) for p, kib in packages.items()]
    return deltas[0][1], sorted(rows, key=lambda r: r.kib, reverse=True)
