"""Idle cost beside Workrave and Safe Eyes, all three measured in this run.

Workrave and Safe Eyes as Debian ships them (`make bench-peers` installs them as root), and
`stretchd run`, each started in turn on the same headless desktop as `daemon`'s idle figure
(the end-to-end tests' harness: a private session bus, Xvfb, dunst, a bus monitor) with a
private dbus-daemon as the system bus (Safe Eyes and stretchd subscribe to logind's
PrepareForSleep there; Safe Eyes will not start without a system bus). Every start gets a fresh
temporary HOME with the XDG directories inside it (`XDG_CONFIG_HOME=$HOME/.config`, ...) and
its own dconf-service on the session bus for GSettings, so nothing reads or writes your own
configuration; nothing is configured beforehand: each program does what it does on a first
start (stretchd gets two reminders hours away).

- **Window**: after 10 s to settle (from READY=1 for stretchd, as in `daemon`; from the start
  for the others), 60 s (3 s and 10 s with --quick). The programs take turns, stretchd,
  Workrave, Safe Eyes, for 2 rounds (1 with --quick), so each figure is the median of 2 windows
  with their min and max. Each program is checked at every look (every 0.5 s) to be still
  running as the process it started as (not crashed, not restarted).
- **Summed over the program's process tree**: RSS (VmRSS) and PSS (smaps_rollup) at the end of
  the window; wakeups = voluntary + involuntary context switches of every thread
  (/proc/PID/task/*/status); CPU = the scheduler's nanosecond runtime of every thread
  (schedstat). Unlike `daemon`'s figure, tasks that end inside the window count too, with
  what they did in it: a helper process a program runs every few seconds (Safe Eyes runs
  `xprintidle`) lives a few milliseconds, between two looks, and a sum over the threads alive
  at both ends misses it. Their totals at exit come from the kernel (taskstats, a netlink
  listener; it needs root). The sums over live threads only, `daemon`'s and TESTING.md's way,
  are in a table below.
- **Ratios**: each peer's median over stretchd's median from the same run.
- **The display**: before the windows, a throw-away GTK window is shown on the shared display,
  as some GTK program (a panel, a settings daemon) has on a desktop session: the first GTK 3
  program on a display loads Mesa to work out its GL visuals, and later ones do not. Each peer
  is also started once alone on a fresh desktop, and its RSS read after the same settling
  time: what being that first program costs it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.daemons import DESKTOP_TOOLS, Daemon, LogindBus, daemon_env, desktop, hours_away, require
from bench.measure import CLOCK_TICK, Sandbox, process_tree, sample_tree, sandbox
from bench.report import Section

if TYPE_CHECKING:
    from harness.desktop import Desktop


@dataclass(frozen=True)
class Program:
    key: str
    name: str
    package: str | None  # the Debian package, for its version
    argv: tuple[str, ...]
    # From /work/shared/TESTING.md (measured elsewhere, live threads only): RSS, wakeups, CPU.
    testing: str = "–"


STRETCHD = Program("stretchd", "stretchd", None, ())
PEERS = (Program("workrave", "Workrave", "workrave", ("workrave",),
                 "95 MB, 700–750, 55–60 (1.10.50)"),
         Program("safeeyes", "Safe Eyes", "safeeyes", ("safeeyes",), "130 MB, 247, 30 (2.1.5)"))
# What `make bench-peers` installs (as root). Safe Eyes' two Recommends make it run as shipped:
# its tray icon (AppIndicator, else the plugin fails to load) and Smart Pause (on by default,
# it asks xprintidle how long the user has been idle; the plugin is dropped without it).
PACKAGES = ("workrave", "safeeyes", "gir1.2-ayatanaappindicator3-0.1", "xprintidle",
            "dconf-service")
INSTALL = f"apt-get install -y --no-install-recommends {' '.join(PACKAGES)}"
DCONF_SERVICE = "/usr/libexec/dconf-service"
DCONF_NAME = "ca.desrt.dconf"
STOP_TIMEOUT = 10.0  # s from SIGTERM to SIGKILL


def run(report: Section) -> None:
    present = [p for p in PEERS if shutil.which(p.argv[0])]
    missing = [p for p in PEERS if p not in present]
    if not present:
        report.note(not_installed(missing))
        return
    require(*DESKTOP_TOOLS)
    settle, window = (3.0, 10.0) if report.quick else (10.0, 60.0)
    rounds = report.runs(2, 1)
    programs = [STRETCHD, *present]
    windows: dict[str, list[Window]] = {p.key: [] for p in programs}
    fresh: dict[str, tuple[float, float]] = {}
    failures: list[str] = []
    strays: list[str] = []
    exits = ExitListener()
    try:
        for p in present:  # each peer as the first GTK program on a display of its own
            try:
                fresh[p.key], left = first_on_display(p, settle=settle)
            except Exception as e:
                failures.append(f"{p.name}, first on a fresh display: {e}")
                continue
            strays += [f"{p.name} (fresh display): {s}" for s in left]
        with desktop_box() as box, desktop(box) as desk, LogindBus() as system_bus:
            primed = prime(desk, system_bus, present[0])
            for turn in range(rounds):
                for p in programs:
                    try:
                        w, left = idle_run(p, desk, system_bus, settle=settle, window=window,
                                           exits=exits)
                    except Exception as e:
                        failures.append(f"{p.name}, round {turn + 1}: {e}")
                        continue
                    windows[p.key].append(w)
                    strays += [f"{p.name}: {s}" for s in left]
    finally:
        exits.close()

    record(report, programs, windows, fresh=fresh, primed=primed, missing=missing, exits=exits,
           strays=strays, settle=settle, window=window, rounds=rounds)
    if failures:
        raise RuntimeError("idle runs that went wrong:\n" + "\n\n".join(failures))


@contextlib.contextmanager
def desktop_box() -> Iterator[Sandbox]:
    """A sandbox whose HOME is temporary too, for the desktop's own processes (dunst, buses)."""
    with sandbox() as base:
        home = base.root / "desktop-home"
        home.mkdir()
        yield Sandbox(base.root, {**base.env, "HOME": str(home)})


# A GTK 3 program caches the display's GL visuals in a root-window property (GDK_VISUALS); the
# first one to open a window on a display works them out by loading Mesa (libLLVM and a DRI
# driver, some 50 MB) and keeps them mapped. On a desktop session something (a panel, a
# settings daemon) has done so long before a break reminder starts; so before measuring, a
# throw-away GTK window is shown on the shared display.
PRIME = """import gi
gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk
Gtk.init(None)
Gtk.Window().show_all()
GLib.timeout_add(500, Gtk.main_quit)
Gtk.main()
"""


def prime(desk: Desktop, system_bus: LogindBus, peer: Program) -> str:
    """Show one GTK window on the desktop's display before anything is measured; says how."""
    with sandbox() as box:
        env = program_env(box, desk, system_bus.address)
        if Path("/usr/bin/python3").exists():
            done = subprocess.run(["/usr/bin/python3", "-c", PRIME], env=env, capture_output=True,
                                  text=True, timeout=60, check=False)
            if done.returncode == 0:
                return "a throw-away GTK window (0.5 s, /usr/bin/python3 with python3-gi)"
        with dconf(env, box.root):  # no python3-gi: a first start of a peer does it too
            started = Peer(peer.argv, env, box.root / "prime.log")
            time.sleep(5)
            started.stop()
        return f"a first start of {peer.name} (5 s; no python3-gi for a throw-away window)"


def first_on_display(p: Program, *, settle: float) -> tuple[tuple[float, float], list[str]]:
    """p's RSS and PSS (MiB) after `settle` seconds as the first program on a fresh desktop;
    and what it left behind."""
    with desktop_box() as dbox, desktop(dbox) as desk, LogindBus() as system_bus, \
            sandbox() as box:
        env = program_env(box, desk, system_bus.address)
        with dconf(env, box.root):
            peer = Peer(p.argv, env, box.root / f"{p.key}.log")
            try:
                time.sleep(settle)
                if not peer.alive():
                    raise RuntimeError(f"it exited {peer.proc.returncode}: {peer.tail()}")
                s = sample_tree(peer.pid)
            finally:
                left = peer.stop()
    return (s.rss_kib / 1024, s.pss_kib / 1024), left


def not_installed(missing: list[Program]) -> str:
    names = ", ".join(f"{p.name} (`{p.argv[0]}`)" for p in missing)
    why = ("" if os.geteuid() == 0 else
           " This run is not root, so `make bench-peers` could not have installed them.")
    return (f"**Not measured:** {names} not installed.{why} `make bench-peers` installs them as "
            f"root (`{INSTALL}`) and then runs this benchmark; without them it records this "
            f"and the other benchmarks go on.")


# --- one program, one window --------------------------------------------------------------------

def program_env(box: Sandbox, desk: Desktop, system_bus: str) -> dict[str, str]:
    """The desktop's environment with a temporary HOME holding every XDG directory (Safe Eyes
    writes to $HOME/.config/safeeyes and reads $XDG_CONFIG_HOME/safeeyes: they must agree)."""
    from harness.sandbox import xdg_home

    dirs = xdg_home(box.root, under_home=True)
    for d in dirs.values():
        Path(d).mkdir(mode=0o700, parents=True, exist_ok=True)
    return {**daemon_env(box, desk, {"DBUS_SYSTEM_BUS_ADDRESS": system_bus}), **dirs}


class Peer:
    """A program started in a session of its own, so that what it leaves behind can be found."""

    def __init__(self, argv: tuple[str, ...], env: Mapping[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(list(argv), env=dict(env), stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self) -> str:
        return tail(self.log)

    def stop(self) -> list[str]:
        """SIGTERM (SIGKILL after STOP_TIMEOUT); then kill whatever is left in its session.
        Returns what was left (name and pid)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        left = [f"{name} ({pid}) still running after it exited" for pid, name in in_session(self.pid)]
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while in_session(self.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left += [f"{name} ({pid}) survived SIGKILL" for pid, name in in_session(self.pid)]
        return left


def in_session(sid: int) -> list[tuple[int, str]]:
    """Live (not zombie) processes whose session is sid."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, _, rest = (entry / "stat").read_text().rpartition(")")
        except OSError:
            continue
        fields = rest.split()
        if len(fields) > 3 and int(fields[3]) == sid and fields[0] not in ("Z", "X"):
            found.append((int(entry.name), head.partition("(")[2]))
    return found


def tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no output)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(no output)"


@contextlib.contextmanager
def dconf(env: Mapping[str, str], workdir: Path) -> Iterator[int | None]:
    """A dconf-service of this start's own on the session bus (the desktop's bus activates
    nothing): GTK programs keep their GSettings in dconf, and write them at the first start.
    It stores them in env's XDG_CONFIG_HOME/dconf. Yields its pid (None if not installed)."""
    if not Path(DCONF_SERVICE).exists():
        yield None
        return
    with (workdir / "dconf-service.log").open("wb") as log:
        proc = subprocess.Popen([DCONF_SERVICE], env=dict(env), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 5
        while not has_owner(env, DCONF_NAME):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dconf-service did not take {DCONF_NAME}: "
                                   f"{tail(workdir / 'dconf-service.log')}")
            time.sleep(0.05)
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def has_owner(env: Mapping[str, str], name: str) -> bool:
    out = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                          "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
                          f"string:{name}"], env=dict(env), capture_output=True, text=True,
                         timeout=5, check=False)
    return "boolean true" in out.stdout


def idle_run(p: Program, desk: Desktop, system_bus: LogindBus, *, settle: float, window: float,
             exits: ExitListener) -> tuple[Window, list[str]]:
    """Start p on the desktop, watch it idle; (its window, processes it left behind)."""
    with sandbox() as box:
        env = program_env(box, desk, system_bus.address)
        with dconf(env, box.root) as dconf_pid:
            others = {**desk.pids(), "system bus": system_bus.proc.pid}
            if dconf_pid is not None:
                others["dconf-service"] = dconf_pid
            if p is STRETCHD:
                config = Path(env["XDG_CONFIG_HOME"]) / "stretchd" / "config.toml"
                config.parent.mkdir(parents=True, exist_ok=True)
                config.write_text(hours_away(2))
                with Daemon(box.root, env) as d:
                    d.wait_ready()
                    assert d.ready_at is not None
                    if "no resume signal" in d.err():
                        raise RuntimeError(f"stretchd did not subscribe to the stand-in logind: "
                                           f"{d.err()}")
                    w = watch(d.pid, lambda: d.proc.poll() is None, lambda: d.err()[-2000:],
                              start=d.ready_at + settle, window=window, exits=exits, others=others)
                return w, []
            peer = Peer(p.argv, env, box.root / f"{p.key}.log")
            try:
                w = watch(peer.pid, peer.alive, peer.tail, start=peer.started + settle,
                          window=window, exits=exits, others=others)
            finally:
                left = peer.stop()
            return w, left


# --- a process tree's threads, and the tasks that ended meanwhile ------------------------------

@dataclass(frozen=True)
class Task:
    """One thread at one look."""

    pid: int  # its process
    name: str  # the thread's name (comm)
    switches: int  # voluntary + involuntary context switches
    cpu_ns: int  # schedstat's sum_exec_runtime


@dataclass(frozen=True)
class Look:
    when: float  # time.monotonic() as it started
    pids: tuple[int, ...]
    names: dict[int, str]  # pid -> process name
    tasks: dict[int, Task]  # by thread id
    ticks: int  # utime + stime + cutime + cstime of the processes, clock ticks


def _status(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def look(root: int) -> Look:
    """Every thread of root's process tree now; ProcessLookupError if root is gone (or a zombie)."""
    when = time.monotonic()
    pids = []
    names: dict[int, str] = {}
    tasks: dict[int, Task] = {}
    ticks = 0
    for pid in process_tree(root):
        proc = Path(f"/proc/{pid}")
        try:
            head, _, rest = (proc / "stat").read_text().rpartition(")")
            fields = rest.split()
            if fields[0] in ("Z", "X"):  # a zombie: it has ended
                raise ProcessLookupError(pid)
            ticks += sum(int(x) for x in fields[11:15])
            names[pid] = head.partition("(")[2]
            pids.append(pid)
            for task in (proc / "task").iterdir():
                try:
                    status = _status(task / "status")
                    tasks[int(task.name)] = Task(
                        pid, status["Name"],
                        int(status["voluntary_ctxt_switches"])
                        + int(status["nonvoluntary_ctxt_switches"]),
                        int((task / "schedstat").read_text().split()[0]))
                except (OSError, KeyError, ValueError):
                    continue  # the thread ended meanwhile
        except (OSError, ProcessLookupError):
            if pid == root:
                raise ProcessLookupError(root) from None
            continue  # a child ended meanwhile
    return Look(when, tuple(pids), names, tasks, ticks)


@dataclass(frozen=True)
class Exited:
    """The kernel's account of one task (thread) as it exited."""

    when: float  # time.monotonic() when the record arrived
    tid: int
    tgid: int  # its process
    ppid: int  # its process's parent
    name: str
    switches: int
    cpu_ns: int


# Generic netlink and taskstats constants (linux/netlink.h, linux/genetlink.h, linux/taskstats.h).
NETLINK_GENERIC = 16
NLMSG_ERROR = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 0x10, 3, 1, 2
TASKSTATS_CMD_GET, TASKSTATS_CMD_ATTR_REGISTER_CPUMASK = 1, 3
TASKSTATS_TYPE_STATS, TASKSTATS_TYPE_AGGR_PID = 3, 4
# Offsets in struct taskstats (version 10 on: ac_tgid): cpu_run_virtual_total is the
# scheduler's runtime in ns (as schedstat), ac_comm a 32-byte name.
TS_CPU_NS, TS_COMM, TS_PID, TS_PPID, TS_NVCSW, TS_NIVCSW, TS_TGID = 72, 80, 128, 132, 272, 280, 368


def _attr(kind: int, data: bytes) -> bytes:
    size = 4 + len(data)
    return struct.pack("=HH", size, kind) + data + b"\0" * (-size % 4)


def _attrs(data: bytes) -> Iterator[tuple[int, bytes]]:
    i = 0
    while i + 4 <= len(data):
        size, kind = struct.unpack_from("=HH", data, i)
        if size < 4:
            return
        yield kind & 0x3FFF, data[i + 4:i + size]  # without NLA_F_NESTED / NLA_F_NET_BYTEORDER
        i += (size + 3) & ~3


def _messages(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(type, sequence number, payload) of each netlink message in one datagram."""
    i = 0
    while i + 16 <= len(data):
        size, kind, _flags, seq, _port = struct.unpack_from("=IHHII", data, i)
        if size < 16:
            return
        yield kind, seq, data[i + 16:i + size]
        i += (size + 3) & ~3


class ExitListener:
    """Every task that exits on the machine while this listens, with its context switches and
    CPU time at exit: the kernel's taskstats, over generic netlink. Registering needs
    CAP_NET_ADMIN (root); otherwise `error` says why there are no records."""

    def __init__(self) -> None:
        self.error: str | None = None
        self.lost = 0  # datagrams the kernel dropped (ENOBUFS): records may be missing
        self._records: list[Exited] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._family = 0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        try:
            self._sock = self._open()
        except OSError as e:
            self.error = f"taskstats unavailable: {e.strerror or e}"
            return
        self._thread = threading.Thread(target=self._read, name="taskstats", daemon=True)
        self._thread.start()

    @property
    def ok(self) -> bool:
        return self._sock is not None

    def _open(self) -> socket.socket:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        try:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            sock.bind((0, 0))
            sock.settimeout(5)
            reply = self._request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                  _attr(CTRL_ATTR_FAMILY_NAME, b"TASKSTATS\0"), seq=1)
            self._family = next((struct.unpack_from("=H", v)[0] for k, v in _attrs(reply[4:])
                                 if k == CTRL_ATTR_FAMILY_ID), 0)
            if not self._family:
                raise OSError("the kernel has no TASKSTATS netlink family")
            cpus = Path("/sys/devices/system/cpu/possible").read_text().strip()
            self._request(sock, self._family, TASKSTATS_CMD_GET,
                          _attr(TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, cpus.encode() + b"\0"),
                          seq=2, ack=True)
            sock.settimeout(0.2)
        except BaseException:
            sock.close()
            raise
        return sock

    def _request(self, sock: socket.socket, family: int, cmd: int, attrs: bytes, *, seq: int,
                 ack: bool = False) -> bytes:
        payload = struct.pack("=BBH", cmd, 1, 0) + attrs
        flags = NLM_F_REQUEST | (NLM_F_ACK if ack else 0)
        sock.send(struct.pack("=IHHII", 16 + len(payload), family, flags, seq, 0) + payload)
        while True:
            data = sock.recv(1 << 16)
            for kind, got_seq, body in _messages(data):
                if kind == NLMSG_ERROR and got_seq == seq:
                    code = struct.unpack_from("=i", body)[0]
                    if code < 0:
                        raise OSError(-code, os.strerror(-code))
                    return body
                if kind == family and got_seq == seq:
                    return body
                if self._family and kind == self._family:
                    self._keep(body)  # an exit that came before the answer

    def _read(self) -> None:
        assert self._sock is not None
        while not self._done.is_set():
            try:
                data = self._sock.recv(1 << 20)
            except TimeoutError:
                continue
            except OSError as e:
                if e.errno == 105:  # ENOBUFS: the kernel dropped records
                    self.lost += 1
                    continue
                return
            for kind, _seq, body in _messages(data):
                if kind == self._family:
                    self._keep(body)

    def _keep(self, body: bytes) -> None:
        now = time.monotonic()
        for kind, nested in _attrs(body[4:]):
            if kind != TASKSTATS_TYPE_AGGR_PID:  # AGGR_TGID: a whole process, counted twice
                continue
            stats = dict(_attrs(nested)).get(TASKSTATS_TYPE_STATS)
            if stats is None or len(stats) < TS_TGID + 4:
                continue
            name = stats[TS_COMM:TS_COMM + 32].split(b"\0")[0].decode(errors="replace")
            record = Exited(
                now, struct.unpack_from("=I", stats, TS_PID)[0],
                struct.unpack_from("=I", stats, TS_TGID)[0],
                struct.unpack_from("=I", stats, TS_PPID)[0], name,
                sum(struct.unpack_from("=QQ", stats, TS_NVCSW)),
                struct.unpack_from("=Q", stats, TS_CPU_NS)[0])
            with self._lock:
                self._records.append(record)

    def since(self, when: float) -> list[Exited]:
        with self._lock:
            kept = [r for r in self._records if r.when >= when]
            self._records = kept  # older ones are no longer wanted
            return list(kept)

    def close(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(2)
        if self._sock is not None:
            self._sock.close()  # closing deregisters


@dataclass
class Window:
    """What a program's process tree did over one idle window, per minute where it says so."""

    seconds: float
    rss_mib: float  # at the end
    pss_mib: float
    processes: dict[str, int]  # at the end: name -> how many
    threads: int
    wakeups: float  # every thread, including tasks that ended in the window
    cpu_ms: float  # likewise, schedstat
    live_wakeups: float  # only threads alive at both ends, as `daemon` (and TESTING.md) count
    live_cpu_ms: float
    ticks_cpu_ms: float  # utime + stime (+ reaped children's), clock ticks
    ended_processes: Counter[str]  # name -> how many processes ended in the window
    ended_threads: int
    exits_counted: bool  # whether taskstats records were there
    # (process, thread) -> [tasks, switches, ns], over the window
    by_thread: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    desktop_wakeups: float = 0.0  # the desktop's processes over the same window
    desktop_cpu_ms: float = 0.0
    desktop_by: dict[str, float] = field(default_factory=dict)  # wakeups/min by process


@dataclass
class Totals:
    """One process tree over a window: every thread, and the tasks that ended meanwhile."""

    switches: int = 0
    cpu_ns: int = 0
    live_switches: int = 0  # threads alive at both looks only (sample_tree's sums)
    live_cpu_ns: int = 0
    ended_processes: Counter[str] = field(default_factory=Counter)
    ended_threads: int = 0
    by_thread: dict[tuple[str, str], list[int]] = field(default_factory=dict)


class Tracker:
    """Looks at root's process tree again and again; at the end, sums what every thread did
    between the first look and the last, tasks that ended in between included."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.first: Look | None = None
        self.last: Look | None = None
        self.seen: dict[int, Task] = {}  # every thread looked at, as last seen
        self.known: set[int] = set()  # every process of the tree
        self.names: dict[int, str] = {}

    def take(self) -> Look:
        now = look(self.root)
        if self.first is None:
            self.first = now
        self.last = now
        self.seen.update(now.tasks)
        self.known.update(now.pids)
        self.names.update(now.names)
        return now

    def totals(self, records: list[Exited]) -> Totals:
        first, last = self.first, self.last
        assert first is not None and last is not None
        # Tasks of the tree that ended: seen here, or of a process of the tree, or a child of
        # one (a child that lived between two looks); then that child's children.
        ended: dict[int, Exited] = {}
        pending = [r for r in records if r.tid not in last.tasks and r.when >= first.when]
        grew = True
        while grew:
            grew = False
            for r in pending:
                if r.tid not in ended and (r.tid in self.seen or r.tgid in self.known
                                           or r.ppid in self.known):
                    ended[r.tid] = r
                    self.known.add(r.tgid)
                    grew = True
        for r in ended.values():
            if r.tid == r.tgid:
                self.names.setdefault(r.tgid, r.name)
        out = Totals(
            live_switches=(sum(t.switches for t in last.tasks.values())
                           - sum(t.switches for t in first.tasks.values())),
            live_cpu_ns=(sum(t.cpu_ns for t in last.tasks.values())
                         - sum(t.cpu_ns for t in first.tasks.values())),
            ended_processes=Counter(self.names.get(pid, "?")
                                    for pid in self.known - set(last.pids)),
            ended_threads=sum(1 for r in ended.values() if r.tid != r.tgid))
        for tid in set(self.seen) | set(ended):
            base = first.tasks.get(tid)
            if tid in last.tasks:
                t = last.tasks[tid]
                pid, name, sw, cpu, gone = t.pid, t.name, t.switches, t.cpu_ns, ""
            elif tid in ended:
                r = ended[tid]
                pid, name, sw, cpu, gone = r.tgid, r.name, r.switches, r.cpu_ns, " (ended)"
            else:  # ended without a record (not root): what it had done by the last look
                t = self.seen[tid]
                pid, name, sw, cpu, gone = t.pid, t.name, t.switches, t.cpu_ns, " (ended)"
            d_sw = sw - (base.switches if base else 0)
            d_ns = cpu - (base.cpu_ns if base else 0)
            out.switches += d_sw
            out.cpu_ns += d_ns
            row = out.by_thread.setdefault((self.names.get(pid, "?"), name + gone), [0, 0, 0])
            row[0] += 1
            row[1] += d_sw
            row[2] += d_ns
        return out


def watch(root: int, alive: Callable[[], bool], log: Callable[[], str], *, start: float,
          window: float, exits: ExitListener, others: Mapping[str, int],
          every: float = 0.5) -> Window:
    """Wait until `start` (time.monotonic()), then watch root's tree (and the desktop's
    processes, `others`) for `window` seconds."""
    program = Tracker(root)
    desk = {name: Tracker(pid) for name, pid in others.items()}

    def check() -> Look:
        try:
            if not alive():
                raise ProcessLookupError(root)
            now = program.take()
        except ProcessLookupError:
            raise RuntimeError(f"it exited (or restarted) while being watched; its output:\n"
                               f"{log()}") from None
        for name, t in desk.items():
            try:
                t.take()
            except ProcessLookupError:
                raise RuntimeError(f"the desktop's {name} exited") from None
        return now

    time.sleep(max(0.0, start - time.monotonic()))
    first = check()
    end = first.when + window
    last = first
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(every, left))
        last = check()
    memory = sample_tree(root)
    time.sleep(0.3)  # for the records of the last exits to arrive
    records = exits.since(first.when) if exits.ok else []
    mine = program.totals(records)
    theirs = {name: t.totals(records) for name, t in desk.items()}
    per_min = 60 / (last.when - first.when)
    return Window(
        seconds=last.when - first.when, rss_mib=memory.rss_kib / 1024,
        pss_mib=memory.pss_kib / 1024,
        processes=dict(Counter(last.names[pid] for pid in last.pids)),
        threads=len(last.tasks), wakeups=mine.switches * per_min,
        cpu_ms=mine.cpu_ns / 1e6 * per_min, live_wakeups=mine.live_switches * per_min,
        live_cpu_ms=mine.live_cpu_ns / 1e6 * per_min,
        ticks_cpu_ms=(last.ticks - first.ticks) * 1000 / CLOCK_TICK * per_min,
        ended_processes=mine.ended_processes, ended_threads=mine.ended_threads,
        exits_counted=exits.ok, by_thread=mine.by_thread,
        desktop_wakeups=sum(t.switches for t in theirs.values()) * per_min,
        desktop_cpu_ms=sum(t.cpu_ns for t in theirs.values()) / 1e6 * per_min,
        desktop_by={name: t.switches * per_min for name, t in theirs.items()})


# --- the report -----------------------------------------------------------------------------------

def version(p: Program) -> str:
    if p.package is None:
        from importlib.metadata import version as dist_version

        return dist_version("stretchd")
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", p.package], capture_output=True,
                         text=True, check=False)
    return out.stdout.strip() or "?"


def show(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 1 else f"{x:.2f}"


def spread(values: list[float]) -> str:
    """The median, and the range when there is more than one value."""
    med = show(statistics.median(values))
    if len(values) < 2:
        return med
    return f"{med} ({show(min(values))}–{show(max(values))})"


def ratio(peer: list[float], ours: list[float]) -> str:
    a, b = statistics.median(peer), statistics.median(ours)
    if b <= 0:
        return "–" if a <= 0 else "∞ (stretchd: 0)"
    return f"{show(a / b)}×"


def record(report: Section, programs: list[Program], windows: dict[str, list[Window]], *,
           fresh: dict[str, tuple[float, float]], primed: str, missing: list[Program],
           exits: ExitListener, strays: list[str], settle: float, window: float,
           rounds: int) -> None:
    measured = [p for p in programs if windows[p.key]]
    label = {p.key: f"{p.name} {version(p)}" for p in programs}
    for p in measured:
        ws = windows[p.key]
        report.figure(f"{label[p.key]}: idle RSS, process tree", [w.rss_mib for w in ws],
                      unit="MiB")
        report.figure(f"{label[p.key]}: idle PSS, process tree", [w.pss_mib for w in ws],
                      unit="MiB")
        report.figure(f"{label[p.key]}: idle wakeups (all threads, ended tasks too)",
                      [w.wakeups for w in ws], unit="/min")
        report.figure(f"{label[p.key]}: idle CPU (schedstat, ended tasks too)",
                      [w.cpu_ms for w in ws], unit="ms/min", digits=2)

    ours = windows[STRETCHD.key]
    rows = []
    for p in measured:
        ws = windows[p.key]
        peer = p is not STRETCHD

        def cells(get: Callable[[Window], float], ws: list[Window] = ws, peer: bool = peer
                  ) -> list[str]:
            values = [get(w) for w in ws]
            by = (ratio(values, [get(w) for w in ours]) if ours else "–") if peer else "1×"
            return [spread(values), by]

        last = ws[-1]
        made = ", ".join(f"{n}× {name}" for name, n in last.processes.items())
        ended = (", ".join(f"{n}× {name}" for name, n in last.ended_processes.most_common())
                 or "none")
        rows.append([label[p.key], *cells(lambda w: w.rss_mib), *cells(lambda w: w.pss_mib),
                     *cells(lambda w: w.wakeups), *cells(lambda w: w.cpu_ms),
                     f"{made}; {last.threads} thread{'s' if last.threads != 1 else ''}", ended])
    if rows:
        report.table(
            ("Program", "RSS, MiB", "÷ stretchd", "PSS, MiB", "÷ stretchd", "Wakeups/min",
             "÷ stretchd", "CPU ms/min", "÷ stretchd", "Processes; threads (at the end)",
             "Processes that ended in the window"),
            rows,
            caption=f"**Beside stretchd, all measured in this run**: median of {rounds} "
                    f"window{'s' if rounds != 1 else ''} of {window:g} s (min–max), after "
                    f"{settle:g} s to settle; each peer's ratio is its median over stretchd's. "
                    f"Processes and threads as of the last window:")

    if fresh:
        rows = []
        for p in programs:
            if p.key not in fresh:
                continue
            rss, pss = fresh[p.key]
            primed_rss = [w.rss_mib for w in windows[p.key]]
            rows.append([label[p.key], show(rss), show(pss),
                         show(statistics.median(primed_rss)) if primed_rss else "–",
                         f"+{show(rss - statistics.median(primed_rss))}" if primed_rss else "–"])
        report.table(
            ("Program", "RSS, MiB, first on a fresh display", "PSS, MiB", "RSS, MiB, above",
             "More when first"),
            rows,
            caption=f"**The first GTK program on a display pays for Mesa.** GTK 3 keeps the "
                    f"display's GL visuals in a root-window property (GDK_VISUALS); the first "
                    f"GTK program to show a window on a display works them out by loading "
                    f"Mesa's OpenGL (libLLVM, the swrast DRI driver) and keeps it mapped, later "
                    f"ones read the property. On a desktop session something (a panel, a "
                    f"settings daemon) has done that long before a break reminder starts, so "
                    f"before the windows above the shared display was shown {primed}. Each peer started "
                    f"once more, alone on a fresh desktop, read after {settle:g} s:")

    if measured:
        report.table(
            ("Program", "Wakeups/min, live threads only", "CPU ms/min, live threads (schedstat)",
             "CPU ms/min, utime + stime (clock ticks, reaped children too)",
             "TESTING.md: RSS, wakeups/min, CPU ms/min"),
            [[label[p.key], spread([w.live_wakeups for w in windows[p.key]]),
              spread([w.live_cpu_ms for w in windows[p.key]]),
              spread([w.ticks_cpu_ms for w in windows[p.key]]), p.testing] for p in measured],
            caption="The same windows summed `daemon`'s (and TESTING.md's) way: the threads "
                    "alive at the start and at the end of the window, so that a task that "
                    "ended in between counts not at all (or negatively, when it was there at "
                    "the start). The clock-tick CPU includes the children a process has "
                    "reaped (cutime, cstime), at 10 ms resolution. TESTING.md's RSS is close to "
                    "each peer's first on a fresh display:")

        report.table(
            ("Program", "Process", "Thread", "Tasks", "Wakeups/min", "CPU ms/min"),
            [[label[p.key], f"`{proc}`", f"`{thread}`", str(n), show(sw * 60 / w.seconds),
              show(cpu / 1e6 * 60 / w.seconds)]
             for p in measured
             for w in [windows[p.key][-1]]
             for (proc, thread), (n, sw, cpu) in sorted(w.by_thread.items(),
                                                         key=lambda kv: -kv[1][1])[:8]],
            caption="Where the wakeups are, in each program's last window (thread names from "
                    "/proc; \"(ended)\": tasks that ended in the window, \"Tasks\" how many "
                    "had that name; the 8 busiest names of each):")

        report.table(
            ("Program", "Desktop wakeups/min meanwhile", "Desktop CPU ms/min meanwhile",
             "Wakeups/min by process, last window"),
            [[label[p.key], spread([w.desktop_wakeups for w in windows[p.key]]),
              spread([w.desktop_cpu_ms for w in windows[p.key]]),
              ", ".join(f"{k} {show(v)}" for k, v in sorted(windows[p.key][-1].desktop_by.items(),
                                                           key=lambda kv: -kv[1]))]
             for p in measured],
            caption="Not counted above: what the shared desktop's own processes (Xvfb, dunst, "
                    "the session bus, the bus monitor, the stand-in system bus, and that "
                    "start's dconf-service) did over the same windows, live threads: the work "
                    "a program's X and D-Bus traffic causes there, plus their own idle cost:")

    notes = []
    if exits.ok:
        lost = (f" The kernel dropped {exits.lost} batch{'es' if exits.lost != 1 else ''} of "
                f"records (ENOBUFS): some ended tasks may be missing." if exits.lost else "")
        notes.append(f"Tasks that ended in a window were counted from the kernel's taskstats "
                     f"exit records (registered for every CPU; matched to a tree by thread, "
                     f"process or parent id).{lost}")
    else:
        notes.append(f"**Tasks that ended in a window are undercounted**: {exits.error} "
                     f"(registering for taskstats needs root). A thread seen at some look and "
                     f"gone by the end counts with what it had done by its last look; a task "
                     f"that lived between two looks does not count.")
    notes.append("Setup: each start has its own temporary HOME and a dconf-service of its own "
                 "(GSettings writes land in that HOME). Nothing provides the accessibility bus "
                 "(org.a11y.Bus), a status-notifier host or a system tray, so GTK's AT-SPI "
                 "bridge gives up at start-up and the tray icons of Workrave and Safe Eyes "
                 "have nowhere to show (Workrave then shows its small main window, its timers; "
                 "Safe Eyes falls back to a GtkStatusIcon). Xvfb gets no input, so both peers "
                 "see a user who has been idle all along: Workrave's timers do not run, and "
                 "Safe Eyes' Smart Pause (it asks xprintidle every 2 s) pauses Safe Eyes at its "
                 "first look, the X server having been idle for more than 5 s; it goes on "
                 "asking. stretchd has two reminders hours away.")
    safe_eyes = next((p for p in measured if p.key == "safeeyes"), None)
    if safe_eyes is not None:
        extras = []
        if not shutil.which("xprintidle"):
            extras.append("xprintidle is not installed, so Safe Eyes drops its Smart Pause plugin")
        if not glob.glob("/usr/lib/*/girepository-1.0/AyatanaAppIndicator3-0.1.typelib"):
            extras.append("the AyatanaAppIndicator3 typelib is not installed, so Safe Eyes' "
                          "tray icon plugin fails to load")
        if extras:
            notes.append("**Safe Eyes ran without what it recommends**: " + "; ".join(extras)
                         + f". `{INSTALL}` installs them.")
    if missing:
        notes.append(not_installed(missing))
    if strays:
        notes.append("**Left behind after stopping (then killed)**: " + "; ".join(strays) + ".")
    else:
        notes.append("Each peer was stopped with SIGTERM; nothing of it was left running "
                     "(checked by its session id).")
    for n in notes:
        report.note(n)
