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
from stretchd.edit import write_atomic
from stretchd.errors import StretchdError

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
        return subprocess.CompletedProcess(argv, 124, "", f"no answer after {TIMEOUT:.0f} s")
    except OSError as e:
        return subprocess.CompletedProcess(argv, 127, "", e.strerror or str(e))


def unit_template() -> Path:
    """The unit with placeholders; the same file as systemd/stretchd.service in the repository."""
    return Path(__file__).parent / "stretchd.service"


def unit_file() -> Path:
    return paths.systemd_user_dir() / UNIT


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


def render_unit(argv: list[str]) -> str:
    docs = default_config_file().resolve().as_uri().replace("%", "%%")  # the commented config
    return (unit_template().read_text(encoding="utf-8")
            .replace("@STRETCHD@", " ".join(_systemd_word(a) for a in argv))
            .replace("@DOCS@", docs))


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
        raise StretchdError(f"{path}: cannot remove: {e.strerror or e}") from None


def _reason(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr or result.stdout or "").strip().splitlines()
    return lines[-1].strip() if lines else f"exit status {result.returncode}"


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
    if autostart:
        messages = _remove_unit(ctl, run) if unit_file().exists() else []
        entry = autostart_file()
        state = _write(entry, render_desktop(argv))
        return [*messages, f"{entry}: {state}; stretchd starts at your next graphical login"]
    messages = []
    if autostart_file().exists():
        _unlink(autostart_file())
        messages.append(f"removed {autostart_file()} (the systemd unit replaces it)")
    unit = unit_file()
    state = _write(unit, render_unit(argv))
    messages.append(f"{unit}: {state}")
    if not enable:
        return [*messages, f"not enabled; to start it now and at every graphical login: {LATER}"]
    reload = None if ctl is None else run([ctl, "--user", "daemon-reload"])
    if reload is None or reload.returncode != 0:
        checked = " and checked with systemd-analyze" if verify(unit, analyze, run) else ""
        why = "systemctl is not installed" if reload is None else _reason(reload)
        raise StretchdError(f"{unit}: {state}{checked}, but no systemd user manager answers ({why});\n"
                            f"where one runs: {LATER}")
    assert ctl is not None
    steps = [["enable", UNIT], ["restart", UNIT]] if state == "updated" else [["enable", "--now", UNIT]]
    for step in steps:
        result = run([ctl, "--user", *step])
        if result.returncode != 0:
            raise StretchdError(f"systemctl --user {' '.join(step)}: {_reason(result)}; "
                                f"see `journalctl --user -u {UNIT}` and `stretchd config check`")
    messages.append(f"{'restarted' if state == 'updated' else 'enabled'} {UNIT}: "
                    "stretchd runs now and at every graphical login")
    target = run([ctl, "--user", "is-active", "graphical-session.target"])
    if target.stdout.strip() != "active":
        messages.append("note: graphical-session.target is not active: if your desktop does not start "
                        "it (GNOME and KDE do, many window managers do not), stretchd will not start "
                        "at login; `stretchd service install --autostart` is the other way")
    return messages


def _remove_unit(ctl: str | None, run: Runner) -> list[str]:
    unit = unit_file()
    messages = [f"removed {unit}"]
    if ctl is not None and run([ctl, "--user", "disable", "--now", UNIT]).returncode == 0:
        messages[0] = f"stopped, disabled and removed {unit}"
    # `enable` made these links; without a manager `disable` cannot take them away.
    for link in sorted(paths.systemd_user_dir().glob(f"*.wants/{UNIT}")):
        if link.is_symlink():
            _unlink(link)
            messages.append(f"removed {link}")
    _unlink(unit)
    if ctl is not None:
        run([ctl, "--user", "daemon-reload"])
    if Path(f"{unit}.d").is_dir():
        messages.append(f"kept your drop-ins in {unit}.d")
    return messages


def uninstall(*, systemctl: str = "systemctl", run: Runner = run_command) -> list[str]:
    """Stop and disable the unit and remove it, and the autostart entry; nothing is left behind."""
    unit, entry = unit_file(), autostart_file()
    messages = _remove_unit(shutil.which(systemctl), run) if unit.exists() or unit.is_symlink() else []
    if entry.exists() or entry.is_symlink():
        _unlink(entry)
        messages.append(f"removed {entry} (a stretchd it started runs until you log out)")
    return messages or ["stretchd is not installed as a service: nothing to remove"]


def status(*, systemctl: str = "systemctl", run: Runner = run_command, exe: Path | None = None) -> list[str]:
    """Whether the unit is installed and current, and what the user manager says about it.

    The last line starts "systemd: no user manager" when the unit cannot be queried."""
    argv = stretchd_argv(exe)
    lines = []
    for what, path, text in (("unit", unit_file(), render_unit(argv)),
                             ("autostart entry", autostart_file(), render_desktop(argv))):
        if path.exists():
            current = path.read_text(encoding="utf-8", errors="replace") == text
            again = "stretchd service install" + (" --autostart" if what != "unit" else "")
            state = "up to date" if current else f"outdated: `{again}` updates it"
            lines.append(f"{what}: {path} ({state})")
        elif what == "unit":
            lines.append(f"{what}: not installed ({path})")
    ctl = shutil.which(systemctl)
    if ctl is None:
        return [*lines, "systemd: no user manager (systemctl is not installed)"]
    enabled = run([ctl, "--user", "is-enabled", UNIT])
    active = run([ctl, "--user", "is-active", UNIT])
    if not active.stdout.strip():
        return [*lines, f"systemd: no user manager ({_reason(active)})"]
    return [*lines, f"enabled: {enabled.stdout.strip() or _reason(enabled)}",
            f"active: {active.stdout.strip()}"]
