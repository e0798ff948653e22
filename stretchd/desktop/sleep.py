"""Wake on resume: logind's PrepareForSleep(false) on the system bus, where there is one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stretchd.desktop.dbus import Bus

RULE = ("type='signal',interface='org.freedesktop.login1.Manager',member='PrepareForSleep',"
        "path='/org/freedesktop/login1'")


async def watch_resume(on_resume: Callable[[], None],
                       log: Callable[[str, str], None]) -> Bus | None:
    """Call on_resume after each resume; the returned bus must stay referenced. None: no bus."""

    def handler(message: Any) -> None:
        if (message.member == "PrepareForSleep" and message.interface == "org.freedesktop.login1.Manager"
                and message.body and message.body[0] is False):
            on_resume()

    bus = Bus(system=True)
    try:
        subscribed = await bus.subscribe([RULE], handler)
    except Exception as e:  # a bus that answers oddly: the once-a-minute check covers a resume
        log("info", f"no resume signal from logind ({type(e).__name__}: {e}); "
                    "checking the clock once a minute")
        return None
    if not subscribed:
        # Many machines have no system bus (containers, some window managers): the
        # once-a-minute check of the clock covers a resume there.
        log("info", "no system bus, so no resume signal from logind; checking the clock once a minute")
        return None
    return bus
