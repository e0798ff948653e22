"""Where stretchd keeps its files: XDG locations, resolved each time they are asked for."""

from __future__ import annotations

import os
from pathlib import Path

APP = "stretchd"


def _config_home() -> Path:
    import platformdirs

    return platformdirs.user_config_path()


def config_dir() -> Path:
    return _config_home() / APP


def config_file() -> Path:
    return config_dir() / "config.toml"


def user_routines_dir() -> Path:
    return config_dir() / "routines"


def state_dir() -> Path:
    import platformdirs

    return platformdirs.user_state_path(APP)


def cache_dir() -> Path:
    """What can be made again and so deleted any time: the locale's forms (l10n.py)."""
    import platformdirs

    return platformdirs.user_cache_path(APP)


def database_file() -> Path:
    return state_dir() / "stretchd.sqlite3"


def runtime_dir() -> Path:
    """The control socket's directory; falls back to the state directory without XDG_RUNTIME_DIR."""
    # Not platformdirs here: its fallback is a shared /tmp path, announced with a warning.
    value = os.environ.get("XDG_RUNTIME_DIR", "")
    if value and os.path.isabs(value):
        return Path(value) / APP
    return state_dir() / "run"


def socket_file() -> Path:
    return runtime_dir() / "control.sock"


def systemd_user_dir() -> Path:
    return _config_home() / "systemd" / "user"


def autostart_dir() -> Path:
    return _config_home() / "autostart"


def _data_home() -> Path:
    import platformdirs

    return platformdirs.user_data_path()


def application_file() -> Path:
    """The desktop entry that names stretchd's notifications in the desktop's settings."""
    return _data_home() / "applications" / f"{APP}.desktop"


def icon_file() -> Path:
    return _data_home() / "icons" / "hicolor" / "scalable" / "apps" / f"{APP}.svg"
