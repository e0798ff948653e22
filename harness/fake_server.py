"""A small notification server on the session bus, for desktops the tests cannot run: it says
its name (`--name Plasma`, `--name gnome-shell`), has buttons, and KDE's `Inhibited`
property (do-not-disturb), which `SetInhibited` on the test interface changes, with the
PropertiesChanged signal KDE sends. Run: python -m harness.fake_server --name NAME."""

import argparse
import asyncio

from dbus_fast import PropertyAccess
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, dbus_property, method, signal


class Notifications(ServiceInterface):
    def __init__(self, name: str, inhibited: bool) -> None:
        super().__init__("org.freedesktop.Notifications")
        self.server_name = name
        self.inhibited = inhibited
        self.next_id = 0

    @method()
    def GetCapabilities(self) -> "as":
        return ["actions", "body", "body-markup"]

    @method()
    def GetServerInformation(self) -> "ssss":
        return [self.server_name, "test", "1.0", "1.2"]

    @method()
    def Notify(self, app: "s", replaces: "u", icon: "s", summary: "s",
               body: "s", actions: "as", hints: "a{sv}", timeout: "i") -> "u":
        self.next_id += 1
        return self.next_id

    @method()
    def CloseNotification(self, nid: "u") -> None:
        self.NotificationClosed(nid, 3)

    @signal()
    def NotificationClosed(self, nid: int, reason: int) -> "uu":
        return [nid, reason]

    @signal()
    def ActionInvoked(self, nid: int, key: str) -> "us":
        return [nid, key]

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


async def serve(name: str, inhibited: bool) -> None:
    bus = await MessageBus().connect()
    server = Notifications(name, inhibited)
    bus.export("/org/freedesktop/Notifications", server)
    bus.export("/org/freedesktop/Notifications", Control(server))
    await bus.request_name("org.freedesktop.Notifications")
    await bus.wait_for_disconnect()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--inhibited", action="store_true")
    args = parser.parse_args()
    asyncio.run(serve(args.name, args.inhibited))
