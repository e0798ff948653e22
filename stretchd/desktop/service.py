"""Start stretchd with the desktop: a systemd user unit (or an XDG autostart entry)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from stretchd import paths
from stretchd.config import default_config_file
from stretchd.errors import StretchdError
from stretchd.files import write_atomic
from stretchd.i18n import _, ngettext

UNIT = "stretchd.service"
TIMEOUT = 60.0  # `enable --now` waits for the daemon's READY=1
LATER = f"systemctl --user daemon-reload && systemctl --user enable --now {UNIT}"


class Runner(Protocol):
    def __call__(self, argv: list[str], env: Mapping[str, str] | None = None
                 ) -> subprocess.CompletedProcess[str]: ...


def run_command(argv: list[str], env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ARGV, output captured; a timeout or a missing program is a failed result, not an exception."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, check=False,
                              env=None if env is None else dict(env), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        # TRANSLATORS: why a systemctl command failed; {seconds} is a number of seconds.
        return subprocess.CompletedProcess(argv, 124, "", _("no answer after {seconds} s").format(
            seconds=f"{TIMEOUT:.0f}"))
    except OSError as e:
        return subprocess.CompletedProcess(argv, 127, "", e.strerror or str(e))


def unit_template() -> Path:
    """The unit with placeholders; the same file as systemd/stretchd.service in the repository."""
    return Path(__file__).parent / "stretchd.service"


# The locations stretchd reads, as environment variables, with their default under $HOME.
LOCATIONS = {"XDG_CONFIG_HOME": ".config", "XDG_STATE_HOME": ".local/state",
             "XDG_DATA_HOME": ".local/share"}


def _locations(env: Mapping[str, str]) -> dict[str, Path]:
    home = Path(env.get("HOME") or Path.home())
    out = {}
    for var, default in LOCATIONS.items():
        value = env.get(var, "")
        out[var] = Path(value) if os.path.isabs(value) else home / default
    return out


def manager_environment(ctl: str | None, run: Runner) -> dict[str, str] | None:
    """The user manager's own environment (what a unit's processes get), or None."""
    if ctl is None:
        return None
    result = run([ctl, "--user", "show-environment"])
    if result.returncode != 0:
        return None
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


class Placement:
    """Where the unit goes and what it must carry so that the service reads the files this
    CLI reads: the manager looks for units under its own config directory, and a unit's
    processes get its environment, not this shell's (where XDG_CONFIG_HOME may be set)."""

    def __init__(self, manager: Mapping[str, str] | None) -> None:
        ours = _locations(os.environ)
        # With no manager to ask, a unit started later gets the defaults.
        theirs = _locations(manager if manager is not None else {"HOME": os.environ.get("HOME", "")})
        self.unit_dir = (theirs["XDG_CONFIG_HOME"] / "systemd" / "user" if manager is not None
                         else paths.systemd_user_dir())
        self.environment = {var: str(ours[var]) for var in LOCATIONS if ours[var] != theirs[var]}

    @property
    def unit(self) -> Path:
        return self.unit_dir / UNIT


def autostart_file() -> Path:
    return paths.autostart_dir() / "stretchd.desktop"


def stretchd_argv(exe: Path | None = None) -> list[str]:
    """This installation's stretchd: the script beside the running Python (venv, pipx), else `python -m`."""
    if exe is not None:
        return [os.path.abspath(exe)]
    script = Path(sys.executable).parent / "stretchd"
    if os.access(script, os.X_OK):
        return [os.path.abspath(script)]
    return [os.path.abspath(sys.executable), "-m", "stretchd"]


def _systemd_word(arg: str) -> str:
    arg = arg.replace("%", "%%").replace("$", "$$")  # specifiers and variables stay literal
    if re.fullmatch(r"[\w@%+=:,./-]+", arg, re.ASCII):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _desktop_word(arg: str) -> str:
    arg = arg.replace("%", "%%")  # field codes stay literal
    if not re.fullmatch(r"[\w@%+=:,./-]+", arg, re.ASCII):
        arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return _desktop_string(arg)


def _desktop_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def render_unit(argv: list[str], environment: Mapping[str, str] | None = None) -> str:
    docs = default_config_file().resolve().as_uri().replace("%", "%%")  # the commented config
    lines = "".join(f"Environment={_systemd_word(f'{k}={v}')}\n" for k, v in (environment or {}).items())
    if lines:
        lines = ("# The config and state directories of the shell that installed it, which the\n"
                 "# user manager's environment does not have.\n" + lines)
    return (unit_template().read_text(encoding="utf-8")
            .replace("@STRETCHD@", " ".join(_systemd_word(a) for a in argv))
            .replace("@DOCS@", docs)
            .replace("@ENVIRONMENT@\n", lines))


def render_desktop(argv: list[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "# Written by `stretchd service install --autostart`; `stretchd service uninstall` removes it.\n"
        "Type=Application\n"
        "Name=stretchd\n"
        "Comment=Stretch reminders for stiff hips and lower backs\n"
        f"Exec={' '.join(_desktop_word(a) for a in [*argv, 'run'])}\n"
        f"TryExec={_desktop_string(argv[0])}\n"
        "Terminal=false\n"
        "NoDisplay=true\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def icon_source() -> Path:
    return Path(__file__).parent / "stretchd.svg"


def render_application(argv: list[str]) -> str:
    """The desktop entry notifications name (hint `desktop-entry`): desktops show stretchd
    in their notification settings by it; from the menu it starts a walkthrough."""
    return (
        "[Desktop Entry]\n"
        "# Written by `stretchd service install`; `stretchd service uninstall` removes it.\n"
        "Type=Application\n"
        "Name=stretchd\n"
        "GenericName=Stretch reminder\n"
        "Comment=A guided stretch for stiff hips and lower backs\n"
        f"Exec={' '.join(_desktop_word(a) for a in [*argv, 'walk'])}\n"
        f"TryExec={_desktop_string(argv[0])}\n"
        "Terminal=true\n"
        "Icon=stretchd\n"
        "Categories=Utility;\n"
        "Keywords=stretch;break;reminder;back;hips;\n"
        "X-GNOME-UsesNotifications=true\n"
    )


def _install_entry(argv: list[str]) -> str:
    entry, icon = paths.application_file(), paths.icon_file()
    state = _write(entry, render_application(argv))
    icon_state = _write(icon, icon_source().read_text(encoding="utf-8"))
    return f"{entry}: {_said(state)}; {icon}: {_said(icon_state)}"


def _said(state: str) -> str:
    """_write's answer as the person reads it after the file's path."""
    if state == "installed":
        # TRANSLATORS: what `stretchd service install` did to a file, shown after its path.
        return _("installed")
    if state == "updated":
        # TRANSLATORS: what `stretchd service install` did to a file, shown after its path.
        return _("updated")
    # TRANSLATORS: what `stretchd service install` did to a file (nothing), shown after its path.
    return _("unchanged")


def _write(path: Path, text: str) -> str:
    """Write PATH atomically if its text differs: "installed", "updated" or "unchanged"."""
    try:
        old: str | None = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = None
    except (OSError, UnicodeDecodeError):
        old = ""
    if old == text:
        return "unchanged"
    write_atomic(path, text)
    return "installed" if old is None else "updated"


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as e:
        # TRANSLATORS: {file} is a path; {error} the system's reason.
        raise StretchdError(_("{file}: cannot remove: {error}").format(
            file=path, error=e.strerror or e)) from None


def _reason(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr or result.stdout or "").strip().splitlines()
    # TRANSLATORS: why a command failed when it said nothing; {status} is its exit status.
    return lines[-1].strip() if lines else _("exit status {status}").format(status=result.returncode)


def verify(unit: Path, analyze: str = "systemd-analyze", run: Runner = run_command) -> bool:
    """Check UNIT with `systemd-analyze --user verify`; False when the tool is not installed."""
    program = shutil.which(analyze)
    if program is None:
        return False
    # It needs a runtime directory, not the session's: one of its own works without a manager.
    with tempfile.TemporaryDirectory(prefix="stretchd-verify-") as runtime:
        result = run([program, "--user", "verify", str(unit)], {**os.environ, "XDG_RUNTIME_DIR": runtime})
    if result.returncode != 0:
        raise StretchdError(f"{unit}: systemd-analyze --user verify: {_reason(result)}")
    return True


def install(*, enable: bool = True, autostart: bool = False, systemctl: str = "systemctl",
            analyze: str = "systemd-analyze", run: Runner = run_command,
            exe: Path | None = None) -> list[str]:
    """Install the unit (or the autostart entry) for this stretchd; enable and start it."""
    argv = stretchd_argv(exe)
    ctl = shutil.which(systemctl)
    place = Placement(manager_environment(ctl, run))
    if autostart:
        messages = _remove_unit(place.unit, ctl, run) if place.unit.exists() else []
        entry = autostart_file()
        state = _write(entry, render_desktop(argv))
        # TRANSLATORS: {file} is a path; {state} is "installed", "updated" or "unchanged".
        return [*messages, _("{file}: {state}; stretchd starts at your next graphical login").format(
                    file=entry, state=_said(state)),
                _install_entry(argv)]
    messages = []
    if autostart_file().exists():
        _unlink(autostart_file())
        messages.append(_("removed {file} (the systemd unit replaces it)").format(file=autostart_file()))
    unit = place.unit
    state = _write(unit, render_unit(argv, place.environment))
    messages += [f"{unit}: {_said(state)}", _install_entry(argv)]
    if not enable:
        # TRANSLATORS: {command} is the commands that enable it, to run as they are.
        return [*messages, _("not enabled; to start it now and at every graphical login: {command}").format(
            command=LATER)]
    reload = None if ctl is None else run([ctl, "--user", "daemon-reload"])
    if reload is None or reload.returncode != 0:
        checked = verify(unit, analyze, run)
        why = _("systemctl is not installed") if reload is None else _reason(reload)
        # TRANSLATORS: {file} is the unit's path; {state} "installed", "updated" or "unchanged";
        # {why} systemctl's own words; {command} the commands to run where a manager runs.
        text = (_("{file}: {state} and checked with systemd-analyze, but no systemd user manager "
                  "answers ({why});\nwhere one runs: {command}") if checked else
                _("{file}: {state}, but no systemd user manager answers ({why});\n"
                  "where one runs: {command}"))
        raise StretchdError(text.format(file=unit, state=_said(state), why=why, command=LATER))
    assert ctl is not None
    steps = [["enable", UNIT], ["restart", UNIT]] if state == "updated" else [["enable", "--now", UNIT]]
    for step in steps:
        result = run([ctl, "--user", *step])
        if result.returncode != 0:
            # TRANSLATORS: {command} is the systemctl command that failed; {error} its words;
            # {unit} is "stretchd.service".
            raise StretchdError(_("{command}: {error}; see `journalctl --user -u {unit}` and "
                                  "`stretchd config check`").format(
                command=f"systemctl --user {' '.join(step)}", error=_reason(result), unit=UNIT))
    # TRANSLATORS: {unit} is "stretchd.service".
    messages.append((_("restarted {unit}: stretchd runs now and at every graphical login")
                     if state == "updated" else
                     _("enabled {unit}: stretchd runs now and at every graphical login")).format(unit=UNIT))
    target = run([ctl, "--user", "is-active", "graphical-session.target"])
    if target.stdout.strip() != "active":
        messages.append(_("note: graphical-session.target is not active: if your desktop does not start "
                          "it (GNOME and KDE do, many window managers do not), stretchd will not start "
                          "at login; `stretchd service install --autostart` is the other way"))
    return messages


def _remove_unit(unit: Path, ctl: str | None, run: Runner) -> list[str]:
    # TRANSLATORS: {file} is a path.
    messages = [_("removed {file}").format(file=unit)]
    if ctl is not None and run([ctl, "--user", "disable", "--now", UNIT]).returncode == 0:
        messages[0] = _("stopped, disabled and removed {file}").format(file=unit)
    # `enable` made these links; without a manager `disable` cannot take them away.
    for link in sorted(unit.parent.glob(f"*.wants/{UNIT}")):
        if link.is_symlink():
            _unlink(link)
            messages.append(_("removed {file}").format(file=link))
    _unlink(unit)
    if ctl is not None:
        run([ctl, "--user", "daemon-reload"])
        run([ctl, "--user", "reset-failed", UNIT])  # a failed one is not reported after it is gone
    if Path(f"{unit}.d").is_dir():
        # TRANSLATORS: {folder} is the path of the unit's drop-in folder (stretchd.service.d).
        messages.append(_("kept your drop-ins in {folder}").format(folder=f"{unit}.d"))
    return messages


def uninstall(*, systemctl: str = "systemctl", run: Runner = run_command) -> list[str]:
    """Stop and disable the unit and remove it, and the autostart entry; nothing is left behind."""
    ctl = shutil.which(systemctl)
    unit, entry = Placement(manager_environment(ctl, run)).unit, autostart_file()
    messages = _remove_unit(unit, ctl, run) if unit.exists() or unit.is_symlink() else []
    if entry.exists() or entry.is_symlink():
        _unlink(entry)
        messages.append(_("removed {file} (a stretchd it started runs until you log out)").format(
            file=entry))
    if not messages:
        return [_("stretchd is not installed as a service: nothing to remove")]
    for path in (paths.application_file(), paths.icon_file()):
        if path.exists() or path.is_symlink():
            _unlink(path)
            messages.append(_("removed {file}").format(file=path))
    return messages


class StatusLines(list[str]):
    """status()'s lines, and whether the user manager could not be asked about the unit (the
    last line then says why, in the person's language)."""

    no_manager = False

    def __init__(self, lines: list[str], *, no_manager: bool = False) -> None:
        super().__init__(lines)
        self.no_manager = no_manager


def status(*, systemctl: str = "systemctl", run: Runner = run_command,
           exe: Path | None = None) -> StatusLines:
    """Whether the unit is installed and current, and what the user manager says about it.

    The last line starts "systemd: no user manager" (in English) and `no_manager` is true
    when the unit cannot be queried."""
    argv = stretchd_argv(exe)
    ctl = shutil.which(systemctl)
    place = Placement(manager_environment(ctl, run))
    lines = []
    for unit, path, text in ((True, place.unit, render_unit(argv, place.environment)),
                             (False, autostart_file(), render_desktop(argv))):
        if path.exists():
            current = path.read_text(encoding="utf-8", errors="replace") == text
            again = "stretchd service install" + ("" if unit else " --autostart")
            if current:
                # TRANSLATORS: {file} is the unit's path.
                line = (_("unit: {file} (up to date)") if unit else
                        # TRANSLATORS: {file} is the autostart entry's path.
                        _("autostart entry: {file} (up to date)"))
            else:
                # TRANSLATORS: {file} is the unit's path; {command} the command that updates it.
                line = (_("unit: {file} (outdated: `{command}` updates it)") if unit else
                        # TRANSLATORS: {file} is the entry's path; {command} the command that updates it.
                        _("autostart entry: {file} (outdated: `{command}` updates it)"))
            lines.append(line.format(file=path, command=again))
        elif unit:
            lines.append(_("unit: not installed ({file})").format(file=path))
    # TRANSLATORS: why the user manager could not be asked: systemctl's own words, or that
    # systemctl is not installed.
    no_manager = _("systemd: no user manager ({why})")
    if ctl is None:
        return StatusLines([*lines, no_manager.format(why=_("systemctl is not installed"))],
                           no_manager=True)
    enabled = run([ctl, "--user", "is-enabled", UNIT])
    active = run([ctl, "--user", "is-active", UNIT])
    if not active.stdout.strip():
        return StatusLines([*lines, no_manager.format(why=_reason(active))], no_manager=True)
    # TRANSLATORS: {state} is systemctl's own word for the unit: "enabled", "disabled"...
    is_enabled = _("enabled: {state}").format(state=enabled.stdout.strip() or _reason(enabled))
    # TRANSLATORS: {state} is systemctl's own word ("active", "failed"...); {details} what else
    # is known, with its space and parentheses: " (running, pid 123)", or nothing.
    is_active = _("active: {state}{details}").format(state=active.stdout.strip(), details=_details(ctl, run))
    return StatusLines([*lines, is_enabled, is_active])


def _details(ctl: str, run: Runner) -> str:
    """" (running, pid 123: reminders armed; restarted 1 time)", or why it failed."""
    shown = run([ctl, "--user", "show", UNIT, "-p", "SubState,MainPID,StatusText,NRestarts,"
                 "ExecMainStatus,Result"])
    props = dict(line.split("=", 1) for line in shown.stdout.splitlines() if "=" in line)
    parts = []
    if props.get("SubState") == "running":
        pid = props.get("MainPID")
        if props.get("StatusText"):
            # TRANSLATORS: {pid} is a process id; {status} what the daemon says it does, as it says it.
            parts.append(_("running, pid {pid}: {status}").format(pid=pid, status=props["StatusText"]))
        else:
            # TRANSLATORS: {pid} is a process id.
            parts.append(_("running, pid {pid}").format(pid=pid))
    elif props.get("ExecMainStatus") == "78":
        parts.append(_("exit 78: the config is invalid, so it is not restarted; `stretchd config "
                       "check` says why"))
    elif props.get("Result") not in (None, "", "success"):
        # TRANSLATORS: {result} is systemd's word for how the unit failed ("exit-code"...);
        # {unit} is "stretchd.service".
        parts.append(_("{result}; see `journalctl --user -u {unit}`").format(result=props["Result"],
                                                                           unit=UNIT))
    restarts = int(props.get("NRestarts") or 0)
    if restarts:
        parts.append(ngettext("restarted {n} time", "restarted {n} times", restarts).format(n=restarts))
    return f" ({'; '.join(parts)})" if parts else ""
