"""GNOME Shell's notification banner, read and clicked through the shell's own JavaScript
(`org.gnome.Shell.Eval`, which answers only under `--unsafe-mode`), for the headless shell of
tests/e2e/test_gnome.py. A click is the banner's own widget emitting `clicked`, as a pointer
would make it: the button's handler, the body's (the default action) or the close button's.
These reach into GNOME Shell 43's private fields (`Main.messageTray._banner`), which a later
GNOME may rename: then `banner` prints null and `click` "no banner", and the test waiting for
the banner fails with the daemon's and the shell's output.

    python -m harness.gnome banner                 # JSON: title, body, buttons, urgency; or null
    python -m harness.gnome click LABEL|--body|--close
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus

BANNER = """(() => {
  const b = Main.messageTray._banner;
  if (!b) return null;
  const n = b.notification;
  return {title: n.title, body: n.bannerBodyText, urgency: n.urgency,
          buttons: b._buttonBox ? b._buttonBox.get_children().map(c => c.label) : []};
})()"""


def click_js(label: str | None, part: str) -> str:
    if part == "button":
        target = f"b._buttonBox.get_children().find(c => c.label === {json.dumps(label)})"
    else:
        target = "b._closeButton" if part == "close" else "b"
    return f"""(() => {{
  const b = Main.messageTray._banner;
  if (!b) return "no banner";
  const target = {target};
  if (!target) return "no such button";
  target.emit("clicked", 1);
  return "clicked";
}})()"""


async def evaluate(js: str) -> Any:
    bus = await MessageBus(bus_type=BusType.SESSION).connect()
    try:
        reply = await asyncio.wait_for(bus.call(Message(
            destination="org.gnome.Shell", path="/org/gnome/Shell", interface="org.gnome.Shell",
            member="Eval", signature="s", body=[js])), 10)
    finally:
        bus.disconnect()
    assert reply is not None
    if reply.message_type == MessageType.ERROR:
        raise RuntimeError(f"Eval: {reply.error_name} {reply.body}")
    ok, result = reply.body
    if not ok:
        raise RuntimeError(f"Eval failed (is the shell run with --unsafe-mode?): {result}")
    return json.loads(result) if result else None


def main(argv: list[str]) -> int:
    try:
        if argv == ["banner"]:
            print(json.dumps(asyncio.run(evaluate(BANNER))))
            return 0
        if len(argv) == 2 and argv[0] == "click":
            part = {"--body": "body", "--close": "close"}.get(argv[1], "button")
            said = asyncio.run(evaluate(click_js(argv[1], part)))
            print(said)
            return 0 if said == "clicked" else 1
    except (RuntimeError, OSError, TimeoutError, ValueError) as e:
        print(f"gnome: {e}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
