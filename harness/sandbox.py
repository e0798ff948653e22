"""A home of its own for each stretchd a test, the soak or a benchmark runs: the XDG
directories stretchd.paths resolves, all under one folder, so nothing touches the user's."""

from __future__ import annotations

import os
from pathlib import Path

XDG_DIRS = {"XDG_CONFIG_HOME": "config", "XDG_STATE_HOME": "state", "XDG_RUNTIME_DIR": "run",
            "XDG_DATA_HOME": "data", "XDG_CACHE_HOME": "cache"}
# As a desktop user has them, under HOME (programs that ignore the variables agree with it).
XDG_UNDER_HOME = {"XDG_CONFIG_HOME": ".config", "XDG_STATE_HOME": ".local/state",
                  "XDG_DATA_HOME": ".local/share", "XDG_CACHE_HOME": ".cache"}


def xdg_home(root: Path, under_home: bool = False) -> dict[str, str]:
    """Make HOME (root/home) and the XDG directories (0700) in root; the variables naming them.

    under_home: the XDG directories inside HOME as a desktop has them, and no runtime
    directory (the caller's session has its own)."""
    home = root / "home"
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {"HOME": str(home)}
    layout = {k: str(home / v) for k, v in XDG_UNDER_HOME.items()} if under_home else {
        k: str(root / v) for k, v in XDG_DIRS.items()}
    for var, path in layout.items():
        if not under_home:
            os.makedirs(path, mode=0o700, exist_ok=True)
        env[var] = path
    return env
