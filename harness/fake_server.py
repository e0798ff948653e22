"""A small notification server on the session bus, for desktops the tests cannot run: it says
its name (`--name Plasma`, `--name gnome-shell`), has buttons, and KDE's `Inhibited`
property (do-not-disturb), which `SetInhibited` on the test interface changes, with the
PropertiesChanged signal KDE sends; `--no-actions` makes it a server without buttons;
`--hold-notify` answers each Notify only when `Release` on the test interface is called (a
server slower than the daemon's patience). Run: python -m harness.fake_server --name NAME."""

import argparse
import asyncio

from dbus_fast import PropertyAccess
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, dbus_property, method, signal


class Notifications(ServiceInterface):
    def __init__(self, name: str, inhibited: bool, actions: bool, hold: bool = False) -> None:
        super().__init__("org.freedesktop.Notifications")
        self.server_name = name
        self.inhibited = inhibited
        self.actions = actions
        self.next_id = 0
        self.released = asyncio.Event()
        if not hold:
            self.released.set()

    @method()
    def GetCapabilities(self) -> "as":
        return ["actions", "body", "body-markup"] if self.actions else ["body"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return [self.server_name, "test", "1.0", "1.2"]

    @method()
    async def Notify(self, app: "s", replaces: "u", icon: "s", summary: "s",
                     body: "s", actions: "as", hints: "a{sv}", timeout: "i") -> "u":
        self.next_id += 1
        nid = self.next_id
        await self.released.wait()
        return nid

    @method()
    def CloseNotification(self, nid: "u") -> None:
        self.NotificationClosed(nid, 3)

    @signal()
    def NotificationClosed(self, nid: int, reason: int) -> "uu":
        return [nid, reason]

    @signal()
    def ActionInvoked(self, nid: int, key: str) -> "us":
        return [nid, key]

    @signal()
    def ActivationToken(self, nid: int, token: str) -> "us":
        return [nid, token]

    @dbus_property(access=PropertyAccess.READ)
    def Inhibited(self) -> "b":
        return self.inhibited


class Control(ServiceInterface):
    def __init__(self, server: Notifications) -> None:
        super().__init__("org.stretchd.Test")
        self.server = server

    @method()
    def SetInhibited(self, on: "b") -> None:
        self.server.inhibited = on
        self.server.emit_properties_changed({"Inhibited": on})

    @method()
    def Release(self) -> None:
        """Answer the Notify calls held (--hold-notify), and those to come."""
        self.server.released.set()

    @method()
    def Press(self, key: "s", token: "s") -> None:
        """A click on the newest notification's button `key`, as a server of spec 1.3 sends
        it: ActivationToken first (if a token is given), then ActionInvoked."""
        if token:
            self.server.ActivationToken(self.server.next_id, token)
        self.server.ActionInvoked(self.server.next_id, key)


async def serve(name: str, inhibited: bool, actions: bool, hold: bool) -> None:
    bus = await MessageBus().connect()
    server = Notifications(name, inhibited, actions, hold)
    bus.export("/org/freedesktop/Notifications", server)
    bus.export("/org/freedesktop/Notifications", Control(server))
    await bus.request_name("org.freedesktop.Notifications")
    await bus.wait_for_disconnect()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--inhibited", action="store_true")
    parser.add_argument("--no-actions", action="store_true", help="no `actions` capability")
    parser.add_argument("--hold-notify", action="store_true", help="answer Notify at Release")
    args = parser.parse_args()
    asyncio.run(serve(args.name, args.inhibited, not args.no_actions, args.hold_notify))
