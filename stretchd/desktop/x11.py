"""X11 idle time and the active window's fullscreen state, read by python-xlib.

Run as `python -m stretchd.desktop.x11` by busy.py, in a child process: the daemon never holds
python-xlib in memory, and an X server that does not answer cannot stall its loop."""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def _display() -> Any:
    """An X display connection, or None (no DISPLAY, no server, no python-xlib)."""
    if not os.environ.get("DISPLAY"):
        return None
    try:
        from Xlib import display as xdisplay

        return xdisplay.Display()
    except Exception:
        return None


def idle_seconds(d: Any) -> float | None:
    """Seconds since the last keyboard or mouse input (the MIT-SCREEN-SAVER extension)."""
    try:
        if not d.has_extension("MIT-SCREEN-SAVER"):
            return None
        return float(d.screen().root.screensaver_query_info().idle) / 1000
    except Exception:
        return None


def fullscreen(d: Any) -> bool | str | None:
    """Whether the active window (EWMH _NET_ACTIVE_WINDOW) is fullscreen, "no active window",
    or None if it cannot be read."""
    try:
        root = d.screen().root
        active = root.get_full_property(d.intern_atom("_NET_ACTIVE_WINDOW"), 0)
        if active is None or not active.value or not active.value[0]:
            return "no active window"
        window = d.create_resource_object("window", active.value[0])
        state = window.get_full_property(d.intern_atom("_NET_WM_STATE"), 0)
        return bool(state is not None and d.intern_atom("_NET_WM_STATE_FULLSCREEN") in state.value)
    except Exception:
        return None


def state() -> dict[str, Any]:
    """{"display": bool, "idle": seconds or None, "fullscreen": fullscreen()'s answer}."""
    d = _display()
    if d is None:
        return {"display": False, "idle": None, "fullscreen": None}
    try:
        return {"display": True, "idle": idle_seconds(d), "fullscreen": fullscreen(d)}
    finally:
        d.close()


def main() -> int:
    sys.stdout.write(json.dumps(state()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
