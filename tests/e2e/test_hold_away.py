"""Away from the desk: X11's idle time holds a due reminder, and input (xdotool) lets it show.
The idle time is the X server's own, a real minute of it: the display is one started with the
test session (conftest), so it is usually idle long enough by now. This runs on the day's
clock, not in `make test-dates` (it has no fixed date)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from harness.desktop import Desktop
from harness.history import events
from harness.kit import MORNING, hold, require, start_daemon, wait_for


def x11_idle(env: dict[str, str]) -> float:
    out = subprocess.run([sys.executable, "-m", "stretchd.desktop.x11"], env=env, capture_output=True,
                         text=True, timeout=10, check=True).stdout
    return float(json.loads(out)["idle"])


@pytest.mark.minute
def test_away_from_the_desk_it_is_held_and_input_shows_it_within_a_minute(
        tmp_path: Path, xdg: Path, desktop: Desktop, idle_display: str, daemons: list[Any],
        write_config: Any) -> None:
    require("xdotool")
    write_config(hold("away", extra="away_minutes = 1") + MORNING)
    env = {**desktop.env, "DISPLAY": idle_display}  # dunst stays on the desktop's own display
    wait_for(lambda: x11_idle(env) >= 61, 75, "a minute without input")
    # Today, 2 s before the reminder's time.
    due = datetime.now().replace(hour=7, minute=30, second=0, microsecond=0)
    d = start_daemon(tmp_path, env, daemons, faketime=f"{due - timedelta(seconds=2):%Y-%m-%d %H:%M:%S}")
    try:
        wait_for(lambda: events(columns="reminder, kind, detail")[:1] == [("morning", "held", "away from the desk")],
                 20, "held")
    except AssertionError as e:
        raise AssertionError(f"{e}; history {events(columns='reminder, kind, detail')}; "
                             f"daemon log:\n{d.err()}") from None
    desktop.sync()
    assert desktop.notifications() == []
    assert "morning: held since 07:30, away from the desk" in d.cli("status").stdout
    # Back at the desk, and using the mouse as one does (a single move and then a minute's
    # stillness would be "away" again by the time of the next check).
    back = time.time()
    here = threading.Event()

    def use_the_mouse() -> None:
        x = 10
        while not here.wait(2):
            x = 30 - x
            subprocess.run(["xdotool", "mousemove", str(x), str(x)], env=env, check=True)

    subprocess.run(["xdotool", "mousemove", "10", "10"], env=env, check=True)
    user = threading.Thread(target=use_the_mouse, daemon=True)
    user.start()
    try:
        n = desktop.wait_notify("Time to stretch", timeout=10 * 60)
    finally:
        here.set()
        user.join()
    assert n["time"] - back <= 60 + 5  # no signal from X11: the hold's next minute check (and its read)
    assert n["body"].endswith("shown now you are back")
