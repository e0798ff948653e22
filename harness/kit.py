"""Real programs for the end-to-end tests: tmux as the terminal (and, later, a desktop)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from harness.clock import SteppedClock, libfaketime, without_clock
from harness.logind import LogindBus, resume


def unavailable(reason: str) -> NoReturn:
    """A real component is missing: skip locally with the reason; in CI (CI or
    STRETCHD_REQUIRE_E2E set), where .ci/run installs everything, fail."""
    import pytest

    if os.environ.get("CI") or os.environ.get("STRETCHD_REQUIRE_E2E"):
        pytest.fail(reason)
    pytest.skip(reason)


def require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        unavailable(f"not installed: {', '.join(missing)} (apt-get install them; .ci/run does)")


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
            + "".join(f'[reminders.{name}]\ntime = "{at}"\nroutine = "shotgun"\n'
                      for name, at in times.items()))


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


RESUMED = "resumed from sleep"  # what the daemon logs when it takes logind's resume signal


class DaemonProcess:
    """`stretchd run` as a real process, its stdout and stderr kept in files.

    With `faketime` ("YYYY-MM-DD HH:MM:SS", local time; TZ from env, else UTC) its wall clock
    is a SteppedClock that reads that moment once the daemon is ready: the daemon starts a
    minute before it, and once it answers, the clock is stepped there and the daemon woken
    (logind's resume signal on the bus it takes for the system bus: env's, else a private
    one). So a reminder due seconds after that moment is on time however slowly the daemon
    started (`lead=0`: it starts at its moment, for a test of what it does at start).
    `d.clock.set(...)` moves it on; `d.cli()` runs a command on the same clock. `command`
    replaces `stretchd run` (the soak's harness/sped_daemon.py)."""

    count = 0
    LEAD = 60.0  # how long before its moment the daemon's clock starts

    def __init__(self, tmp: Path, env: dict[str, str], faketime: str | None = None,
                 extra: list[str] | None = None, clock_env: dict[str, str] | None = None,
                 lead: float | None = None, command: list[str] | None = None) -> None:
        DaemonProcess.count += 1
        n = DaemonProcess.count
        self.out_path, self.err_path = tmp / f"daemon{n}.out", tmp / f"daemon{n}.err"
        argv = command or [*stretchd_command(), "run"]
        self.env = dict(env)
        self.bus: LogindBus | None = None
        self.clock: SteppedClock | None = None
        self.moment: str | None = None
        self.wake_latency: list[float] = []  # seconds from each resume signal to the daemon's note
        if faketime:
            if libfaketime() is None:
                unavailable("libfaketime not installed (apt-get install faketime; .ci/run does)")
            lead = self.LEAD if lead is None else lead
            if "DBUS_SYSTEM_BUS_ADDRESS" not in self.env:
                self.env["DBUS_SYSTEM_BUS_ADDRESS"] = self._private_bus()
            elif not self._reachable(self.env["DBUS_SYSTEM_BUS_ADDRESS"]):
                lead = 0.0  # no bus to wake it through: it starts at its moment, as a machine would
            zone = env.get("TZ") or os.environ.get("TZ") or "UTC"
            self.clock = SteppedClock(tmp / f"daemon{n}.clock", zone, wake=self.resume)
            self.clock.set(faketime, before=lead, wake=False)
            self.moment = faketime if lead else None
            self.env = {**without_clock(self.env), **self.clock.env()}
        elif clock_env:  # a clock the test keeps itself (the soak's sped-up one)
            self.env = {**without_clock(self.env), **clock_env}
        self.proc = subprocess.Popen(
            [*(extra or []), *argv], env=self.env, stdin=subprocess.DEVNULL,
            stdout=self.out_path.open("w"), stderr=self.err_path.open("w"))

    def _private_bus(self) -> str:
        require("dbus-daemon", "dbus-send")
        self.bus = LogindBus()
        return self.bus.address

    @staticmethod
    def _reachable(address: str) -> bool:
        return not (address.startswith("unix:path=") and not Path(address[10:].split(",")[0]).exists())

    def resume(self) -> None:
        """logind's PrepareForSleep(false) on the daemon's system bus: the machine woke up. Then
        until the daemon has taken it (its log says so), if it is running."""
        said = self.err().count(RESUMED)
        sent = time.monotonic()
        resume(self.env["DBUS_SYSTEM_BUS_ADDRESS"])
        if self.proc.poll() is None:
            wait_for(lambda: self.err().count(RESUMED) > said or self.proc.poll() is not None, 60,
                     "the daemon to take the resume signal")
            self.wake_latency.append(time.monotonic() - sent)

    def out(self) -> str:
        return self.out_path.read_text()

    def err(self) -> str:
        return self.err_path.read_text()

    def cli(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        """A stretchd command on the daemon's clock (its fake one, if it has one)."""
        return subprocess.run([*stretchd_command(), *args], env=self.env, capture_output=True,
                              text=True, timeout=20, check=check)

    def wait_ready(self, timeout: float = 15.0) -> None:
        """Until the daemon answers and listens for the resume signal; then its clock is
        stepped to its moment."""
        def up() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"the daemon exited {self.proc.returncode}: {self.err()}")
            return "running: " in self.err() and self.cli("status").returncode == 0

        wait_for(up, timeout * 4, "the daemon to answer `stretchd status`")
        if self.clock is not None and self.moment is not None:
            self.clock.set(self.moment)
            self.moment = None

    def step_to_next(self, before: float = 3.0) -> None:
        """Step the clock to `before` seconds ahead of the next reminder due (never back)."""
        assert self.clock is not None, "a daemon started with faketime"
        self.clock.step_to_next(self.cli("status", "--json", check=True).stdout, before)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        log = os.environ.get("STRETCHD_TEST_WAKE_LOG")  # how long the resume signals took, to study
        if log and self.wake_latency:
            with open(log, "a") as f:
                f.write("".join(f"{s:.3f}\n" for s in self.wake_latency))
        if self.bus is not None:
            self.bus.stop()
            self.bus = None
        return self.proc.returncode


def no_desktop_env(env: dict[str, str]) -> dict[str, str]:
    """env with no desktop: no X display, and a session bus address that cannot be reached (so
    a test never uses the developer's own bus)."""
    env = {k: v for k, v in env.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY")}
    env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/stretchd-test-bus"
    return env


def start_daemon(tmp_path: Path, env: dict[str, str], daemons: list[object], **kw: object) -> DaemonProcess:
    """A daemon (DaemonProcess's arguments), stopped after the test (`daemons`), once ready."""
    d = DaemonProcess(tmp_path, env, **kw)  # type: ignore[arg-type]
    daemons.append(d)
    d.wait_ready()
    return d


def start_console_daemon(tmp_path: Path, env: dict[str, str], daemons: list[object],
                         **kw: object) -> DaemonProcess:
    """A daemon with no desktop (it reminds on its console), once ready."""
    return start_daemon(tmp_path, no_desktop_env(env), daemons, **kw)


def control_socket() -> Path:
    """The control socket of a daemon with this process's XDG directories."""
    from stretchd import paths

    return paths.socket_file()


def ancestors(pid: int) -> list[str]:
    """The command names from pid's parent up to init."""
    import contextlib

    names = []
    while pid > 1:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        with contextlib.suppress(OSError):
            names.append(Path(f"/proc/{pid}/comm").read_text().strip())
    return names


MORNING = '[reminders.morning]\ntime = "07:30"\nroutine = "shotgun"\n'


def hold(*when: str, extra: str = "") -> str:
    """A [hold] table holding for `when`."""
    return f"[hold]\nwhen = {json.dumps(list(when))}\n{extra}\n"
