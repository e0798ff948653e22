"""Helpers for benchmarks of the running daemon: a headless desktop, a logind stand-in, and
`stretchd run` started with a NOTIFY_SOCKET, so its start-up can be timed to READY=1.

Not a benchmark itself (the runner only picks bench_*.py). The desktop is the end-to-end
tests' harness (tests/e2e/desktop.py): a private session bus, Xvfb, dunst, a pcap bus monitor.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bench.measure import Sandbox
from harness import clock
from harness.kit import stretchd_command
from harness.logind import LogindBus  # noqa: F401

if TYPE_CHECKING:
    from harness.desktop import Desktop

DESKTOP_TOOLS = ("dbus-daemon", "dbus-monitor", "dbus-send", "Xvfb", "dunst", "dunstctl")
TZ = "UTC"  # the daemon's zone: times in configs below are written in it
# Linux's SO_TIMESTAMPNS (= SCM_TIMESTAMPNS, asm-generic): the kernel stamps each datagram with
# its arrival (CLOCK_REALTIME, a struct timespec). Python's socket module does not name it.
SO_TIMESTAMPNS = 35


def require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise RuntimeError(f"not installed: {', '.join(missing)} (apt-get install them; "
                           "see /work/shared/TESTING.md)")


def libfaketime() -> str:
    found = clock.libfaketime()
    if found is None:
        raise RuntimeError("libfaketime not installed (apt-get install faketime)")
    return found


@contextlib.contextmanager
def desktop(box: Sandbox) -> Iterator[Desktop]:
    """The headless desktop the e2e tests use too, in box.root/desktop with box's XDG directories. Its env
    holds PATH, HOME, those directories, the session bus and the display."""
    require(*DESKTOP_TOOLS)
    from harness.desktop import Desktop

    with Desktop(box.root / "desktop", environ=box.env) as d:
        yield d


def daemon_env(box: Sandbox, desk: Desktop, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The desktop's environment with the sandbox's XDG directories, in the zone TZ."""
    env = dict(desk.env)
    env.update({k: v for k, v in box.env.items() if k.startswith("XDG_")})
    env["TZ"] = TZ
    env.pop("NOTIFY_SOCKET", None)
    env.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
    env.update(extra or {})
    return env


def reminder_toml(name: str, at: str, routine: str = "shotgun") -> str:
    return f'[reminders.{name}]\ntime = "{at}"\nroutine = "{routine}"\n'


def write_config(box: Sandbox, text: str) -> Path:
    path = box.dir("XDG_CONFIG_HOME") / "stretchd" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def hours_away(count: int, *, first: float = 3.0, now: datetime | None = None) -> str:
    """A config of count reminders, the first `first` hours from now (in TZ) and then one a
    minute: none falls due while a benchmark runs."""
    base = (now or datetime.now(_zone())) + timedelta(hours=first)
    return "".join(reminder_toml(f"r{i:03d}", (base + timedelta(minutes=i)).strftime("%H:%M:%S"))
                   for i in range(count))


def _zone() -> tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(TZ)


_serial = itertools.count(1)


class Daemon:
    """`stretchd run` with NOTIFY_SOCKET pointing at a datagram socket of ours, so that the time
    from exec to its READY=1 can be read. stdout and stderr go to files in workdir."""

    def __init__(self, workdir: Path, env: Mapping[str, str], argv: list[str] | None = None) -> None:
        n = next(_serial)
        self.workdir = workdir
        self.sock_path = workdir / f"notify-{n}.sock"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        with contextlib.suppress(OSError):  # without it, the time of reading counts instead
            self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.bind(str(self.sock_path))
        self.err_path = workdir / f"daemon-{n}.err"
        self.out_path = workdir / f"daemon-{n}.out"
        self.messages: list[str] = []
        self.ready_after: float | None = None  # seconds from Popen to READY=1
        self.ready_at: float | None = None  # time.monotonic() when READY=1 came
        run_env = {**env, "NOTIFY_SOCKET": str(self.sock_path)}
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.started_wall = time.time()
            self.started = time.perf_counter()
            self.proc = subprocess.Popen(argv or [*stretchd_command(), "run"], env=run_env,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def err(self) -> str:
        return self.err_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 20.0) -> float:
        """Seconds from Popen to the READY=1 datagram (the daemon may exit meanwhile: raise).

        The kernel's arrival timestamp of the datagram is used, so reading it late (another
        daemon waited on first) does not make the start-up look longer."""
        deadline = time.monotonic() + timeout
        self.sock.settimeout(0.05)
        while self.ready_after is None:
            try:
                data, ancillary, _flags, _addr = self.sock.recvmsg(4096, socket.CMSG_SPACE(16))
            except TimeoutError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"stretchd run exited {self.proc.returncode} before "
                                       f"READY=1: {self.err().strip()[-2000:]}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no READY=1 from stretchd run within {timeout} s: "
                                       f"{self.err().strip()[-2000:]}") from None
                continue
            now_wall, now_mono, now_perf = time.time(), time.monotonic(), time.perf_counter()
            arrived = next((sec + nsec / 1e9 for level, kind, cdata in ancillary
                            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS
                            and len(cdata) >= 16
                            for sec, nsec in [struct.unpack("qq", cdata[:16])]), now_wall)
            lag = min(max(0.0, now_wall - arrived), now_perf - self.started)
            text = data.decode(errors="replace")
            self.messages.append(text)
            if "READY=1" in text.splitlines():
                self.ready_after, self.ready_at = now_perf - lag - self.started, now_mono - lag
        return self.ready_after

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.sock.close()
        with contextlib.suppress(FileNotFoundError):
            self.sock_path.unlink()
        return self.proc.returncode

    def __enter__(self) -> Daemon:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def daemons() -> Iterator[list[Daemon]]:
    """A list to put started daemons in; every one is stopped on the way out."""
    started: list[Daemon] = []
    try:
        yield started
    finally:
        for d in started:
            d.stop()


def for_reminder(name: str) -> Callable[[dict[str, Any]], bool]:
    """A wait_notify match for the notification of reminder `name` (its body starts
    "Name stretch:", as decisions.notice writes it)."""
    prefix = f"{name[:1].upper()}{name[1:]} stretch:"
    return lambda n: str(n["body"]).startswith(prefix)


class ClockProbe:
    """A Python process under the same libfaketime settings as a daemon, asked for its
    time.time() over a pipe: what it answers, against the real clock around the question,
    gives the offset of the faked clock to within half the round trip."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.started_wall = time.time()
        self.proc = subprocess.Popen(
            [sys.executable, "-c",
             "import sys, time\nfor _ in sys.stdin: print(repr(time.time()), flush=True)"],
            env=dict(env), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def offset(self, tries: int = 20) -> tuple[float, float]:
        """(fake - real seconds, its uncertainty ±) from the tightest of tries round trips."""
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None and stdout is not None
        best: tuple[float, float] | None = None
        for _ in range(tries):
            before = time.time()
            stdin.write("\n")
            stdin.flush()
            fake = float(stdout.readline())
            after = time.time()
            guess = (fake - (before + after) / 2, (after - before) / 2)
            if best is None or guess[1] < best[1]:
                best = guess
        assert best is not None
        return best

    def close(self) -> None:
        streams: list[IO[str] | None] = [self.proc.stdin, self.proc.stdout]
        for s in streams:
            if s is not None:
                s.close()
        self.proc.wait(5)
