"""The one D-Bus layer: a connection made when first needed and made again at the next use
after the bus went, calls that say None (or raise one error type), and signal subscriptions
carried over to the new connection.

Serves the notifications (notify.py), logind's resume signal (sleep.py) and the hold sources
(busy.py). dbus-fast is imported only when a connection is made.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Callable
from typing import Any

TIMEOUT = 2.0  # seconds for a connection or a call to answer
RETRY = 30.0  # seconds before a bus that did not answer in time is tried again
DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
# The notification server: its name, object and interface (the spec's).
NOTIFICATIONS = ("org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                 "org.freedesktop.Notifications")

OnMessage = Callable[[Any], None]  # a dbus_fast Message


class CallError(Exception):
    """A call was answered with a D-Bus error, or not at all; the message says which."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(f"{name}: {text}" if text else name)
        self.name = name  # "org.freedesktop.DBus.Error.ServiceUnknown", or the Python error's


class Bus:
    """The session or the system bus. Connected when first used; when the connection is lost
    (the bus restarted), the next use connects again and subscribes again. A bus that cannot
    be reached is tried again at the next use, and `failed` says why it was not there."""

    def __init__(self, system: bool = False, timeout: float | None = None) -> None:
        self.system = system
        self.timeout = TIMEOUT if timeout is None else timeout  # read now: the soak scales it
        self._bus: Any = None
        self.failed = ""
        self._connecting: asyncio.Lock | None = None
        self._retry_at = 0.0  # monotonic time: a bus that hung is not tried before it
        self._handlers: list[OnMessage] = []
        self._late: set[asyncio.Future[Any]] = set()  # calls answered too late, still listened for
        self._rules: list[str] = []

    @property
    def kind(self) -> str:
        return "system" if self.system else "session"

    async def connect(self) -> Any:
        """The connection, or None if there is no bus (`failed` says why)."""
        async with self._lock():  # callers asking together share one connection
            return await self._connected()

    def _lock(self) -> asyncio.Lock:
        self._connecting = self._connecting or asyncio.Lock()
        return self._connecting

    async def _connected(self) -> Any:
        """With the lock held: the live connection, made now if there is none (a bus that hung
        is tried again only RETRY seconds later; one that refused, at once)."""
        if self._bus is not None and not self._bus.connected:
            self._bus = None  # lost: the bus went away
        if self._bus is None and time.monotonic() >= self._retry_at:
            await self._connect()
        return self._bus

    async def _connect(self) -> None:
        from dbus_fast import BusType, Message, MessageType
        from dbus_fast.aio import MessageBus

        bus = None
        try:
            kind = BusType.SYSTEM if self.system else BusType.SESSION
            bus = await asyncio.wait_for(MessageBus(bus_type=kind).connect(), self.timeout)
            for handler in self._handlers:
                bus.add_message_handler(handler)
            for rule in self._rules:
                reply = await asyncio.wait_for(bus.call(Message(
                    destination=DBUS[0], path=DBUS[1], interface=DBUS[2], member="AddMatch",
                    signature="s", body=[rule])), self.timeout)
                if reply is None or reply.message_type == MessageType.ERROR:
                    raise ConnectionError(f"the bus refused the match rule {rule!r}")
        except Exception as e:  # no bus, no address, refused, no answer
            self.failed = f"no {self.kind} bus ({type(e).__name__})"
            if isinstance(e, TimeoutError):  # a bus that hangs is not waited for at every use
                self._retry_at = time.monotonic() + RETRY
            if bus is not None:
                with contextlib.suppress(Exception):
                    bus.disconnect()
            return
        self.failed = ""
        self._bus = bus

    async def request(self, dest: str, path: str, iface: str, member: str, sig: str = "",
                      body: list[Any] | None = None,
                      late: Callable[[list[Any]], None] | None = None) -> list[Any]:
        """Call a method; its reply's values. Raise CallError with the bus's own words. With
        `late`, a call not answered in time is still listened for: its reply's values, if one
        comes, go to late (the call did its work, which the caller may want to undo)."""
        bus = await self.connect()
        if bus is None:
            raise CallError("NoBus", self.failed)
        from dbus_fast import Message, MessageType

        call = asyncio.ensure_future(bus.call(Message(
            destination=dest, path=path, interface=iface, member=member, signature=sig,
            body=body or [])))
        try:
            reply = await asyncio.wait_for(asyncio.shield(call), self.timeout)
        except BaseException as e:  # the connection broke, no answer in time, or cancelled
            if isinstance(e, TimeoutError) and late is not None:
                self._late.add(call)
                call.add_done_callback(functools.partial(self._answered_late, late))
            else:
                call.cancel()
            if not isinstance(e, Exception):
                raise
            if not isinstance(e, TimeoutError) and self._bus is bus:  # broken: connect again
                self._bus = None
                with contextlib.suppress(Exception):
                    bus.disconnect()
            raise CallError(type(e).__name__, str(e)) from e
        if reply is None:
            raise CallError("NoReply", "")
        if reply.message_type == MessageType.ERROR:
            raise CallError(str(reply.error_name), str(reply.body[0]) if reply.body else "")
        return list(reply.body)

    def _answered_late(self, late: Callable[[list[Any]], None], call: asyncio.Future[Any]) -> None:
        from dbus_fast import MessageType

        self._late.discard(call)
        if call.cancelled() or call.exception() is not None:
            return
        reply = call.result()
        if reply is not None and reply.message_type == MessageType.METHOD_RETURN:
            late(list(reply.body))

    async def call(self, dest: str, path: str, iface: str, member: str, sig: str = "",
                   body: list[Any] | None = None) -> list[Any] | None:
        """Call a method; its reply's values, or None on any error."""
        try:
            return await self.request(dest, path, iface, member, sig, body)
        except CallError:
            return None

    async def prop(self, dest: str, path: str, iface: str, name: str) -> Any:
        got = await self.call(dest, path, "org.freedesktop.DBus.Properties", "Get", "ss", [iface, name])
        return None if not got else getattr(got[0], "value", got[0])

    async def owner(self, name: str) -> str | None:
        """The unique name that owns a well-known name now; None if nobody does."""
        got = await self.call(*DBUS, "GetNameOwner", "s", [name])
        return str(got[0]) if got else None

    async def subscribe(self, rules: list[str], handler: OnMessage) -> bool:
        """Give each message matching one of the D-Bus match rules to handler, on this
        connection and on the one made when the next use finds the bus gone; False if there
        is no bus now."""
        async with self._lock():  # not while a connection is being made without it
            self._handlers.append(handler)
            self._rules += rules
            live = self._bus is not None and self._bus.connected
            if not live:
                return await self._connected() is not None  # a new connection takes them all
            self._bus.add_message_handler(handler)
        for rule in rules:
            await self.call(*DBUS, "AddMatch", "s", [rule])
        return True

    async def watch(self, rules: list[str], on_signal: Callable[[], None]) -> bool:
        """Call on_signal for each signal matching one of the rules (not the bus's own)."""
        from dbus_fast import MessageType

        def handler(message: Any) -> None:
            if message.message_type == MessageType.SIGNAL and message.sender != DBUS[0]:
                on_signal()

        return await self.subscribe(rules, handler)

    def close(self) -> None:
        if self._bus is not None:
            self._bus.disconnect()
            self._bus = None
