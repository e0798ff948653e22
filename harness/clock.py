"""The test run's own clock, for the programs it starts: CI moves the whole run's clock with
faketime to find tests that only pass on the day they were written."""

from __future__ import annotations

import functools
import os
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo


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


def libfaketime() -> str | None:
    """The preload library of Debian's faketime package, or None."""
    import glob

    found = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
    return found[0] if found else None


class SteppedClock:
    """A wall clock for the programs a test starts that moves only when the test moves it.

    Between steps it runs at the real pace; the monotonic clock is never faked. A step writes
    the new offset from the real clock to a file that libfaketime reads on every call
    (FAKETIME_TIMESTAMP_FILE with FAKETIME_NO_CACHE), then calls `wake`: for a daemon, logind's
    PrepareForSleep(false), the signal a machine sends when it wakes up, so that the daemon
    looks at its clock at once and re-arms, as it does after a real suspend. A test steps to
    a few seconds before what it waits for, and the rest passes in real time: no fake clock
    runs away from a test on a busy machine.

    It starts on this test run's clock (the real one, or the one CI moved the run to)."""

    def __init__(self, file: Path, zone: str, start: str | datetime | None = None,
                 wake: Callable[[], None] | None = None) -> None:
        self.file, self.zone, self.wake = file, zone, wake
        self.offset = clock_offset()
        self.set(start if start is not None else self.now(), wake=False)

    def env(self) -> dict[str, str]:
        """For a program on this clock (a FAKETIME inherited would win over the file: none)."""
        lib = libfaketime()
        if lib is None:
            raise FileNotFoundError("libfaketime is not installed (apt-get install faketime)")
        return {"LD_PRELOAD": lib, "DONT_FAKE_MONOTONIC": "1", "FAKETIME_NO_CACHE": "1",
                "FAKETIME_TIMESTAMP_FILE": str(self.file), "TZ": self.zone}

    def now(self) -> float:
        """The clock now, as a POSIX timestamp."""
        return time.time() - clock_offset() + self.offset

    def local(self) -> datetime:
        return datetime.fromtimestamp(self.now(), ZoneInfo(self.zone))

    def set(self, moment: str | datetime | float, before: float = 0.0, wake: bool = True) -> None:
        """Move the clock to `before` seconds ahead of `moment` (a local "YYYY-MM-DD HH:MM:SS"
        in the clock's zone, an aware datetime, or a timestamp); then wake the program."""
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(self.zone))
        target = (moment.timestamp() if isinstance(moment, datetime) else moment) - before
        self.offset = target - (time.time() - clock_offset())
        self._write()
        if wake and self.wake is not None:
            self.wake()

    def jump(self, seconds: float, wake: bool = False) -> None:
        """Move the clock by `seconds` (a suspend's jump; the program is not woken unless asked)."""
        self.set(self.now() + seconds, wake=wake)

    def step_to_next(self, status_json: str, before: float = 3.0) -> None:
        """Step to `before` seconds ahead of the first reminder in `stretchd status --json` (its
        "next": a snoozed one at its snooze's end), unless that is no later than now."""
        import json

        at = min(datetime.fromisoformat(n["at"]).timestamp() for n in json.loads(status_json)["next"])
        if at - before > self.now():
            self.set(at, before=before)

    def _write(self) -> None:
        # Atomically: a program reads this file on every clock call, and a half-written one
        # would be read as no offset at all.
        new = self.file.with_name(self.file.name + ".new")
        new.write_text(f"{self.offset:+.6f}\n")
        new.chmod(0o644)
        os.replace(new, self.file)
