"""Where stretchd keeps its files: XDG locations, resolved each time they are asked for."""

from __future__ import annotations

import os
from pathlib import Path

APP = "stretchd"


def _xdg(var: str, fallback: str) -> Path:
    # The XDG spec says a relative value is invalid and must be ignored.
    value = os.environ.get(var, "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / APP


def config_file() -> Path:
    return config_dir() / "config.toml"


def user_routines_dir() -> Path:
    return config_dir() / "routines"


def state_dir() -> Path:
    return _xdg("XDG_STATE_HOME", ".local/state") / APP


def database_file() -> Path:
    return state_dir() / "stretchd.sqlite3"


def runtime_dir() -> Path:
    """The control socket's directory; falls back to the state directory without XDG_RUNTIME_DIR."""
    value = os.environ.get("XDG_RUNTIME_DIR", "")
    if value and os.path.isabs(value):
        return Path(value) / APP
    return state_dir() / "run"


def socket_file() -> Path:
    return runtime_dir() / "control.sock"


def systemd_user_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "systemd" / "user"


def autostart_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "autostart"
