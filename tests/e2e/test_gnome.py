"""stretchd on GNOME Shell 43, headless (the recipe in ../shared/TESTING.md): the shell runs as
an ordinary user on a session bus of its own, in a private mount namespace whose system bus
has python-dbusmock's logind (the shell's UI does not start without one). Its banner is read
and clicked through the shell's Eval interface (harness/gnome.py)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.kit import require, stand_in_config, unavailable, wait_for
from harness.sessions import (
    Session,
    SessionDaemon,
    ensure_user,
    events,
    user_python,
    wait_recorded,
)

pytestmark = pytest.mark.clock  # fake dates: CI runs these again a year ahead

NOTIFICATIONS_SERVICE = "/usr/share/gnome-shell/org.gnome.Shell.Notifications"
DCONF_SERVICE = "/usr/libexec/dconf-service"

# Root's part, in the private mount namespace: a system bus of its own with a fake logind.
# Everything here stays in the session's process group, so stopping the session ends it.
SYSTEM = """set -e
mkdir -p /run/dbus
mount -t tmpfs tmpfs /run/dbus
dbus-daemon --system --nofork &
until [ -S /run/dbus/system_bus_socket ]; do sleep 0.1; done
/usr/bin/python3 -m dbusmock --system --template logind &
until dbus-send --system --print-reply --dest=org.freedesktop.login1 /org/freedesktop/login1 \\
    org.freedesktop.DBus.Peer.Ping >/dev/null 2>&1; do sleep 0.1; done
"""


class GnomeSession(Session):
    """Headless GNOME Shell as USER, with the shell's notification service."""

    def __init__(self, tmp: Path, user: Any) -> None:
        self._setup(tmp, user, "gnome")
        # A returning user: GNOME warns once per user, in a banner, that the screen cannot lock
        # without GDM; that banner would stay (the user is idle) and hold stretchd's behind it.
        seen = self.home / ".local" / "share" / "gnome-shell" / "lock-warning-shown"
        seen.parent.mkdir(parents=True)
        seen.touch()
        for p in (seen, seen.parent, seen.parent.parent, seen.parent.parent.parent):
            shutil.chown(p, user.pw_name, user.pw_name)
        self.env["XDG_SESSION_TYPE"] = "wayland"
        shell = "exec gnome-shell --headless --wayland --no-x11 --virtual-monitor 1280x800 --unsafe-mode"
        self._start(shell, tmp / "gnome-shell.log", wrap=lambda argv: [
            "unshare", "--mount", "--propagation", "private", "sh", "-c", SYSTEM + "exec " + shlex.join(argv)])
        try:
            # Up, and past its start-up (banners wait for it; on a busy machine that is seconds).
            wait_for(lambda: self.run("gdbus", "call", "--session", "--dest", "org.gnome.Shell",
                                      "--object-path", "/org/gnome/Shell", "--method", "org.gnome.Shell.Eval",
                                      "!Main.layoutManager._startingUp && !Main.messageTray.bannerBlocked"
                                      ).stdout.startswith("(true, 'true')"),
                     120, "GNOME Shell to have started")
            # dconf's writer, activated on a full session: GNOME's do-not-disturb is a setting.
            self.dconf = self.spawn([DCONF_SERVICE], {}, self.dir / "dconf.log")
            # The notification service the shell activates on a full session (this bus activates
            # nothing): it owns org.freedesktop.Notifications and hands each to the shell.
            self.service = self.spawn(["gjs", NOTIFICATIONS_SERVICE], {}, self.dir / "notifications.log")
            wait_for(lambda: "'gnome-shell'" in self.run(
                "gdbus", "call", "--session", "--dest", "org.freedesktop.Notifications", "--object-path",
                "/org/freedesktop/Notifications", "--method",
                "org.freedesktop.Notifications.GetServerInformation").stdout, 60,
                "gnome-shell's notifications")  # gjs starting cold beside a busy CI run: seconds
        except AssertionError as e:
            said = self.log_path.read_text()[-1500:]
            self.stop()
            raise AssertionError(f"{e}; the shell said: {said}") from None


@pytest.fixture
def gnome() -> Iterator[tuple[GnomeSession, Path]]:
    require("gnome-shell", "gjs", DCONF_SERVICE, "gsettings", "unshare", "runuser", "dbus-run-session",
            "faketime")
    if not Path(NOTIFICATIONS_SERVICE).is_file():
        unavailable(f"{NOTIFICATIONS_SERVICE} is missing (Debian's gnome-shell has it)")
    if os.geteuid() != 0:
        unavailable("a headless GNOME Shell needs root for its private mount namespace (unshare --mount)")
    if subprocess.run(["/usr/bin/python3", "-c", "import dbusmock"], capture_output=True).returncode != 0:
        unavailable("python3-dbusmock (Debian's, for the shell's logind) is not installed")
    user = ensure_user()
    base = Path(tempfile.mkdtemp(prefix="stretchd-gnome-"))  # not under root's 0700 tmp_path
    os.chmod(base, 0o755)
    try:
        python = user_python(base, user)
        session = GnomeSession(base, user)
        try:
            yield session, python
        finally:
            session.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def banner(session: GnomeSession, python: Path, reminder: str) -> dict[str, Any]:
    """The banner on screen once it is the one of `reminder` (its body starts with its name)."""
    def look() -> dict[str, Any] | None:
        out = session.run(str(python), "-m", "harness.gnome", "banner")
        assert out.returncode == 0, out.stderr
        got = json.loads(out.stdout)
        return got if got and got["body"].lower().startswith(reminder) else None

    try:
        found = wait_for(look, 60, f"{reminder}'s banner")
    except AssertionError as e:
        log = (session.dir / "daemon.log").read_text()[-1500:]
        shell = session.log_path.read_text()[-1500:]
        raise AssertionError(f"{e}; history {events(session)}; the daemon said: {log}\n"
                             f"the shell said: {shell}") from None
    assert isinstance(found, dict)
    return found


@pytest.mark.compat("GNOME Shell", "shown with Start, Snooze and Skip (GNOME Shell 43, headless)")
@pytest.mark.compat("GNOME Shell", "Snooze, Skip, Start, a click on the body and the close button "
                    "(clicked through its Eval interface)")
@pytest.mark.compat("GNOME Shell", "its do-not-disturb (show-banners, through dconf) holds a reminder")
def test_gnome_shell_shows_the_buttons_and_each_reaches_the_daemon(gnome: tuple[GnomeSession, Path]) -> None:
    session, python = gnome
    started = session.home / "started"
    config = stand_in_config(started, morning="07:30", noon="07:32", evening="07:33", night="07:34",
                             late="07:36")
    daemon = SessionDaemon(session, python, config)
    try:
        def click(reminder: str, what: str, kind: str, step: bool = True) -> None:
            out = session.run(str(python), "-m", "harness.gnome", "click", what)
            assert out.returncode == 0, out.stdout + out.stderr
            wait_recorded(session, reminder, kind)
            if step:
                daemon.step_to_next()

        first = banner(session, python, "morning")
        assert first["title"] == "Time to stretch"
        assert first["buttons"] == ["Start", "Snooze 1 min", "Skip"]
        click("morning", "Snooze 1 min", "snoozed")
        banner(session, python, "morning")  # back at the snooze's end
        click("morning", "Skip", "skipped")
        banner(session, python, "noon")
        click("noon", "--body", "started")  # GNOME's click on a notification: the default action
        wait_for(lambda: started.exists() and "walk shotgun --reminder noon" in started.read_text(),
                 10, "the terminal stand-in to run")
        banner(session, python, "evening")
        click("evening", "Start", "started")
        wait_for(lambda: "walk shotgun --reminder evening" in started.read_text(), 10, "the second walkthrough")
        banner(session, python, "night")
        click("night", "--close", "dismissed", step=False)
        # GNOME's do-not-disturb, switched as its quick settings switch it: held, then shown.
        banners = ["gsettings", "set", "org.gnome.desktop.notifications", "show-banners"]
        assert session.run(*banners, "false").returncode == 0
        daemon.step_to_next()
        wait_for(lambda: events(session)[-1:] == [("late", "held")], 30, f"held: {events(session)}")
        assert session.run(*banners, "true").returncode == 0
        # show-banners has no signal: the hold looks again at its minute check (tests/e2e/test_hold.py
        # waits for that one), or at once when the machine wakes, which the test sends here.
        daemon.resume()
        assert banner(session, python, "late")["body"].endswith("shown after do-not-disturb")
        doctor = session.run(str(python), "-m", "stretchd", "doctor").stdout
        assert "notification server: gnome-shell 43" in doctor, doctor
    finally:
        daemon.stop()
