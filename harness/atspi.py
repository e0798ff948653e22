"""Press a notification's button as a screen reader would: through AT-SPI, the accessibility
interface every GTK server offers on the session's accessibility bus. For servers that have
no command to press a button (xfce4-notifyd; swaync 0.7.3, Debian 12's), and with no
pointer, whose place on the screen would have to be guessed.

    python -m harness.atspi press LABEL [--app NAME] [--timeout S]   # exit 0 once pressed
    python -m harness.atspi buttons [--app NAME]                     # their labels, as JSON
    python -m harness.atspi tree                                     # what the bus shows

The session needs the accessibility bus (`at-spi-bus-launcher --launch-immediately`, from
at-spi2-core) before the server starts, and the server no NO_AT_BRIDGE in its environment.
dbus-fast at the message level: no introspection, nothing beyond the project's packages."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus

ACCESSIBLE = "org.a11y.atspi.Accessible"
ROOT = ("org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root")


async def _call(bus: MessageBus, dest: str, path: str, interface: str, member: str,
                signature: str = "", body: list[Any] | None = None) -> list[Any]:
    reply = await asyncio.wait_for(bus.call(Message(
        destination=dest, path=path, interface=interface, member=member,
        signature=signature, body=body or [])), 5)
    assert reply is not None
    if reply.message_type == MessageType.ERROR:
        raise RuntimeError(f"{member} on {dest}{path}: {reply.error_name} {reply.body}")
    return list(reply.body)


async def connect() -> MessageBus:
    session = await MessageBus(bus_type=BusType.SESSION).connect()
    try:
        [address] = await _call(session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress")
    finally:
        session.disconnect()
    return await MessageBus(bus_address=address).connect()


async def _describe(bus: MessageBus, dest: str, path: str) -> tuple[str, str]:
    [role] = await _call(bus, dest, path, ACCESSIBLE, "GetRoleName")
    [name] = await _call(bus, dest, path, "org.freedesktop.DBus.Properties", "Get", "ss",
                         [ACCESSIBLE, "Name"])
    return role, name.value


async def walk(bus: MessageBus, dest: str = ROOT[0], path: str = ROOT[1], depth: int = 0,
               app: str = "") -> AsyncIterator[tuple[int, str, str, str, str, str]]:
    """(depth, role, name, application, dest, path) of every object, depth first."""
    role, name = await _describe(bus, dest, path)
    if role == "application":
        app = name
    yield depth, role, name, app, dest, path
    if depth >= 16:
        return
    [children] = await _call(bus, dest, path, ACCESSIBLE, "GetChildren")
    for child_dest, child_path in children:
        try:
            async for found in walk(bus, child_dest, child_path, depth + 1, app):
                yield found
        except (RuntimeError, TimeoutError):  # an application gone, or a window just closed
            continue


async def press(label: str, app: str | None, timeout: float) -> str:
    bus = await connect()
    deadline = time.monotonic() + timeout
    try:
        while True:
            seen = []
            async for _, role, name, application, dest, path in walk(bus):
                if role == "push button":
                    seen.append(f"{application}: {name}")
                    if name == label and (app is None or application == app):
                        [done] = await _call(bus, dest, path, "org.a11y.atspi.Action", "DoAction",
                                             "i", [0])
                        if not done:
                            raise RuntimeError(f"{label!r} did not take the press")
                        return f"pressed {label!r} in {application}"
            if time.monotonic() > deadline:
                raise RuntimeError(f"no button {label!r} in {timeout:g} s; buttons: {seen}")
            await asyncio.sleep(0.2)
    finally:
        bus.disconnect()


async def buttons(app: str | None) -> list[str]:
    bus = await connect()
    try:
        return [name async for _, role, name, application, *_ in walk(bus)
                if role == "push button" and (app is None or application == app)]
    finally:
        bus.disconnect()


async def tree() -> str:
    bus = await connect()
    try:
        return "\n".join([f"{'  ' * depth}{role} {name!r}"
                          async for depth, role, name, *_ in walk(bus)])
    finally:
        bus.disconnect()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.atspi")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("press")
    p.add_argument("label")
    p.add_argument("--app")
    p.add_argument("--timeout", type=float, default=10.0)
    b = sub.add_parser("buttons")
    b.add_argument("--app")
    sub.add_parser("tree")
    args = parser.parse_args(argv)
    try:
        if args.command == "press":
            print(asyncio.run(press(args.label, args.app, args.timeout)))
        elif args.command == "buttons":
            print(json.dumps(asyncio.run(buttons(args.app))))
        else:
            print(asyncio.run(tree()))
    except (RuntimeError, OSError, TimeoutError, ValueError) as e:
        print(f"atspi: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
