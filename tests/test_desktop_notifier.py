"""The desktop notifier's side of the notification spec, on a bus that keeps what it is sent:
what Notify carries, and what each signal from the server means."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from dbus_fast import MessageType

from stretchd.daemon.ports import Action, Notice
from stretchd.desktop.notify import NOTIFICATIONS, DesktopNotifier

NOTICE = Notice("Time to stretch", "Morning: Shotgun (40 s)",
                ((Action.START, "Start"), (Action.SNOOZE, "Snooze"), (Action.SKIP, "Skip")),
                command="stretchd walk shotgun")


class FakeBus:
    def __init__(self, server: str = "dunst", caps: tuple[str, ...] = ("actions", "body", "body-markup"),
                 owner: str = ":1.7") -> None:
        self.server, self.caps, self.owner_now = server, list(caps), owner
        self.calls: list[tuple[str, list[Any]]] = []
        self.handler: Any = None
        self.next_id = 40

    async def subscribe(self, rules: list[str], handler: Any) -> bool:
        self.handler = handler
        return True

    async def owner(self, name: str) -> str:
        return self.owner_now

    async def request(self, dest: str, path: str, iface: str, member: str, sig: str = "",
                      body: list[Any] | None = None, late: Any = None) -> list[Any]:
        self.calls.append((member, body or []))
        if member == "GetCapabilities":
            return [self.caps]
        if member == "GetServerInformation":
            return [self.server, "vendor", "1.0", "1.2"]
        self.next_id += 1
        return [self.next_id]

    async def call(self, dest: str, path: str, iface: str, member: str, sig: str = "",
                   body: list[Any] | None = None) -> list[Any]:
        self.calls.append((member, body or []))
        return []

    def notify(self) -> list[Any]:
        return next(b for m, b in reversed(self.calls) if m == "Notify")


@dataclass
class Signal:
    member: str
    signature: str
    body: list[Any]
    sender: str = ":1.7"  # the server that showed it (FakeBus's owner)
    interface: str = NOTIFICATIONS[2]
    message_type: MessageType = MessageType.SIGNAL


def show(bus: FakeBus, notice: Notice = NOTICE) -> tuple[DesktopNotifier, str, list[Action]]:
    answers: list[Action] = []
    notifier = DesktopNotifier(bus=bus)  # type: ignore[arg-type]
    handle = asyncio.run(notifier.show(notice, answers.append))
    return notifier, handle, answers


def test_notify_carries_the_buttons_the_body_click_as_start_and_the_hints() -> None:
    bus = FakeBus()
    show(bus)
    app, replaces, _, summary, _, actions, hints, timeout = bus.notify()
    assert (app, replaces, summary, timeout) == ("stretchd", 0, "Time to stretch", 0)  # never expires
    assert actions == ["default", "Start", "start", "Start", "snooze", "Snooze", "skip", "Skip"]
    assert hints["urgency"].value == 1 and hints["desktop-entry"].value == "stretchd"
    assert "image-path" not in hints and "sound-name" not in hints


def test_xfce4_notifyd_gets_no_body_action_and_a_server_without_buttons_gets_the_commands() -> None:
    bus = FakeBus(server="Xfce Notify Daemon")
    show(bus)
    assert "default" not in bus.notify()[5]
    bus = FakeBus(caps=("body",))
    show(bus)
    assert bus.notify()[4].endswith("in a terminal: stretchd walk shotgun")


def test_an_image_and_a_sound_go_as_hints_the_sound_where_the_server_plays_one() -> None:
    with_image = Notice("t", "b", (), image="/tmp/pose.png", sound="bell", critical=True)
    bus = FakeBus(caps=("actions", "body"))
    show(bus, with_image)
    hints = bus.notify()[6]
    assert hints["image-path"].value == "/tmp/pose.png" and "sound-name" not in hints
    assert hints["urgency"].value == 2
    bus = FakeBus(caps=("actions", "body", "sound"))
    show(bus, with_image)
    assert bus.notify()[6]["sound-name"].value == "bell"


def test_a_button_is_one_answer_and_the_close_that_follows_it_says_nothing_more() -> None:
    bus = FakeBus()
    notifier, handle, answers = show(bus)
    sid = notifier._server_ids[handle]
    bus.handler(Signal("ActivationToken", "us", [sid, "token-1"]))
    bus.handler(Signal("ActionInvoked", "us", [sid, "snooze"]))
    bus.handler(Signal("NotificationClosed", "uu", [sid, 2]))
    assert answers == [Action.SNOOZE]
    assert notifier.activation_token(handle) == "token-1"


def test_the_body_click_is_clicked_a_dismissal_is_dismissed_and_others_are_not_ours() -> None:
    bus = FakeBus()
    notifier, first, answers = show(bus)
    second = asyncio.run(notifier.show(NOTICE, answers.append))
    ids = notifier._server_ids
    bus.handler(Signal("ActionInvoked", "us", [ids[first], "default"]))
    bus.handler(Signal("NotificationClosed", "uu", [999, 2]))  # another application's
    bus.handler(Signal("ActionInvoked", "us", [999, "skip"]))
    bus.handler(Signal("NotificationClosed", "uu", [ids[second], 1]))  # expired: gone, unanswered
    bus.handler(Signal("ActionInvoked", "us", [ids[second], "skip"]))  # so nothing comes of it
    assert answers == [Action.CLICKED]
    third = asyncio.run(notifier.show(NOTICE, answers.append))
    bus.handler(Signal("NotificationClosed", "uu", [ids[third], 2]))
    assert answers[-1] == Action.DISMISSED


def test_an_answer_from_another_server_with_the_same_id_is_not_ours() -> None:
    """After a restart a server numbers its notifications afresh: mako and xfce4-notifyd send
    their signals to every client, so another application's click can carry our old id."""
    bus = FakeBus()
    notifier, handle, answers = show(bus)
    sid = notifier._server_ids[handle]
    bus.handler(Signal("ActionInvoked", "us", [sid, "start"], sender=":1.99"))
    bus.handler(Signal("NotificationClosed", "uu", [sid, 2], sender=":1.99"))
    bus.handler(Signal("ActionInvoked", "u", [sid]))  # not the spec's signature
    assert answers == []
    bus.handler(Signal("ActionInvoked", "us", [sid, "start"]))
    assert answers == [Action.START]


def test_a_ticket_closes_only_on_the_server_that_showed_it() -> None:
    bus = FakeBus(owner=":1.7")
    notifier, handle, _ = show(bus)
    ticket = notifier.ticket(handle)
    assert ticket == f":1.7 {notifier._server_ids[handle]}"
    bus.owner_now = ":1.9"  # the server restarted: its ids are another's now
    asyncio.run(notifier.close_ticket(ticket))
    assert "CloseNotification" not in [m for m, _ in bus.calls]
    bus.owner_now = ":1.7"
    asyncio.run(notifier.close_ticket(ticket))
    assert ("CloseNotification", [notifier._server_ids[handle]]) in bus.calls
