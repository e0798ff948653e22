"""Desktop sessions run as an ordinary user for the end-to-end tests: headless sway with a
notification server (mako, swaync), on a session bus of their own (sway refuses root; the
recipe in ../shared/TESTING.md), and a stretchd daemon inside one on a stepped clock. The
daemon runs from a venv of Debian's Python that borrows this checkout and its venv's packages
(a user other than root cannot run a Python kept under /root)."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from harness.clock import SteppedClock, without_clock
from harness.desktop import BUS_CONFIG
from harness.history import events as history_events
from harness.kit import RESUMED, require, unavailable, wait_for
from harness.sandbox import xdg_home

USER = "stretchd-e2e"
A11Y_BUS = "/usr/libexec/at-spi-bus-launcher"
ROOT = Path(__file__).resolve().parents[1]


def root_env() -> dict[str, str]:
    """Our environment without a `faketime` run's preload: runuser keeps its environment
    for the user's first process (env -i), whose libfaketime would then open root's
    semaphore (FAKETIME_SHARED, mode 0600) and exit with "sem_open failed" (seen in CI)."""
    return without_clock(dict(os.environ))


def ensure_user() -> pwd.struct_passwd:
    if os.geteuid() != 0:
        unavailable("a Wayland session as an ordinary user needs root to switch to one (runuser)")
    require("useradd", "runuser", "sway", "dbus-run-session")
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", USER], check=True)
        return pwd.getpwnam(USER)


def user_python(tmp: Path, user: pwd.struct_passwd) -> Path:
    """A venv of Debian's Python for the user, reading this checkout and our venv's packages
    (copied beside it if the user cannot read them where they are, e.g. under /root)."""
    if not Path("/usr/bin/python3").exists():
        unavailable("Debian's /usr/bin/python3 is not installed")
    venv = tmp / "user-venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(venv)], check=True)
    ours = Path(next(p for p in sys.path if p.endswith("site-packages")))
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    pth = venv / "lib" / version / "site-packages" / "stretchd-checkout.pth"
    python = venv / "bin" / "python3"

    def imports() -> subprocess.CompletedProcess[str]:
        # -I and cwd /: as the daemon runs (`stretchd run` execs `python -I`), nothing from
        # the working directory.
        # env -i: nothing of ours either (a `faketime` run's preload and shared memory are root's).
        return subprocess.run(["runuser", "-u", user.pw_name, "--", "env", "-i", "PATH=/usr/bin:/bin",
                               str(python), "-I", "-c",
                               "import stretchd, dbus_fast, apscheduler"],
                              capture_output=True, text=True, cwd="/", env=root_env())

    pth.write_text(f"{ROOT}\n{ours}\n")
    if imports().returncode != 0:
        shutil.copytree(ROOT / "stretchd", tmp / "checkout" / "stretchd")
        shutil.copytree(ROOT / "harness", tmp / "checkout" / "harness")  # atspi, for swaync's buttons
        shutil.copytree(ours, tmp / "site-packages", symlinks=True)
        pth.write_text(f"{tmp / 'checkout'}\n{tmp / 'site-packages'}\n")
    check = imports()
    if check.returncode != 0:
        unavailable(f"{USER} cannot import stretchd: {check.stderr.strip()[-200:]}")
    return python


class Session:
    """Headless sway with a notification server, as USER, on a session bus of its own."""

    def __init__(self, tmp: Path, user: pwd.struct_passwd, server: str, a11y: bool = False) -> None:
        self._setup(tmp, user, "wayland")
        self.env.update({"WLR_BACKENDS": "headless", "WLR_LIBINPUT_NO_DEVICES": "1",
                         "WLR_RENDERER": "pixman"})
        config = self.dir / "sway.conf"
        if a11y:
            # The accessibility bus first (GTK looks for it once, at start), then the server:
            # its buttons are pressed through AT-SPI (harness/atspi.py).
            start = self.dir / "start-server"
            start.write_text(f"#!/bin/sh\n{A11Y_BUS} --launch-immediately &\n"
                             "until dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus "
                             "org.a11y.Bus.GetAddress >/dev/null 2>&1; do sleep 0.1; done\n"
                             f"exec {server}\n")
            start.chmod(0o755)
            server = str(start)
        config.write_text(f"exec {server}\n")
        self._start(f"exec sway -c {config}", tmp / "sway.log")
        socket = wait_for(lambda: next(iter(sorted(self.runtime.glob("wayland-*[0-9]"))), None), 20,
                          "sway's Wayland socket")
        assert isinstance(socket, Path)
        self.env["WAYLAND_DISPLAY"] = socket.name

    def _setup(self, tmp: Path, user: pwd.struct_passwd, name: str) -> None:
        self.user = user.pw_name
        self.dir = tmp / name
        self.home = self.dir / "home"
        self.runtime = self.dir / "run"
        for d in (self.dir, self.home, self.runtime):
            d.mkdir(mode=0o700)
            os.chown(d, user.pw_uid, user.pw_gid)
        self.env = {**xdg_home(self.dir, under_home=True), "XDG_RUNTIME_DIR": str(self.runtime),
                    "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"}

    def _start(self, command: str, log_path: Path,
               wrap: Callable[[list[str]], list[str]] = lambda argv: argv) -> None:
        """Run the shell `command` as USER on a new session bus (`wrap` may put root's set-up
        around the whole), and wait for the bus."""
        # A bus that activates nothing: dunst's activation file would answer for the
        # notification server before the one the session starts (TESTING.md).
        bus_config = self.dir / "bus.conf"
        bus_config.write_text(BUS_CONFIG)
        bus_file = self.dir / "bus"
        script = f'echo "$DBUS_SESSION_BUS_ADDRESS" > {bus_file}; {command}'
        self.log_path = log_path
        self.log = self.log_path.open("w")  # root's file, written through the pipe
        argv = wrap(self._as_user(["dbus-run-session", f"--config-file={bus_config}", "--", "sh", "-c",
                                   script]))
        for attempt in (1, 2):
            self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                         start_new_session=True, cwd=self.home, env=root_env())
            try:
                wait_for(lambda: bus_file.exists() and bus_file.read_text().strip(), 20, "the session bus")
                break
            except AssertionError:
                # Seen once in CI under faketime: no bus in 20 s, cause unknown. Say what the
                # session printed, and start it once more before failing.
                said = self.log_path.read_text()[-1000:]
                self.stop(close=False)
                if attempt == 2:
                    raise AssertionError(f"no session bus in 20 s, twice; the session said: {said}") from None
                warnings.warn(f"no session bus in 20 s; starting the session again. It said: {said}",
                              stacklevel=1)
        self.env["DBUS_SESSION_BUS_ADDRESS"] = bus_file.read_text().strip()

    def _as_user(self, argv: list[str], extra: dict[str, str] | None = None) -> list[str]:
        env = [f"{k}={v}" for k, v in {**self.env, **(extra or {})}.items()]
        return ["runuser", "-u", self.user, "--", "env", "-i", *env, *argv]

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self._as_user(list(argv)), capture_output=True, text=True, timeout=20,
                              cwd=self.home, env=root_env())

    def spawn(self, argv: list[str], extra: dict[str, str], out: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self._as_user(argv, extra), stdout=out.open("w"), stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=self.home, env=root_env())

    def stop(self, close: bool = True) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(os.getpgid(self.proc.pid), signal.SIGTERM)
        subprocess.run(["pkill", "-TERM", "-u", self.user], capture_output=True)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            subprocess.run(["pkill", "-KILL", "-u", self.user], capture_output=True)
            self.proc.wait(5)
        if close:
            self.log.close()


@contextlib.contextmanager
def session_with(server: str, ready: list[str], a11y: bool = False) -> Iterator[tuple[Session, Path]]:
    """Sway running `server`, ready once the command `ready` succeeds; and the user's Python."""
    require(server, "faketime")
    user = ensure_user()
    # Not under pytest's tmp_path: its parent is root's alone (0700).
    base = Path(tempfile.mkdtemp(prefix="stretchd-wayland-"))
    os.chmod(base, 0o755)
    try:
        python = user_python(base, user)
        session = Session(base, user, server, a11y)
        try:
            wait_for(lambda: session.run(*ready).returncode == 0, 20, server)
            yield session, python
        finally:
            session.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


class SessionDaemon:
    """`stretchd run` in the session, as its user, on a SteppedClock in UTC that reads
    2026-11-24 `at` once the daemon is ready (it starts a minute before). Its system bus, for
    logind's resume signal that wakes it after a step, is the session's own bus."""

    def __init__(self, session: Session, python: Path, config: str, at: str = "07:29:58") -> None:
        self.session, self.python = session, python
        path = Path(session.env["XDG_CONFIG_HOME"]) / "stretchd" / "config.toml"
        path.parent.mkdir(parents=True)
        path.write_text(config)
        for d in (path.parent.parent, path.parent, path):
            shutil.chown(d, session.user)
        self.clock = SteppedClock(session.dir / "clock", "UTC", wake=self.resume)
        self.clock.set(f"2026-11-24 {at}", before=60, wake=False)
        self.env = {**self.clock.env(), "DBUS_SYSTEM_BUS_ADDRESS": session.env["DBUS_SESSION_BUS_ADDRESS"]}
        self.log = session.dir / "daemon.log"
        self.proc = session.spawn([str(python), "-m", "stretchd", "run"], self.env, self.log)
        try:
            wait_for(lambda: "running: " in self.log.read_text() or self.proc.poll() is not None, 60,
                     "the daemon to start")
        except AssertionError as e:
            raise AssertionError(f"{e}; it said: {self.log.read_text()[-1500:]}") from None
        assert self.proc.poll() is None, self.log.read_text()[-1500:]
        self.clock.set(f"2026-11-24 {at}")

    def resume(self) -> None:
        """logind's PrepareForSleep(false), sent where the daemon listens for it; then until the
        daemon has taken it."""
        said = self.log.read_text().count(RESUMED)
        out = self.session.run("dbus-send", "--session", "--type=signal", "/org/freedesktop/login1",
                               "org.freedesktop.login1.Manager.PrepareForSleep", "boolean:false")
        assert out.returncode == 0, out.stderr
        wait_for(lambda: self.log.read_text().count(RESUMED) > said or self.proc.poll() is not None, 60,
                 "the daemon to take the resume signal")

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A stretchd command in the session, on the daemon's clock."""
        return subprocess.run(self.session._as_user([str(self.python), "-m", "stretchd", *args], self.env),
                              capture_output=True, text=True, timeout=30, cwd=self.session.home,
                              env=root_env())

    def step_to_next(self, before: float = 3.0) -> None:
        """Move the clock to `before` seconds ahead of the next reminder due (never back)."""
        self.clock.step_to_next(self.cli("status", "--json").stdout, before)

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(os.getpgid(self.proc.pid), signal.SIGTERM)
        self.proc.wait(10)


def wait_recorded(session: Session, reminder: str, kind: str) -> None:
    """Until the history's last row is `kind` for `reminder`; else fail with the daemon's log."""
    try:
        wait_for(lambda: events(session)[-1:] == [(reminder, kind)], 10, f"{kind} recorded")
    except AssertionError as e:
        log = (session.dir / "daemon.log").read_text()[-1500:]
        raise AssertionError(f"{e}; history {events(session)}; the daemon said: {log}") from None


def notifications(session: Session) -> list[dict[str, Any]]:
    """makoctl list, flattened: id, summary, body, actions ({key: label})."""
    got = json.loads(session.run("makoctl", "list").stdout or '{"data": [[]]}')
    out = []
    for n in got["data"][0]:
        out.append({k.replace("-", "_"): v["data"] for k, v in n.items()})
    return out


def newest(session: Session, seen: set[int]) -> dict[str, Any] | None:
    for n in notifications(session):
        if n["summary"] == "Time to stretch" and n["id"] not in seen:
            return n
    return None


def events(session: Session) -> list[tuple[Any, ...]]:
    """The session's history: (reminder, kind) of each event, oldest first."""
    return history_events(session.env)
