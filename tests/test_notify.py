"""Where a reminder shows: the desktop while a notification server answers, else the console,
said once each way."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from pathlib import Path

import pytest

from stretchd.desktop.notify import Action, ConsoleNotifier, FallbackNotifier, Notice, NotifyError

NOTICE = Notice("Time to stretch", "Morning: Shotgun (40 s)", ((Action.START, "Start"),),
                command="stretchd walk shotgun")


class Desktop:
    def __init__(self) -> None:
        self.up = False
        self.closed: list[str] = []
        self.error = "no notification server on the session bus"

    @property
    def on_desktop(self) -> bool | None:
        return self.up

    @property
    def why_console(self) -> str:
        return "" if self.up else "no notification server"

    def ticket(self, handle: str) -> str | None:
        return None

    async def close_ticket(self, ticket: str) -> None:
        return None

    async def show(self, notice: Notice, on_action: object) -> str:
        if not self.up:
            raise NotifyError(self.error)
        return "d1"

    async def close(self, handle: str) -> None:
        self.closed.append(handle)

    async def alive(self, handle: str) -> bool:
        raise RuntimeError("the bus is gone")


BUS = {"DBUS_SESSION_BUS_ADDRESS": "unix:abstract=/tmp/dbus-test"}  # a bus that may be there


def setup(environ: dict[str, str] = BUS,
          ) -> tuple[Desktop, io.StringIO, list[tuple[str, str]], FallbackNotifier]:
    desktop, out, lines = Desktop(), io.StringIO(), []
    console = ConsoleNotifier(out, now=lambda: datetime(2026, 11, 24, 7, 30))
    return desktop, out, lines, FallbackNotifier(desktop, console, lambda lv, m: lines.append((lv, m)),
                                                 environ)


@pytest.mark.parametrize("environ", [
    {}, {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}, {"XDG_RUNTIME_DIR": "/nonexistent"}])
def test_with_no_session_bus_it_knows_at_start_that_reminders_go_to_the_console(
        environ: dict[str, str]) -> None:
    desktop, _, lines, notifier = setup(environ)
    assert (notifier.on_desktop, notifier.why_console) == (False, "no D-Bus session bus")
    desktop.error = "no D-Bus session bus"  # as the real one says then
    asyncio.run(notifier.show(NOTICE, lambda a: None))
    assert [m for _, m in lines] == [  # said once, at start
        "desktop notifications unavailable (no D-Bus session bus); reminding on the console until "
        "a notification server answers"]


def test_a_session_bus_that_may_be_there_is_asked_first(tmp_path: Path) -> None:
    (tmp_path / "bus").touch()
    for environ in (BUS, {"XDG_RUNTIME_DIR": str(tmp_path)},
                    {"DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'bus'}"}):
        assert setup(environ)[3].on_desktop is None


def test_with_no_server_it_reminds_on_the_console_with_a_bell_and_the_command() -> None:
    desktop, out, _, notifier = setup()
    handle = asyncio.run(notifier.show(NOTICE, lambda a: None))
    assert out.getvalue() == "\a07:30 Time to stretch: Morning: Shotgun (40 s)  (stretchd walk shotgun)\n"
    assert notifier.on_desktop is False and handle.startswith("console:")
    asyncio.run(notifier.close(handle))
    assert desktop.closed == []  # nothing to close on the console


def test_it_says_once_that_the_desktop_is_unavailable_and_once_that_it_is_back() -> None:
    desktop, _, lines, notifier = setup()

    async def go() -> str:
        await notifier.show(NOTICE, lambda a: None)
        await notifier.show(NOTICE, lambda a: None)
        desktop.up = True
        return await notifier.show(NOTICE, lambda a: None)

    assert asyncio.run(go()) == "d1"
    assert [m.split(" (")[0] for _, m in lines] == ["desktop notifications unavailable",
                                                   "desktop notifications are back"]
    assert notifier.on_desktop is True


def test_when_it_cannot_tell_whether_a_notice_still_shows_it_assumes_it_does() -> None:
    _, _, _, notifier = setup()
    assert asyncio.run(notifier.alive("d1")) is True  # rather than show it twice
    assert asyncio.run(notifier.alive("console:console-1")) is True
