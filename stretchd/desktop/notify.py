"""Reminder notifications: on the desktop with buttons, or on the console when there is none."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import IO, Any

from stretchd import l10n, paths
from stretchd.daemon.ports import Action, Log, Notice, Notifier, NotifyError, OnAction
from stretchd.desktop.dbus import NOTIFICATIONS, Bus, CallError
from stretchd.i18n import N_, _
from stretchd.text import clean, escape_markup

SIGNALS = [f"type='signal',interface='{NOTIFICATIONS[2]}',path='{NOTIFICATIONS[1]}',member='{m}'"
           for m in ("ActionInvoked", "NotificationClosed", "ActivationToken")]
DEFAULT_LABEL = N_("Start")  # the body's click, "default": servers that list actions show its label
CLOSED_BY_USER = 2  # NotificationClosed's reason for a dismissal
XFCE = "Xfce Notify Daemon"  # runs no default action: a click on the body dismisses
BY_KEY = {a.value: a for a in (Action.START, Action.SNOOZE, Action.SKIP)}
# D-Bus's own default wait for a reply, in seconds: a server slow on a loaded machine still
# shows it (the daemon's loop goes on meanwhile); only one that never answers sends it to the
# console.
PATIENCE = 25.0


class DesktopNotifier:
    """org.freedesktop.Notifications (notification spec 1.3) spoken directly over D-Bus:
    Notify with buttons and hints, and the ActionInvoked, NotificationClosed and
    ActivationToken signals that answer it."""

    def __init__(self, app_name: str = "stretchd", bus: Bus | None = None) -> None:
        self.app_name = app_name
        self.bus = bus or Bus(timeout=PATIENCE)
        self._subscribed = False
        # server id -> the server (its unique bus name) and the notice's answer
        self._answers: dict[int, tuple[str | None, OnAction]] = {}
        self._server_ids: dict[str, int] = {}  # handle -> server id
        self._owners: dict[str, str | None] = {}  # which server showed each notification
        self._tokens: dict[int, str] = {}  # server id -> the ActivationToken sent before an action
        self.on_desktop: bool | None = None
        self.why_console = ""
        self._closing: set[Any] = set()  # CloseNotification calls under way (see _shown_late)

    def activation_token(self, handle: str) -> str | None:
        server_id = self._server_ids.get(handle)
        return None if server_id is None else self._tokens.get(server_id)

    def ticket(self, handle: str) -> str | None:
        """The server (its unique bus name) and its id for the notice: "':1.42' 7"."""
        owner, server_id = self._owners.get(handle), self._server_ids.get(handle)
        return None if owner is None or server_id is None else f"{owner} {server_id}"

    async def close_ticket(self, ticket: str) -> None:
        """Close it if the server that showed it still runs: a unique bus name is never given
        twice, so another server's notification with the same id is never closed."""
        owner, _, server_id = ticket.partition(" ")
        if server_id.isdigit() and await self.bus.owner(NOTIFICATIONS[0]) == owner:
            await self.close_id(int(server_id))

    async def _call(self, member: str, sig: str = "", body: list[Any] | None = None,
                    late: Callable[[list[Any]], None] | None = None) -> list[Any]:
        try:
            return await self.bus.request(*NOTIFICATIONS, member, sig, body, late=late)
        except CallError as e:
            raise NotifyError(_reason(e, self.bus)) from e

    async def show(self, notice: Notice, on_action: OnAction) -> str:
        if not self._subscribed:  # once: the bus subscribes again on each new connection
            self._subscribed = True
            await self.bus.subscribe(SIGNALS, self._on_signal)
        caps = await self._first("GetCapabilities")
        name = await self._first("GetServerInformation")
        owner = await self.bus.owner(NOTIFICATIONS[0])  # whose signals answer it
        body = notice.body
        if notice.buttons and notice.command and "actions" not in caps:
            body += "\n" + _("This desktop shows no buttons; in a terminal: {command}").format(
                command=notice.command)
        body = clean(body)
        if "body-markup" in caps:  # such a server reads the body as markup
            body = escape_markup(body)
        actions = [] if name == XFCE else ["default", _(DEFAULT_LABEL)]
        for action, label in notice.buttons:
            actions += [action.value, label]
        from dbus_fast import Variant

        hints = {"urgency": Variant("y", 2 if notice.critical else 1),
                 # Desktops attribute it to stretchd.desktop and list it in their settings.
                 "desktop-entry": Variant("s", self.app_name)}
        if notice.image:
            hints["image-path"] = Variant("s", notice.image)
        if notice.sound and "sound" in caps:
            hints["sound-name"] = Variant("s", notice.sound)
        # The icon `service install` put in place, by path: no icon cache to wait for.
        icon = paths.icon_file()
        server_id = int(await self._first(
            "Notify", "susssasa{sv}i",
            [self.app_name, 0, icon.as_uri() if icon.exists() else "",
             clean(notice.title, keep_newlines=False), body, actions, hints,
             0],  # never expires by itself
            late=self._shown_late))
        handle = f"n{server_id}"
        self._answers[server_id] = (owner, on_action)
        self._server_ids[handle] = server_id
        self._owners[handle] = owner
        self.on_desktop = True
        return handle

    async def _first(self, member: str, sig: str = "", body: list[Any] | None = None,
                     late: Callable[[list[Any]], None] | None = None) -> Any:
        reply = await self._call(member, sig, body, late)
        if not reply:
            raise NotifyError(f"the notification server answered {member} with nothing")
        return reply[0]

    def _shown_late(self, reply: list[Any]) -> None:
        """A Notify answered after PATIENCE: the reminder went to the console meanwhile, and
        nobody listens to this notification's buttons. It is closed, not left on screen dead."""
        import asyncio

        if reply and isinstance(reply[0], int):
            closing = asyncio.ensure_future(self.close_id(reply[0]))
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)

    def _on_signal(self, message: Any) -> None:
        """The server's answer to one of ours: from the server that showed it (an id alone is
        no proof: another server, after a restart, numbers its own notifications afresh)."""
        from dbus_fast import MessageType

        if (message.message_type != MessageType.SIGNAL or message.interface != NOTIFICATIONS[2]
                or message.signature not in ("us", "uu")):
            return
        server_id = int(message.body[0])
        ours = self._answers.get(server_id)
        if ours is None or message.sender != ours[0]:
            return
        if message.member == "ActivationToken" and message.signature == "us":
            self._tokens[server_id] = str(message.body[1])
            if len(self._tokens) > 20:  # only the latest press matters
                self._tokens.pop(min(self._tokens))
        elif message.member == "ActionInvoked" and message.signature == "us":
            del self._answers[server_id]
            ours[1](BY_KEY.get(str(message.body[1]), Action.CLICKED))  # "default": the body
        elif message.member == "NotificationClosed" and message.signature == "uu":
            del self._answers[server_id]  # after an action there is nothing more to say
            if int(message.body[1]) == CLOSED_BY_USER:
                ours[1](Action.DISMISSED)

    async def alive(self, handle: str) -> bool:
        """Whether the server that showed this notification still runs (so it still shows)."""
        owner = self._owners.get(handle)
        return owner is None or await self.bus.owner(NOTIFICATIONS[0]) == owner

    async def close(self, handle: str) -> None:
        self._owners.pop(handle, None)
        server_id = self._server_ids.pop(handle, None)
        if server_id is not None:
            self._answers.pop(server_id, None)
            await self.close_id(server_id)

    async def close_id(self, server_id: int) -> None:
        """Close a notification by the server's id: a no-op if it is gone."""
        await self.bus.call(*NOTIFICATIONS, "CloseNotification", "u", [server_id])


# Why notices go to the console: in English in the log, translated by why_console (status).
NO_BUS = N_("no D-Bus session bus")
NO_SERVER = N_("no notification server on the session bus")


def _reason(e: CallError, bus: Bus) -> str:
    if e.name == "NoBus":
        return NO_BUS  # normal without a desktop: no errno to alarm anyone
    if e.name.endswith(("ServiceUnknown", "NameHasNoOwner")):
        return NO_SERVER
    return str(e)


class ConsoleNotifier:
    """A line and a bell on the daemon's own terminal or log."""

    def __init__(self, stream: IO[str] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now().astimezone()) -> None:
        self.stream = stream
        self.now = now
        self.count = 0
        self.on_desktop: bool | None = False

    @property
    def why_console(self) -> str:
        # TRANSLATORS: why reminders show on the daemon's console, in `stretchd status`.
        return _("no desktop notifications asked for")

    async def show(self, notice: Notice, on_action: OnAction) -> str:
        stream = self.stream or sys.stdout
        line = clean(f"{notice.title}: {notice.body}", keep_newlines=False)
        hint = f"  ({notice.command})" if notice.command else ""
        stream.write(f"\a{l10n.time_of_day(self.now())} {line}{hint}\n")
        stream.flush()
        self.count += 1
        return f"console-{self.count}"

    async def close(self, handle: str) -> None:
        return None

    async def alive(self, handle: str) -> bool:
        return True  # a line on the console stays where it is

    def ticket(self, handle: str) -> str | None:
        return None

    async def close_ticket(self, ticket: str) -> None:
        return None

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
        self.why = "" if self.on_desktop is None else NO_BUS  # in English, as the log says it
        if self.why:
            log("warning", f"desktop notifications unavailable ({self.why}); reminding on "
                           "the console until a notification server answers")

    @property
    def why_console(self) -> str:
        """Why notices go to the console, in the person's language ("" on the desktop)."""
        return _(self.why) if self.why else ""  # _("") would be the catalog's header

    async def show(self, notice: Notice, on_action: OnAction) -> str:
        try:
            handle = await self.desktop.show(notice, on_action)
        except NotifyError as e:
            if self.on_desktop is not False or self.why != str(e):
                self.log("warning", f"desktop notifications unavailable ({e}); reminding on the "
                                    "console until a notification server answers")
            self.on_desktop, self.why = False, str(e)
            return "console:" + await self.console.show(notice, on_action)
        except Exception as e:  # a bus that dies mid-call must not stop the daemon
            self.log("warning", f"desktop notification failed ({type(e).__name__}: {e}); "
                                "reminding on the console")
            self.on_desktop, self.why = False, f"{type(e).__name__}: {e}"
            return "console:" + await self.console.show(notice, on_action)
        if self.on_desktop is False:
            self.log("info", "desktop notifications are back")
        self.on_desktop, self.why = True, ""
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

    def ticket(self, handle: str) -> str | None:
        return None if handle.startswith("console:") else self.desktop.ticket(handle)

    async def close_ticket(self, ticket: str) -> None:
        try:
            await self.desktop.close_ticket(ticket)
        except Exception as e:  # no bus, a server gone: nothing left to close
            self.log("debug", f"closing a notification left by the last run failed: {e}")

    async def close(self, handle: str) -> None:
        if handle.startswith("console:"):
            return
        try:
            await self.desktop.close(handle)
        except Exception as e:  # the server may be gone; the notice then is too
            self.log("debug", f"closing a notification failed: {type(e).__name__}: {e}")
