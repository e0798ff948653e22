"""`stretchd service` against a real systemd user manager (the recipe in ../shared/TESTING.md):
`systemd --user` in a private mount namespace where /run/systemd/system exists, with its own
runtime directory and session bus, and an environment of its own that lacks the shell's
XDG_CONFIG_HOME and XDG_STATE_HOME, as a desktop's manager does."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.kit import require, stretchd_command, unavailable, wait_for

SYSTEMD = "/lib/systemd/systemd"


class Manager:
    def __init__(self, tmp: Path) -> None:
        self.home = tmp / "manager-home"
        self.runtime = tmp / "manager-run"
        self.home.mkdir()
        self.runtime.mkdir(mode=0o700)
        bus = f"unix:path={self.runtime}/bus"
        base = {"HOME": str(self.home), "XDG_RUNTIME_DIR": str(self.runtime), "LANG": "C.UTF-8",
                "PATH": "/usr/local/bin:/usr/bin:/bin", "DBUS_SESSION_BUS_ADDRESS": bus}
        # The shell the user types in: its own XDG directories, which the manager does not have.
        self.shell = {**base, "PATH": f"{Path(stretchd_command()[0]).parent}:{base['PATH']}",
                      "XDG_CONFIG_HOME": str(tmp / "my-config"), "XDG_STATE_HOME": str(tmp / "my-state")}
        self.config = tmp / "my-config" / "stretchd" / "config.toml"
        script = (f"mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system"
                  f" && dbus-daemon --session --address={bus} --fork --print-pid=1 > {tmp}/bus.pid"
                  f" && exec {SYSTEMD} --user")
        self.log = (tmp / "manager.log").open("w")
        self.proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                                     env=base, stdout=self.log, stderr=subprocess.STDOUT)
        self.bus_pid = tmp / "bus.pid"
        wait_for(lambda: self.run("systemctl", "--user", "is-system-running").stdout.strip()
                 in ("running", "degraded"), 20, "the user manager to run")

    def run(self, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """A command in the manager's mount namespace (systemctl is offline outside it), with
        the shell's environment."""
        if self.proc.poll() is not None:
            raise AssertionError(f"the user manager exited {self.proc.returncode}")
        return subprocess.run(["nsenter", "--target", str(self.proc.pid), "--mount", "--", *argv],
                              env=self.shell, capture_output=True, text=True, timeout=timeout)

    def stretchd(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(*stretchd_command(), *args)

    def show(self, *props: str) -> dict[str, str]:
        out = self.run("systemctl", "--user", "show", "stretchd.service", "-p", ",".join(props)).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # stops its units, our daemon with them
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.bus_pid.exists():
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(self.bus_pid.read_text()), signal.SIGTERM)
        self.log.close()


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[Manager]:
    require("unshare", "nsenter", "systemctl", "dbus-daemon")
    if not Path(SYSTEMD).exists():
        unavailable(f"{SYSTEMD} is not installed (apt-get install systemd; .ci/run does)")
    if os.geteuid() != 0:
        unavailable("a user manager in a private mount namespace needs root (unshare --mount)")
    m = Manager(tmp_path)
    try:
        yield m
    finally:
        m.stop()


def test_install_under_a_real_user_manager_runs_restarts_refuses_a_loop_and_uninstalls(
        manager: Manager) -> None:
    manager.config.parent.mkdir(parents=True)
    manager.config.write_text('[reminders.mine]\ntime = "23:59"\n')
    installed = manager.stretchd("service", "install")
    assert installed.returncode == 0, installed.stderr
    unit = manager.home / ".config" / "systemd" / "user" / "stretchd.service"  # where it looks
    assert installed.stdout.splitlines()[0] == f"{unit}: installed"
    assert "enabled stretchd.service" in installed.stdout

    # Active only once READY=1 came: Type=notify, and the STATUS= sent with it.
    props = manager.show("Type", "ActiveState", "SubState", "StatusText", "MainPID", "NRestarts")
    assert (props["Type"], props["ActiveState"], props["SubState"]) == ("notify", "active", "running")
    assert props["StatusText"] == "reminders armed"
    pid = int(props["MainPID"])
    # The service reads the shell's config and state, not ~/.config: its next reminder is mine.
    status = manager.stretchd("status")
    assert status.returncode == 0 and f"stretchd is running (pid {pid})" in status.stdout
    assert "mine" in status.stdout and "morning" not in status.stdout
    assert (manager.home / ".config" / "stretchd").exists() is False
    assert f"active: active (running, pid {pid}: reminders armed)" in manager.stretchd("service", "status").stdout

    # kill -9: restarted (RestartSec=5), and says so.
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: manager.show("NRestarts", "SubState") == {"NRestarts": "1", "SubState": "running"},
             20, "the restart")
    again = int(manager.show("MainPID")["MainPID"])
    assert again != pid
    wait_for(lambda: manager.stretchd("status").returncode == 0, 10, "the restarted daemon to answer")
    assert f"running, pid {again}: reminders armed; restarted 1 time" in manager.stretchd("service", "status").stdout

    # An invalid config: exit 78, failed, and not restarted in a loop.
    manager.config.write_text('[reminders.mine]\ntime = "7:3"\n')
    assert manager.run("systemctl", "--user", "restart", "stretchd.service").returncode != 0
    time.sleep(6)  # longer than RestartSec
    props = manager.show("ActiveState", "ExecMainStatus", "NRestarts")
    assert props == {"ActiveState": "failed", "ExecMainStatus": "78", "NRestarts": "0"}
    assert "active: failed (exit 78: the config is invalid, so it is not restarted" in \
        manager.stretchd("service", "status").stdout

    # Uninstall: stopped, disabled, removed, and reported as gone.
    removed = manager.stretchd("service", "uninstall")
    assert removed.returncode == 0 and f"stopped, disabled and removed {unit}" in removed.stdout
    assert not unit.exists()
    after = manager.stretchd("service", "status").stdout
    assert f"unit: not installed ({unit})" in after and "active: inactive" in after


def test_autostart_and_application_entries_are_valid_desktop_entries(manager: Manager) -> None:
    require("desktop-file-validate")
    assert manager.stretchd("service", "install", "--autostart").returncode == 0
    data = manager.home / ".local" / "share"  # the shell here sets no XDG_DATA_HOME
    for entry in (Path(manager.shell["XDG_CONFIG_HOME"]) / "autostart" / "stretchd.desktop",
                  data / "applications" / "stretchd.desktop"):
        checked = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
        assert checked.returncode == 0 and checked.stdout == "", checked.stdout + checked.stderr
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "stretchd.svg").exists()
