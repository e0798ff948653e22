"""`stretchd service install | uninstall | status`: the unit file, and what is asked of systemd.

No systemd user manager can run on CI machines (PID 1 is not systemd), so the
`systemctl --user` calls are checked against a stand-in `systemctl` script put first on
PATH: it records its arguments to a file and answers like a manager would, or fails like
`systemctl` does when no manager runs. The real `systemd-analyze --user verify` checks the
unit in tests/e2e/test_service_unit.py.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest

from stretchd import paths
from stretchd.desktop import service
from stretchd.errors import EXIT_FAILURE, StretchdError

ENABLE_NOW = ["daemon-reload", "enable --now stretchd.service", "is-active graphical-session.target"]


class FakeSystemctl:
    """A `systemctl` on PATH that logs each call; `no_manager()` makes it fail like one without a bus."""

    def __init__(self, bin_dir: Path) -> None:
        self.log = bin_dir / "systemctl.log"
        self.broken = bin_dir / "systemctl.no-manager"
        self.inactive = bin_dir / "systemctl.inactive"
        script = bin_dir / "systemctl"
        script.write_text(f"""#!/bin/sh
echo "$*" >> '{self.log}'
if [ -e '{self.broken}' ]; then echo 'Failed to connect to bus: No medium found' >&2; exit 1; fi
case "$*" in
  *show-environment*) echo "HOME=$HOME"; echo "XDG_CONFIG_HOME=$XDG_CONFIG_HOME"
                      echo "XDG_STATE_HOME=$XDG_STATE_HOME"; echo "XDG_DATA_HOME=$XDG_DATA_HOME" ;;
  *is-active*) if [ -e '{self.inactive}' ]; then echo inactive; exit 3; fi; echo active ;;
  *is-enabled*) echo enabled ;;
esac
""")
        script.chmod(0o755)

    def calls(self, *, queries: bool = False) -> list[str]:
        """Each call's arguments after `--user`; without `show-environment` (asked before
        anything else, to place the unit) unless `queries`."""
        if not self.log.exists():
            return []
        lines = self.log.read_text().splitlines()
        assert all(line.startswith("--user ") for line in lines), lines
        return [line.removeprefix("--user ") for line in lines
                if queries or line != "--user show-environment"]

    def no_manager(self) -> None:
        self.broken.touch()


@pytest.fixture
def systemctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeSystemctl:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return FakeSystemctl(bin_dir)


def entry_installed() -> str:
    return f"{paths.application_file()}: installed; {paths.icon_file()}: installed"


def unit_file() -> Path:
    """Where the unit goes when the user manager has this shell's XDG directories."""
    return paths.systemd_user_dir() / "stretchd.service"


def files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if not p.is_dir())


def exec_start(unit: Path) -> list[str]:
    line = next(line for line in unit.read_text().splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def test_install_writes_the_unit_for_this_stretchd_then_enables_and_starts_it(
        systemctl: FakeSystemctl) -> None:
    messages = service.install()
    unit = paths.systemd_user_dir() / "stretchd.service"
    argv = exec_start(unit)
    assert argv[-1] == "run"
    assert os.path.isabs(argv[0]) and os.access(argv[0], os.X_OK)
    assert argv[:-1] == service.stretchd_argv()
    assert systemctl.calls() == ENABLE_NOW
    assert messages == [f"{unit}: installed", entry_installed(), "enabled stretchd.service: stretchd runs now and at every "
                                              "graphical login"]


def test_the_unit_is_the_template_with_its_placeholders_filled(systemctl: FakeSystemctl) -> None:
    service.install()
    text = unit_file().read_text()
    assert "@" not in text.replace("$MAINPID", "")
    for line in ("Type=notify", "PartOf=graphical-session.target", "After=graphical-session.target",
                 "WantedBy=graphical-session.target", "Restart=on-failure", "RestartPreventExitStatus=78",
                 "NoNewPrivileges=yes"):
        assert line in text.splitlines()
    assert "PrivateTmp" not in text.replace("(PrivateTmp=", "")  # needs user namespaces


def test_the_repository_unit_is_the_packaged_template() -> None:
    repo_unit = Path(__file__).parents[1] / "systemd" / "stretchd.service"
    assert repo_unit.is_symlink() and repo_unit.resolve() == service.unit_template().resolve()


def test_install_twice_gives_one_identical_unit_and_says_unchanged(systemctl: FakeSystemctl) -> None:
    service.install()
    first = unit_file().read_bytes()
    messages = service.install()
    assert unit_file().read_bytes() == first
    assert messages[0] == f"{unit_file()}: unchanged"
    assert files_under(paths.systemd_user_dir()) == [unit_file()]
    assert systemctl.calls() == ENABLE_NOW * 2


def test_install_updates_an_outdated_unit_and_restarts_the_daemon(systemctl: FakeSystemctl) -> None:
    unit = unit_file()
    unit.parent.mkdir(parents=True)
    unit.write_text("[Service]\nExecStart=/old/venv/bin/stretchd run\n")
    messages = service.install()
    assert unit.read_text() == service.render_unit(service.stretchd_argv())
    assert messages[0] == f"{unit}: updated" and messages[2].startswith("restarted stretchd.service")
    assert systemctl.calls() == ["daemon-reload", "enable stretchd.service", "restart stretchd.service",
                                 "is-active graphical-session.target"]


def test_install_without_enable_writes_the_unit_only(systemctl: FakeSystemctl) -> None:
    messages = service.install(enable=False)
    assert unit_file().exists() and systemctl.calls() == []
    assert messages[2].endswith("systemctl --user daemon-reload && systemctl --user enable --now "
                                "stretchd.service")


def test_install_warns_when_the_desktop_does_not_start_graphical_session_target(
        systemctl: FakeSystemctl) -> None:
    systemctl.inactive.touch()
    messages = service.install()
    assert messages[-1].startswith("note: graphical-session.target is not active")
    assert "stretchd service install --autostart" in messages[-1]


def test_with_no_user_manager_install_writes_the_unit_and_names_the_commands_for_later(
        systemctl: FakeSystemctl) -> None:
    systemctl.no_manager()
    with pytest.raises(StretchdError) as caught:
        service.install()
    assert caught.value.exit_code == EXIT_FAILURE
    first, later = caught.value.message.split("\n")
    assert first.startswith(f"{unit_file()}: installed")
    assert first.endswith("but no systemd user manager answers (Failed to connect to bus: No medium found);")
    assert later == ("where one runs: systemctl --user daemon-reload && "
                     "systemctl --user enable --now stretchd.service")
    assert unit_file().exists()
    assert systemctl.calls() == ["daemon-reload"]


def test_with_no_systemctl_at_all_install_writes_and_verifies_the_unit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare = tmp_path / "bare-bin"  # a PATH with systemd-analyze (when installed) and no systemctl
    bare.mkdir()
    analyze = shutil.which("systemd-analyze")
    if analyze:
        (bare / "systemd-analyze").symlink_to(analyze)
    monkeypatch.setenv("PATH", str(bare))
    with pytest.raises(StretchdError) as caught:
        service.install()
    checked = " and checked with systemd-analyze" if analyze else ""
    assert caught.value.message.startswith(
        f"{unit_file()}: installed{checked}, but no systemd user manager answers "
        "(systemctl is not installed);\nwhere one runs: systemctl --user daemon-reload && ")
    assert exec_start(unit_file())[-1] == "run"


def test_uninstall_stops_disables_and_leaves_nothing_behind(systemctl: FakeSystemctl, xdg: Path) -> None:
    service.install()
    wants = paths.systemd_user_dir() / "graphical-session.target.wants"
    wants.mkdir()
    (wants / "stretchd.service").symlink_to(unit_file())  # what a real `enable` makes
    messages = service.uninstall()
    assert messages[0] == f"stopped, disabled and removed {unit_file()}"
    assert systemctl.calls()[len(ENABLE_NOW):] == ["disable --now stretchd.service", "daemon-reload",
                                                   "reset-failed stretchd.service"]
    assert files_under(xdg / "config") == []


def test_uninstall_without_a_manager_still_removes_everything(systemctl: FakeSystemctl, xdg: Path) -> None:
    service.install(enable=False)
    wants = paths.systemd_user_dir() / "graphical-session.target.wants"
    wants.mkdir()
    (wants / "stretchd.service").symlink_to(unit_file())
    systemctl.no_manager()
    messages = service.uninstall()
    assert messages == [f"removed {unit_file()}", f"removed {wants / 'stretchd.service'}",
                        f"removed {paths.application_file()}", f"removed {paths.icon_file()}"]
    assert files_under(xdg / "config") == []


def test_uninstall_when_nothing_is_installed_says_so(systemctl: FakeSystemctl) -> None:
    assert service.uninstall() == ["stretchd is not installed as a service: nothing to remove"]
    assert systemctl.calls() == []


def test_autostart_writes_an_xdg_autostart_entry_instead_of_the_unit(systemctl: FakeSystemctl) -> None:
    messages = service.install(autostart=True)
    entry = paths.autostart_dir() / "stretchd.desktop"
    lines = entry.read_text().splitlines()
    exec_line = next(line for line in lines if line.startswith("Exec="))
    assert shlex.split(exec_line.removeprefix("Exec=")) == [*service.stretchd_argv(), "run"]
    for line in ("[Desktop Entry]", "Type=Application", "X-GNOME-Autostart-enabled=true", "NoDisplay=true"):
        assert line in lines
    assert not unit_file().exists() and systemctl.calls() == []
    assert messages == [f"{entry}: installed; stretchd starts at your next graphical login", entry_installed()]


def test_switching_between_unit_and_autostart_removes_the_other(systemctl: FakeSystemctl) -> None:
    service.install()
    service.install(autostart=True)
    assert not unit_file().exists() and service.autostart_file().exists()
    assert "disable --now stretchd.service" in systemctl.calls()
    service.install()
    assert unit_file().exists() and not service.autostart_file().exists()


def test_a_path_with_spaces_is_quoted_in_exec_start_and_exec(
        systemctl: FakeSystemctl, tmp_path: Path) -> None:
    exe = tmp_path / "my tools" / "stretchd"
    service.install(enable=False, exe=exe)
    assert exec_start(unit_file()) == [str(exe), "run"]
    assert f'ExecStart="{exe}" run' in unit_file().read_text()
    service.install(autostart=True, exe=exe)
    assert f'Exec="{exe}" run' in service.autostart_file().read_text()


def test_status_reports_the_unit_and_what_the_manager_says(systemctl: FakeSystemctl) -> None:
    assert service.status() == [f"unit: not installed ({unit_file()})", "enabled: enabled",
                                "active: active"]
    service.install()
    assert service.status()[0] == f"unit: {unit_file()} (up to date)"
    unit_file().write_text("[Service]\nExecStart=/old/stretchd run\n")
    assert service.status()[0] == (f"unit: {unit_file()} (outdated: `stretchd service install` "
                                   "updates it)")
    systemctl.no_manager()
    assert service.status()[-1] == "systemd: no user manager (Failed to connect to bus: No medium found)"


def test_a_manager_without_this_shells_xdg_directories_gets_the_unit_where_it_looks_and_them_in_it(
        systemctl: FakeSystemctl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """XDG_CONFIG_HOME set in the shell only: the manager looks in ~/.config/systemd/user and
    starts the service with its own environment, so the unit names the shell's directories."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    script = systemctl.log.parent / "systemctl"
    script.write_text(script.read_text().replace(
        'echo "XDG_CONFIG_HOME=$XDG_CONFIG_HOME"', "true").replace(
        'echo "XDG_STATE_HOME=$XDG_STATE_HOME"', "true").replace(
        'echo "XDG_DATA_HOME=$XDG_DATA_HOME"', "true"))
    messages = service.install()
    unit = home / ".config" / "systemd" / "user" / "stretchd.service"
    assert messages[0] == f"{unit}: installed"
    environment = [line for line in unit.read_text().splitlines() if line.startswith("Environment=")]
    assert environment == [f"Environment=XDG_CONFIG_HOME={os.environ['XDG_CONFIG_HOME']}",
                           f"Environment=XDG_STATE_HOME={os.environ['XDG_STATE_HOME']}",
                           f"Environment=XDG_DATA_HOME={os.environ['XDG_DATA_HOME']}"]
    assert service.status()[0] == f"unit: {unit} (up to date)"
    assert service.uninstall()[0] == f"stopped, disabled and removed {unit}"
    assert systemctl.calls(queries=True)[0] == "show-environment"


def test_a_manager_with_the_same_directories_gets_no_environment_lines(systemctl: FakeSystemctl) -> None:
    service.install()
    assert "Environment=" not in unit_file().read_text()


def test_status_says_the_pid_and_status_text_restarts_and_an_invalid_configs_exit(
        systemctl: FakeSystemctl) -> None:
    script = systemctl.log.parent / "systemctl"
    show = systemctl.log.parent / "show"
    script.write_text(script.read_text().replace(
        "case \"$*\" in", f"case \"$*\" in\n  *' show stretchd.service'*) cat '{show}' ;;"))
    service.install()
    show.write_text("SubState=running\nMainPID=4242\nStatusText=reminders armed\nNRestarts=1\n"
                    "ExecMainStatus=0\nResult=success\n")
    assert service.status()[-1] == "active: active (running, pid 4242: reminders armed; restarted 1 time)"
    show.write_text("SubState=failed\nMainPID=0\nStatusText=\nNRestarts=0\nExecMainStatus=78\n"
                    "Result=exit-code\n")
    assert service.status()[-1] == ("active: active (exit 78: the config is invalid, so it is not "
                                    "restarted; `stretchd config check` says why)")


def test_install_adds_a_desktop_entry_and_an_icon_that_name_stretchds_notifications(
        systemctl: FakeSystemctl) -> None:
    service.install()
    lines = paths.application_file().read_text().splitlines()
    for line in ("Type=Application", "Name=stretchd", "Icon=stretchd", "Terminal=true",
                 "X-GNOME-UsesNotifications=true"):
        assert line in lines
    exec_line = next(line for line in lines if line.startswith("Exec="))
    assert shlex.split(exec_line.removeprefix("Exec=")) == [*service.stretchd_argv(), "walk"]
    assert paths.icon_file().read_bytes() == service.icon_source().read_bytes()
    assert paths.icon_file().name == "stretchd.svg" and "hicolor/scalable/apps" in str(paths.icon_file())
    service.uninstall()
    assert not paths.application_file().exists() and not paths.icon_file().exists()
