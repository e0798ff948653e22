"""Real programs for the end-to-end tests: tmux as the terminal (and, later, a desktop)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

import pytest

from harness.clock import clock_offset, without_clock


def unavailable(reason: str) -> NoReturn:
    """A real component is missing: skip locally with the reason; in CI (CI or
    STRETCHD_REQUIRE_E2E set), where .ci/run installs everything, fail."""
    if os.environ.get("CI") or os.environ.get("STRETCHD_REQUIRE_E2E"):
        pytest.fail(reason)
    pytest.skip(reason)


def require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        unavailable(f"not installed: {', '.join(missing)} (apt-get install them; .ci/run does)")


def libfaketime() -> str:
    """The preload library of Debian's faketime package."""
    import glob

    found = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
    if not found:
        unavailable("libfaketime not installed (apt-get install faketime; .ci/run does)")
    return found[0]


class FakeClock:
    """A daemon's wall clock set to a fixed local moment, optionally running N times fast,
    and the same clock for every command that inspects that daemon.

    A CLI on the real clock would look at a fake date from another day (`history` shows
    the last 7 days of *its* today): green on the day a test is written, red a week later.
    The offset from the real clock is relative, so it holds whenever a process starts."""

    def __init__(self, spec: str, zone: str) -> None:
        # "2026-11-24 07:29:57" or "2026-11-24 07:29:57 x10", local time in `zone`.
        moment, _, speed = spec.partition(" x")
        self.speed = float(speed or 1)
        self.zone = zone
        self.start = datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(zone)).timestamp()
        self.real_start = time.time() - clock_offset()

    def now(self) -> float:
        """The daemon's wall clock now, as a POSIX timestamp."""
        return self.start + (time.time() - clock_offset() - self.real_start) * self.speed

    def daemon_env(self) -> dict[str, str]:
        # libfaketime runs a sped-up clock from the moment the process starts (within ms).
        offset = self.start - self.real_start
        return {"LD_PRELOAD": libfaketime(), "TZ": self.zone,
                "FAKETIME": f"{offset:+.6f}" + (f" x{self.speed:g}" if self.speed != 1 else "")}

    def cli_env(self) -> dict[str, str]:
        """For a short command: the daemon's clock as it reads now (a sped-up one to about a
        tenth of a second, the time that process takes to start)."""
        offset = self.now() - (time.time() - clock_offset())
        return {"LD_PRELOAD": libfaketime(), "TZ": self.zone, "FAKETIME": f"{offset:+.6f}"}


def stretchd_command() -> list[str]:
    """The stretchd installed beside the running Python (the venv's), else `python -m`."""
    script = Path(sys.executable).parent / "stretchd"
    return [str(script)] if script.exists() else [sys.executable, "-m", "stretchd"]


def random_seed() -> int:
    """A seed for a test's own random choices: fixed in CI (STRETCHD_TEST_SEED overrides),
    fresh locally. The test names it in its failure messages, so a failure can be replayed."""
    import secrets

    given = os.environ.get("STRETCHD_TEST_SEED")
    if given:
        return int(given)
    return 20261202 if os.environ.get("CI") else secrets.randbits(32)



def stand_in_config(started: Path, **times: str) -> str:
    """Snoozes of a minute, a terminal stand-in that notes in `started` what Start runs, and a
    shotgun reminder at each time."""
    terminal = ["sh", "-c", f'echo "$@" >> {started}', "sh"]
    return (f"[defaults]\nsnooze_minutes = 1\nterminal = {json.dumps(terminal)}\n"
            + "".join(f'[reminders.{name}]\ntime = "{at}"\nroutine = "shotgun"\n' for name, at in times.items()))


def wait_for(predicate: Callable[[], object], timeout: float = 10.0, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(0.05)


def zombies(parent: int) -> list[int]:
    """The children of `parent` that have exited and were never waited for."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


class Tmux:
    """A private tmux server (its own socket) with one window of a fixed size."""

    def __init__(self, socket: Path, width: int = 100, height: int = 40) -> None:
        self.socket = socket
        self.width, self.height = width, height

    def cmd(self, *args: str, check: bool = True) -> str:
        # A COLUMNS or LINES in our environment would pin the programs' idea of the size.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        out = subprocess.run(["tmux", "-S", str(self.socket), *args], capture_output=True,
                             text=True, check=False, timeout=10, env=env)
        if check and out.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {out.stderr.strip()}")
        return out.stdout

    def start(self, argv: list[str], env: dict[str, str]) -> None:
        env_args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
        if "PATH" in env:  # tmux gives a new pane the client's PATH whatever -e says
            argv = ["/usr/bin/env", f"PATH={env['PATH']}", *argv]
        self.cmd("-f", "/dev/null", "new-session", "-d", "-x", str(self.width),
                 "-y", str(self.height), *env_args, *argv)
        self.cmd("set-option", "-g", "remain-on-exit", "on")

    def keys(self, *keys: str) -> None:
        self.cmd("send-keys", *keys)

    def screen(self, scrollback: bool = False) -> str:
        """The visible screen; with scrollback, what scrolled off it too."""
        return self.cmd("capture-pane", "-p", *(["-S", "-"] if scrollback else []))

    def wait_screen(self, text: str, timeout: float = 10.0, scrollback: bool = False) -> str:
        def shown() -> str:
            screen = self.screen(scrollback)
            return screen if text in screen else ""

        try:
            return str(wait_for(shown, timeout, f"{text!r} on the tmux screen"))
        except AssertionError as e:
            raise AssertionError(f"{e}; the screen:\n{self.screen()}") from None

    def dead(self) -> bool:
        return self.cmd("display-message", "-p", "#{pane_dead}", check=False).strip() == "1"

    def kill(self) -> None:
        self.cmd("kill-server", check=False)


class DaemonProcess:
    """`stretchd run` as a real process, its stdout and stderr kept in files."""

    count = 0

    def __init__(self, tmp: Path, env: dict[str, str], faketime: str | None = None,
                 extra: list[str] | None = None) -> None:
        DaemonProcess.count += 1
        n = DaemonProcess.count
        self.out_path, self.err_path = tmp / f"daemon{n}.out", tmp / f"daemon{n}.err"
        argv = [*stretchd_command(), "run"]
        self.env = env
        run_env = dict(env)
        # faketime: "YYYY-MM-DD HH:MM:SS" (local time; TZ from env, else UTC), " x10" for 10x
        # speed. libfaketime is preloaded directly: the faketime program forks, and a signal
        # to it would not reach the daemon.
        self.clock: FakeClock | None = None
        if faketime:
            self.clock = FakeClock(faketime, env.get("TZ") or os.environ.get("TZ") or "UTC")
            run_env = {**without_clock(env), **self.clock.daemon_env()}
        self.proc = subprocess.Popen(
            [*(extra or []), *argv], env=run_env, stdin=subprocess.DEVNULL,
            stdout=self.out_path.open("w"), stderr=self.err_path.open("w"))

    def out(self) -> str:
        return self.out_path.read_text()

    def err(self) -> str:
        return self.err_path.read_text()

    def cli(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        """A stretchd command on the daemon's clock (its fake one, if it has one)."""
        env = {**without_clock(self.env), **self.clock.cli_env()} if self.clock else self.env
        return subprocess.run([*stretchd_command(), *args], env=env, capture_output=True,
                              text=True, timeout=20, check=check)

    def wait_ready(self, timeout: float = 15.0) -> None:
        def up() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"the daemon exited {self.proc.returncode}: {self.err()}")
            return self.cli("status").returncode == 0

        wait_for(up, timeout, "the daemon to answer `stretchd status`")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode
