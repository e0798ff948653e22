"""Reminder notifications: on the desktop with buttons, or on the console when there is none."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import IO, Any, Protocol

from stretchd import paths
from stretchd.text import clean, escape_markup


class Action(StrEnum):
    """An answer to a notification: a button (its identifier on the bus), or what the
    person did to the notification itself."""

    START = "start"
    SNOOZE = "snooze"
    SKIP = "skip"
    CLICKED = "clicked"  # the body
    DISMISSED = "dismissed"  # closed without a button


OnAction = Callable[[Action], None]
Log = Callable[[str, str], None]  # (level, message)


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    buttons: tuple[tuple[Action, str], ...]  # (action, label)
    command: str = ""  # what to type to act on it without a desktop
    critical: bool = False  # urgency "critical" (config defaults.urgency)


class NotifyError(Exception):
    """The notification could not be shown; the message says why in one line."""


class Notifier(Protocol):
    """Where reminders show: the desktop, the console, or the desktop falling back to it."""

    @property
    def on_desktop(self) -> bool | None:
        """Whether the last notice went to the desktop (None: none shown yet)."""

    @property
    def why_console(self) -> str:
        """Why notices go to the console, in a few words ("" on the desktop)."""

    async def show(self, notice: Notice, on_action: OnAction) -> str:
        """Show the notice; return a handle for close(). Raise NotifyError if it can't."""

    async def close(self, handle: str) -> None:
        """Take the notice away (a no-op if it is gone already)."""

    async def alive(self, handle: str) -> bool:
        """Whether the notice can still be on screen (False: its server went away)."""

    def activation_token(self, handle: str) -> str | None:
        """The token the server sent with the last button press on the notice (notification
        spec 1.3), for the window that press opens to be focused (Wayland's xdg-activation)."""


class DesktopNotifier:
    """org.freedesktop.Notifications through desktop-notifier, buttons and all."""

    def __init__(self, app_name: str = "stretchd") -> None:
        self.app_name = app_name
        self._notifier: object | None = None
        self._failure = ""
        self._server_ids: dict[str, int] = {}
        self._owners: dict[str, str | None] = {}  # which server showed each notification
        self._tokens: dict[int, str] = {}  # server id -> the ActivationToken sent before an action
        self.on_desktop: bool | None = None
        self.why_console = ""
        # desktop-notifier logs a failed send as a warning with a traceback and carries on;
        # we keep its reason and report it ourselves, in one line.
        lib_log = logging.getLogger("desktop_notifier")
        lib_log.propagate = False
        lib_log.handlers = [_Capture(self)]

    def _lib(self) -> object:
        if self._notifier is None:
            from desktop_notifier import DesktopNotifier as Lib

            self._notifier = Lib(app_name=self.app_name, app_icon=None)
            _name_the_desktop_entry(self._notifier, self.app_name, self._tokens)
        return self._notifier

    def activation_token(self, handle: str) -> str | None:
        server_id = self._server_ids.get(handle)
        return None if server_id is None else self._tokens.get(server_id)

    async def show(self, notice: Notice, on_action: OnAction) -> str:
        from desktop_notifier import Button, Icon, Notification, Urgency

        lib = self._lib()
        body = notice.body
        if notice.buttons and notice.command and not await self._has_buttons(lib):
            body += f"\nThis desktop shows no buttons; in a terminal: {notice.command}"
        sent: list[bool] = []
        buttons = tuple(
            Button(title=label, identifier=action.value,
                   on_pressed=(lambda a=action: on_action(a)))  # type: ignore[misc]
            for action, label in notice.buttons
        )
        note = Notification(
            title=clean(notice.title, keep_newlines=False),
            # Servers read the body as markup; desktop-notifier does not escape it.
            message=escape_markup(clean(body)),
            buttons=buttons,
            on_clicked=lambda: on_action(Action.CLICKED),
            on_dismissed=lambda: on_action(Action.DISMISSED),
            on_dispatched=lambda: sent.append(True),
            timeout=0,  # never expires by itself
            urgency=Urgency.Critical if notice.critical else Urgency.Normal,
            # The icon `service install` put in place, by path: no icon cache to wait for.
            icon=Icon(path=icon) if (icon := paths.icon_file()).exists() else None,
        )
        self._failure = ""
        await lib.send_notification(note)  # type: ignore[attr-defined]
        if not sent:
            # A broken connection stays broken: start afresh next time.
            self._notifier = None
            raise NotifyError(self._failure or "the notification server did not accept it")
        ids = self._ids()
        if ids is not None and note.identifier in ids.inverse:
            self._server_ids[note.identifier] = ids.inverse[note.identifier]
        self._owners[note.identifier] = await self._server()
        self.on_desktop = True
        return str(note.identifier)

    @staticmethod
    async def _has_buttons(lib: Any) -> bool:
        """Whether the server shows buttons (its `actions` capability); yes if it cannot say."""
        from desktop_notifier import Capability

        try:
            return Capability.BUTTONS in await lib.get_capabilities()
        except Exception:  # no server: sending fails next, and says why
            return True

    async def _server(self) -> str | None:
        """The bus name of the notification server now (None: none, or not known)."""
        bus = getattr(getattr(self._notifier, "_backend", None), "bus", None)
        if bus is None or not getattr(bus, "connected", False):
            return None
        from dbus_fast import Message, MessageType

        try:
            reply = await bus.call(Message(
                destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus", member="GetNameOwner", signature="s",
                body=["org.freedesktop.Notifications"]))
        except Exception:  # the bus itself is gone
            return None
        return None if reply.message_type == MessageType.ERROR else str(reply.body[0])

    async def alive(self, handle: str) -> bool:
        """Whether the server that showed this notification still runs (so it still shows)."""
        owner = self._owners.get(handle)
        return owner is None or await self._server() == owner

    def _ids(self) -> Any:
        # desktop-notifier forgets a notification's server id once a button is pressed, so
        # its clear() cannot close it then, and dunst leaves such a notification open. We
        # keep the id and hand it back before clearing. (Linux D-Bus backend only.)
        backend = getattr(self._notifier, "_backend", None)
        return getattr(backend, "_platform_to_interface_notification_identifier", None)

    async def close(self, handle: str) -> None:
        if self._notifier is None:
            return
        self._owners.pop(handle, None)
        server_id = self._server_ids.pop(handle, None)
        ids = self._ids()
        if ids is not None and server_id is not None and handle not in ids.inverse:
            ids[server_id] = handle
        await self._notifier.clear(handle)  # type: ignore[attr-defined]


DEFAULT_LABEL = "Start"


def _name_the_desktop_entry(lib: object, name: str, tokens: dict[int, str]) -> None:
    """Add the `desktop-entry` hint to every Notify call: desktops attribute the notification
    to stretchd.desktop and list it in their notification settings. And keep the
    ActivationToken signal a server sends just before ActionInvoked, in `tokens`.
    desktop-notifier 6 does neither, so once its D-Bus interface exists, its Notify is
    wrapped and its connection is given a handler and a match rule for that signal."""
    backend = getattr(lib, "_backend", None)
    init = getattr(backend, "_init_dbus", None)
    if init is None:
        return

    async def init_with_hint() -> Any:
        interface = await init()
        notify = interface.call_notify
        await _keep_activation_tokens(getattr(backend, "bus", None), tokens)

        async def call_notify(app: str, replaces: int, icon: str, summary: str, body: str,
                              actions: list[str], hints: dict[str, Any], timeout: int) -> Any:
            from dbus_fast import Variant

            if hints:  # a{sv} or, for old servers, a{ss}: as desktop-notifier chose
                sv = any(isinstance(v, Variant) for v in hints.values())
                hints = {**hints, "desktop-entry": Variant("s", name) if sv else name}
            # The body's click (the "default" action) is Start: servers that list the actions
            # in a menu (dunst) show its label, blank as desktop-notifier leaves it.
            actions = [DEFAULT_LABEL if i % 2 and actions[i - 1] == "default" and not label else label
                       for i, label in enumerate(actions)]
            return await notify(app, replaces, icon, summary, body, actions, hints, timeout)

        interface.call_notify = call_notify
        return interface

    backend._init_dbus = init_with_hint  # type: ignore[union-attr]


async def _keep_activation_tokens(bus: Any, tokens: dict[int, str]) -> None:
    if bus is None:
        return
    from dbus_fast import Message, MessageType

    def handler(message: Any) -> None:
        if (message.message_type == MessageType.SIGNAL and message.member == "ActivationToken"
                and message.interface == "org.freedesktop.Notifications" and message.signature == "us"):
            tokens[int(message.body[0])] = str(message.body[1])
            if len(tokens) > 20:  # only the latest press matters
                tokens.pop(min(tokens))

    bus.add_message_handler(handler)
    await bus.call(Message(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                           interface="org.freedesktop.DBus", member="AddMatch", signature="s",
                           body=["type='signal',interface='org.freedesktop.Notifications',"
                                 "member='ActivationToken'"]))


class _Capture(logging.Handler):
    def __init__(self, owner: DesktopNotifier) -> None:
        super().__init__(logging.WARNING)
        self.owner = owner

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        self.owner._failure = _reason(exc) if exc else record.getMessage()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    name = type(exc).__name__
    if "ServiceUnknown" in text or "was not provided by any .service files" in text:
        return "no notification server on the session bus"
    if isinstance(exc, FileNotFoundError | ConnectionRefusedError) or "DBUS_SESSION_BUS" in text:
        return "no D-Bus session bus"  # normal without a desktop: no errno to alarm anyone
    return f"{name}: {text}"


class ConsoleNotifier:
    """A line and a bell on the daemon's own terminal or log."""

    def __init__(self, stream: IO[str] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now().astimezone()) -> None:
        self.stream = stream
        self.now = now
        self.count = 0
        self.on_desktop: bool | None = False
        self.why_console = "no desktop notifications asked for"

    async def show(self, notice: Notice, on_action: OnAction) -> str:
        stream = self.stream or sys.stdout
        line = clean(f"{notice.title}: {notice.body}", keep_newlines=False)
        hint = f"  ({notice.command})" if notice.command else ""
        stream.write(f"\a{self.now():%H:%M} {line}{hint}\n")
        stream.flush()
        self.count += 1
        return f"console-{self.count}"

    async def close(self, handle: str) -> None:
        return None

    async def alive(self, handle: str) -> bool:
        return True  # a line on the console stays where it is

    def activation_token(self, handle: str) -> str | None:
        return None


def has_session_bus(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a D-Bus session bus could be there: its address is set (and names no socket
    file that is missing), or systemd's socket for it is in the runtime folder."""
    env = os.environ if environ is None else environ
    runtime = env.get("XDG_RUNTIME_DIR", "")
    address = env.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not address:
        return bool(runtime and os.path.exists(os.path.join(runtime, "bus")))
    for choice in address.split(";"):
        transport, _, params = choice.partition(":")
        keys = dict(p.partition("=")[::2] for p in params.split(",") if p)
        if transport != "unix" or "path" not in keys or os.path.exists(keys["path"]):
            return True  # a socket that is there, or one we cannot check from here
    return False


class FallbackNotifier:
    """The desktop when it answers, else the console; says once why the desktop is not used."""

    def __init__(self, desktop: Notifier, console: Notifier, log: Log,
                 environ: Mapping[str, str] | None = None) -> None:
        self.desktop = desktop
        self.console = console
        self.log = log
        # Unknown until the first notice, unless there is plainly no session bus to ask.
        self.on_desktop: bool | None = None if has_session_bus(environ) else False
        self.why_console = "" if self.on_desktop is None else "no D-Bus session bus"
        if self.why_console:
            log("warning", f"desktop notifications unavailable ({self.why_console}); reminding on "
                           "the console until a notification server answers")

    async def show(self, notice: Notice, on_action: OnAction) -> str:
        try:
            handle = await self.desktop.show(notice, on_action)
        except NotifyError as e:
            if self.on_desktop is not False or self.why_console != str(e):
                self.log("warning", f"desktop notifications unavailable ({e}); reminding on the "
                                    "console until a notification server answers")
            self.on_desktop, self.why_console = False, str(e)
            return "console:" + await self.console.show(notice, on_action)
        except Exception as e:  # a bus that dies mid-call must not stop the daemon
            self.log("warning", f"desktop notification failed ({type(e).__name__}: {e}); "
                                "reminding on the console")
            self.on_desktop, self.why_console = False, f"{type(e).__name__}: {e}"
            return "console:" + await self.console.show(notice, on_action)
        if self.on_desktop is False:
            self.log("info", "desktop notifications are back")
        self.on_desktop, self.why_console = True, ""
        return handle

    async def alive(self, handle: str) -> bool:
        if handle.startswith("console:"):
            return True
        try:
            return await self.desktop.alive(handle)
        except Exception:  # cannot tell: assume it still shows rather than show it twice
            return True

    def activation_token(self, handle: str) -> str | None:
        return None if handle.startswith("console:") else self.desktop.activation_token(handle)

    async def close(self, handle: str) -> None:
        if handle.startswith("console:"):
            return
        try:
            await self.desktop.close(handle)
        except Exception as e:  # the server may be gone; the notice then is too
            self.log("debug", f"closing a notification failed: {type(e).__name__}: {e}")
