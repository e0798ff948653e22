"""stretchd on Wayland: headless sway with mako, the whole session run as an ordinary user
(sway refuses root; the recipe in ../shared/TESTING.md). The daemon runs in that session from
a venv of Debian's Python that borrows this checkout and its venv's packages (a user other
than root cannot run a Python kept under /root)."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.desktop import BUS_CONFIG
from tests.e2e.harness import (
    FakeClock,
    libfaketime,
    require,
    stand_in_config,
    unavailable,
    wait_for,
    without_clock,
)

pytestmark = pytest.mark.clock  # fake dates: CI runs these again a year ahead

USER = "stretchd-e2e"
A11Y_BUS = "/usr/libexec/at-spi-bus-launcher"
ROOT = Path(__file__).resolve().parents[2]


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
                               "import stretchd, desktop_notifier, dbus_fast, apscheduler"],
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
        self.env.update({"WLR_BACKENDS": "headless", "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman"})
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
        self.env = {"HOME": str(self.home), "XDG_RUNTIME_DIR": str(self.runtime), "LANG": "C.UTF-8",
                    "PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(self.home / ".config"),
                    "XDG_STATE_HOME": str(self.home / ".local" / "state"),
                    "XDG_DATA_HOME": str(self.home / ".local" / "share")}

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
        argv = wrap(self._as_user(["dbus-run-session", f"--config-file={bus_config}", "--", "sh", "-c", script]))
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


@pytest.fixture
def mako() -> Iterator[tuple[Session, Path]]:
    require("makoctl")
    with session_with("mako", ["makoctl", "list"]) as got:
        yield got


@pytest.fixture
def swaync() -> Iterator[tuple[Session, Path]]:
    require("swaync-client", A11Y_BUS)
    with session_with("swaync", ["swaync-client", "--get-dnd", "--skip-wait"], a11y=True) as got:
        yield got


def start_daemon(session: Session, python: Path, config: str, speed: str = "",
                 at: str = "07:29:58") -> subprocess.Popen[bytes]:
    """The daemon in the session, its clock starting at `at` on 2026-11-24 (UTC)."""
    path = Path(session.env["XDG_CONFIG_HOME"]) / "stretchd" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(config)
    for d in (path.parent.parent, path.parent, path):
        shutil.chown(d, session.user)
    clock = FakeClock(f"2026-11-24 {at}{speed}", "UTC")
    extra = {"LD_PRELOAD": libfaketime(), "TZ": "UTC", "FAKETIME": clock.daemon_env()["FAKETIME"]}
    return session.spawn([str(python), "-m", "stretchd", "run"], extra, session.dir / "daemon.log")


def stop_daemon(daemon: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(os.getpgid(daemon.pid), signal.SIGTERM)
    daemon.wait(10)


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


def events(session: Session) -> list[tuple[str, str]]:
    path = Path(session.env["XDG_STATE_HOME"]) / "stretchd" / "stretchd.sqlite3"
    if not path.exists():
        return []
    try:
        with contextlib.closing(sqlite3.connect(path)) as db:
            return db.execute("SELECT reminder, kind FROM events ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # the daemon has created the file, not its tables yet
        return []


@pytest.mark.compat("mako, on sway", "shown with Start, Snooze and Skip")
@pytest.mark.compat("mako, on sway", "Snooze, Skip and Start (makoctl invoke), a dismissal")
def test_mako_on_sway_shows_the_buttons_and_each_reaches_the_daemon(
        tmp_path: Path, mako: tuple[Session, Path]) -> None:
    session, python = mako
    started = session.home / "started"
    config = stand_in_config(started, morning="07:30", noon="07:32", evening="07:33")
    daemon = start_daemon(session, python, config, " x10")
    try:
        seen: set[int] = set()

        def shown() -> dict[str, Any]:
            n = wait_for(lambda: newest(session, seen), 20, f"a notification in mako; {events(session)}")
            assert isinstance(n, dict)
            seen.add(n["id"])
            return n

        def press(n: dict[str, Any], key: str, kind: str) -> None:
            result = session.run("makoctl", "invoke", "-n", str(n["id"]), key)
            assert result.returncode == 0, result.stderr
            wait_recorded(session, n["body"].split()[0].lower(), kind)

        first = shown()
        assert first["app_name"] == "stretchd"
        buttons = {k: v for k, v in first["actions"].items() if k != "default"}  # makoctl sorts them
        assert buttons == {"start": "Start", "snooze": "Snooze 1 min", "skip": "Skip"}
        press(first, "snooze", "snoozed")
        press(shown(), "skip", "skipped")  # the snooze came back a minute later
        press(shown(), "start", "started")  # noon
        wait_for(lambda: started.exists() and "walk shotgun --reminder noon" in started.read_text(),
                 10, "the terminal stand-in to run")
        last = shown()  # evening
        assert session.run("makoctl", "dismiss", "-n", str(last["id"])).returncode == 0
        wait_recorded(session, "evening", "dismissed")
    finally:
        stop_daemon(daemon)


@pytest.mark.compat("swaync, on sway", "shown; its do-not-disturb state read (GetDnd)")
def test_swaync_shows_it_and_its_do_not_disturb_is_read(swaync: tuple[Session, Path]) -> None:
    session, python = swaync
    daemon = start_daemon(session, python, '[reminders.morning]\ntime = "07:30"\nroutine = "shotgun"\n')
    try:
        wait_for(lambda: events(session)[:1] == [("morning", "shown")], 20, "shown")
        wait_for(lambda: session.run("swaync-client", "--count", "--skip-wait").stdout.strip() == "1",
                 5, "swaync to count it")
        doctor = session.run(str(python), "-m", "stretchd", "doctor").stdout
        assert "notification server: SwayNotificationCenter " in doctor, doctor
        assert "dnd: off (SwayNotificationCenter)" in doctor, doctor
    finally:
        stop_daemon(daemon)


@pytest.mark.compat("foot (terminal), on sway", "Start (makoctl invoke) opens the walkthrough in it")
def test_start_opens_the_walkthrough_in_foot_on_sway(mako: tuple[Session, Path]) -> None:
    from tests.e2e.test_terminals import ancestors

    require("foot")
    session, python = mako
    session.env["TERMINAL"] = "foot"
    daemon = start_daemon(session, python, '[reminders.morning]\ntime = "07:30"\nroutine = "shotgun"\n')
    try:
        n = wait_for(lambda: newest(session, set()), 20, "the notification in mako")
        assert isinstance(n, dict)
        assert session.run("makoctl", "invoke", "-n", str(n["id"]), "start").returncode == 0
        database = Path(session.env["XDG_STATE_HOME"]) / "stretchd" / "stretchd.sqlite3"

        def walk_pid() -> int | None:
            with contextlib.closing(sqlite3.connect(database)) as db:
                row = db.execute("SELECT pid FROM walks WHERE outcome IS NULL").fetchone()
            return int(row[0]) if row and row[0] else None

        pid = wait_for(walk_pid, 20, "the walkthrough to start in foot")
        assert isinstance(pid, int)
        assert "foot" in ancestors(pid), ancestors(pid)
    finally:
        stop_daemon(daemon)


def atspi_press(session: Session, python: Path, label: str) -> None:
    """Press a button of the notification on screen through AT-SPI (harness/atspi.py)."""
    out = session.run(str(python), "-m", "harness.atspi", "press", label, "--timeout", "10")
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.compat("swaync, on sway", "shown with Start, Snooze and Skip")
@pytest.mark.compat("swaync, on sway", "Snooze, Skip and Start (pressed through AT-SPI), a click on the "
                    "body dismisses it (it sends no default action), swaync-client --close-latest")
def test_swaync_buttons_each_reach_the_daemon(swaync: tuple[Session, Path]) -> None:
    session, python = swaync
    started = session.home / "started"
    config = stand_in_config(started, morning="07:30", noon="07:32", evening="07:33", night="07:34")
    daemon = start_daemon(session, python, config, " x10")
    try:
        def shown(n: int, reminder: str) -> None:
            wait_for(lambda: [e for e in events(session) if e[1] == "shown"][n - 1:n] == [(reminder, "shown")],
                     30, f"{reminder} shown: {events(session)}")

        def press(label: str, reminder: str, kind: str) -> None:
            atspi_press(session, python, label)
            wait_recorded(session, reminder, kind)

        shown(1, "morning")
        labels = wait_for(lambda: json.loads(session.run(
            str(python), "-m", "harness.atspi", "buttons", "--app", "swaync").stdout or "[]"), 10, "its buttons")
        # the body (a button in swaync), the three, and the close button (no label)
        assert labels == ["Time to stretch", "Start", "Snooze 1 min", "Skip", ""]
        press("Snooze 1 min", "morning", "snoozed")
        shown(2, "morning")  # back a (fast) minute later
        press("Skip", "morning", "skipped")
        shown(3, "noon")
        # swaync 0.7.3's body is a button too, but it only closes the notification (reason 2,
        # no ActionInvoked for "default", seen on its bus): recorded as a dismissal.
        press("Time to stretch", "noon", "dismissed")
        shown(4, "evening")
        press("Start", "evening", "started")
        wait_for(lambda: started.exists() and "walk shotgun --reminder evening" in started.read_text(),
                 10, "the terminal stand-in to run")
        shown(5, "night")
        assert session.run("swaync-client", "--close-latest", "--skip-wait").returncode == 0
        wait_recorded(session, "night", "dismissed")
    finally:
        stop_daemon(daemon)
