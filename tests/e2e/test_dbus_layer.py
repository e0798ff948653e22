"""The one D-Bus layer on a real dbus-daemon: calls, subscriptions, and a bus that goes away
and comes back (a session restarted under a running daemon)."""

from __future__ import annotations

import asyncio
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.kit import require
from stretchd.daemon.ports import Action, Notice, NotifyError
from stretchd.desktop.dbus import NOTIFICATIONS, Bus, CallError
from stretchd.desktop.notify import DesktopNotifier

RULE = "type='signal',interface='org.example.Test',member='Ping'"
CLOSED = "type='signal',interface='org.freedesktop.Notifications',member='NotificationClosed'"
ROOT = Path(__file__).resolve().parents[2]


class DBusDaemon:
    """A private bus at a fixed socket path, stopped and started again at will."""

    def __init__(self, folder: Path) -> None:
        self.socket = folder / "bus"
        self.address = f"unix:path={self.socket}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.socket.unlink(missing_ok=True)
        self.proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                                      f"--address={self.address}", "--print-address"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        # Its address is printed once it listens (the socket file exists a moment before: a
        # client then is refused, which a busy machine made a failure once).
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        assert ready and self.proc.stdout.readline(), "the bus did not start within 10 s"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait()
            self.proc = None

    def ping(self) -> None:
        subprocess.run(["dbus-send", f"--bus={self.address}", "--type=signal", "/",
                        "org.example.Test.Ping"], check=True)


@pytest.fixture
def bus_daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DBusDaemon]:
    require("dbus-daemon", "dbus-send")
    d = DBusDaemon(tmp_path)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", d.address)
    d.start()
    yield d
    d.stop()


def test_a_subscription_outlives_the_bus_going_away_and_coming_back(bus_daemon: DBusDaemon) -> None:
    got: list[Any] = []

    async def go() -> None:
        bus = Bus()
        assert await bus.subscribe([RULE], lambda m: got.append(m.member) if m.member == "Ping" else None)
        assert await bus.owner("org.freedesktop.DBus") == "org.freedesktop.DBus"
        await asyncio.to_thread(bus_daemon.ping)
        await wait_async(lambda: got == ["Ping"], "the first signal")

        bus_daemon.stop()
        with pytest.raises(CallError):  # gone: said as one error, not a traceback
            await bus.request("org.freedesktop.DBus", "/org/freedesktop/DBus",
                              "org.freedesktop.DBus", "GetId")
        assert await bus.owner("org.freedesktop.DBus") is None
        bus_daemon.start()
        # The next use connects again and subscribes again.
        assert await bus.owner("org.freedesktop.DBus") == "org.freedesktop.DBus"
        await asyncio.to_thread(bus_daemon.ping)
        await wait_async(lambda: got == ["Ping", "Ping"], "the signal after the bus came back")
        bus.close()

    asyncio.run(go())


def test_no_bus_is_said_in_a_few_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'none'}")

    async def go() -> None:
        bus = Bus()
        assert await bus.call("org.freedesktop.DBus", "/", "org.freedesktop.DBus", "GetId") is None
        assert bus.failed.startswith("no session bus (")

    asyncio.run(go())


async def wait_async(predicate: Any, what: str, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def test_a_notification_answered_after_the_daemons_patience_is_closed_not_left_with_dead_buttons(
        bus_daemon: DBusDaemon) -> None:
    """A server slower than the daemon's patience shows the notification when it answers at
    last; the reminder went to the console meanwhile and nobody listens to those buttons."""
    server = subprocess.Popen([sys.executable, "-m", "harness.fake_server", "--name", "slow",
                               "--hold-notify"], env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    closed: list[list[Any]] = []

    async def go() -> None:
        watcher = Bus()
        assert await watcher.subscribe(
            [CLOSED], lambda m: closed.append(list(m.body)) if m.member == "NotificationClosed" else None)
        for _ in range(500):  # the server's name on the bus: it has started
            if await watcher.owner(NOTIFICATIONS[0]) is not None:
                break
            await asyncio.sleep(0.02)
        notifier = DesktopNotifier(bus=Bus(timeout=3.0))  # the server holds Notify until released
        notice = Notice("Time to stretch", "Morning stretch: Shotgun (SI joints), 40 s",
                        ((Action.START, "Start"), (Action.SKIP, "Skip")))
        with pytest.raises(NotifyError, match="TimeoutError"):
            await notifier.show(notice, lambda action: None)
        assert closed == []
        await watcher.request(*NOTIFICATIONS[:2], "org.stretchd.Test", "Release")
        await wait_async(lambda: closed != [], "the late notification to be closed")
        assert closed == [[1, 3]]  # notification 1, closed by a CloseNotification call

    try:
        asyncio.run(go())
    finally:
        server.terminate()
        server.wait(5)
