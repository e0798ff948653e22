"""The test run's own clock, for the programs it starts: CI moves the whole run's clock with
faketime to find tests that only pass on the day they were written."""

from __future__ import annotations

import functools
import os
import subprocess
import time


@functools.cache
def clock_offset() -> float:
    """How far this process's wall clock is ahead of the real one: 0, unless the test run
    itself is under faketime (CI runs the date-sensitive tests again with the clock moved).

    Programs that stamp with the real clock (dbus-monitor) and clocks we set up for a
    daemon are put on this process's clock with it."""
    if "faketime" not in os.environ.get("LD_PRELOAD", ""):
        return 0.0
    plain = without_clock(dict(os.environ))
    before = time.time()
    real = float(subprocess.run(["date", "+%s.%N"], env=plain, capture_output=True, text=True,
                                check=True, timeout=10).stdout)
    return (before + time.time()) / 2 - real


def outer_clock_env() -> dict[str, str]:
    """The faketime settings this test run itself is under (none, usually), for the programs
    it starts: when CI moves the run's clock, it moves theirs too, as a machine's would."""
    if "faketime" not in os.environ.get("LD_PRELOAD", ""):
        return {}
    return {k: v for k, v in os.environ.items() if k.startswith(("LD_PRELOAD", "FAKETIME"))}


def without_clock(env: dict[str, str]) -> dict[str, str]:
    """env with no faketime settings, for a process given a clock of its own (an inherited
    FAKETIME would win over it, and FAKETIME_SHARED would run its speed-up from the start
    of the whole test run)."""
    return {k: v for k, v in env.items() if not k.startswith(("LD_PRELOAD", "FAKETIME"))}
