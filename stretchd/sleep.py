"""Wake on resume: logind's PrepareForSleep(false) on the system bus, where there is one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RULE = ("type='signal',interface='org.freedesktop.login1.Manager',member='PrepareForSleep',"
        "path='/org/freedesktop/login1'")


async def watch_resume(on_resume: Callable[[], None],
                       log: Callable[[str, str], None]) -> Any | None:
    """Call on_resume after each resume; the returned bus must stay referenced. None: no bus."""
    try:
        from dbus_fast import BusType, Message, MessageType
        from dbus_fast.aio import MessageBus

        bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
        await bus.call(Message(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                               interface="org.freedesktop.DBus", member="AddMatch",
                               signature="s", body=[RULE]))
    except (FileNotFoundError, ConnectionRefusedError):  # many machines have no system bus
        log("info", "no system bus, so no resume signal from logind; checking the clock once a minute")
        return None
    except Exception as e:  # a bus that refuses us: the once-a-minute check covers it too
        log("info", f"no resume signal from logind ({type(e).__name__}: {e}); "
                    "checking the clock once a minute")
        return None

    def handler(message: Any) -> None:
        if (message.message_type == MessageType.SIGNAL and message.member == "PrepareForSleep"
                and message.body and message.body[0] is False):
            on_resume()

    bus.add_message_handler(handler)
    return bus
