"""A stand-in for the system bus where logind's PrepareForSleep comes from, for the daemons
the tests and benchmarks start: give `address` to the daemon as DBUS_SYSTEM_BUS_ADDRESS."""

from __future__ import annotations

import shutil
import subprocess


def require(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise RuntimeError(f"not installed: {', '.join(missing)} (apt-get install them)")


class LogindBus:
    """A private dbus-daemon standing in for the system bus, where logind's PrepareForSleep
    comes from: give `address` to the daemon as DBUS_SYSTEM_BUS_ADDRESS."""

    def __init__(self) -> None:
        require("dbus-daemon", "dbus-send")
        # stderr dropped: unprivileged, it complains that it cannot raise its fd limit.
        self.proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout is not None
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            self.stop()
            raise RuntimeError("the stand-in system bus printed no address")

    def resume(self) -> None:
        """Send logind's PrepareForSleep(false): the machine has just woken up."""
        resume(self.address)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> LogindBus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def resume(address: str) -> None:
    """logind's PrepareForSleep(false) on the bus at `address`: the machine has just woken up."""
    import os

    from harness.clock import without_clock

    subprocess.run(["dbus-send", f"--bus={address}", "--type=signal", "/org/freedesktop/login1",
                    "org.freedesktop.login1.Manager.PrepareForSleep", "boolean:false"],
                   check=True, capture_output=True, timeout=10, env=without_clock(dict(os.environ)))
