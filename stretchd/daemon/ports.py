"""The core's ports: the value types and interfaces the daemon needs from the desktop (what
shows a reminder, what opens a terminal, what the person is doing), which the adapters
(notify.py, terminal.py, senses.py) implement. Nothing here imports an adapter."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from stretchd.config import Hold
from stretchd.config.conditions import Reading
from stretchd.i18n import N_

Log = Callable[[str, str], None]  # (level, message)


# Notifications -----------------------------------------------------------------------------

class Action(StrEnum):
    """An answer to a notification: a button (its identifier on the bus), or what the
    person did to the notification itself."""

    START = "start"
    SNOOZE = "snooze"
    SKIP = "skip"
    CLICKED = "clicked"  # the body
    DISMISSED = "dismissed"  # closed without a button


OnAction = Callable[[Action], None]


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    buttons: tuple[tuple[Action, str], ...]  # (action, label)
    command: str = ""  # what to type to act on it without a desktop
    critical: bool = False  # urgency "critical" (config defaults.urgency)
    image: str = ""  # a picture's path, for servers that show one (the `image-path` hint)
    sound: str = ""  # a sound theme's name, for servers that play one (`sound-name`)


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

    def ticket(self, handle: str) -> str | None:
        """What to keep in the store to close this notice after a kill (None: nothing to close)."""

    async def close_ticket(self, ticket: str) -> None:
        """Close a notice a daemon before us showed and could not close (it was killed)."""

    def activation_token(self, handle: str) -> str | None:
        """The token the server sent with the last button press on the notice (notification
        spec 1.3), for the window that press opens to be focused (Wayland's xdg-activation)."""


# The terminal Start opens ------------------------------------------------------------------

# What to do when no terminal opens, said after why (translated where it is shown).
TERMINAL_FIX = N_("set defaults.terminal in config.toml, or $TERMINAL")


class Started(Protocol):
    """A terminal started for the walkthrough: what became of it, and the next one to try."""

    @property
    def name(self) -> str: ...

    def ended(self) -> bool: ...

    def clean(self) -> bool:
        """Ended with 0 and said nothing (it handed its window to a server, or it is over)."""

    def said(self) -> str:
        """Its last word on stderr, or its exit status: why it failed, in its words."""

    def next(self) -> Started | None:
        """The next terminal found, started; None if there is none that starts."""


class TerminalLauncher(Protocol):
    """What the daemon needs: open a terminal running a program, or raise StretchdError."""

    def launch(self, argv: Sequence[str], token: str | None = None) -> Started | None:
        """Open a terminal running argv; `token`: the desktop's activation token for it. What
        it returns tells whether the terminal failed at once, and starts the next one."""


def walk_argv(routine: str | None = None, reminder: str | None = None) -> list[str]:
    """The argv of `stretchd walk` run by this same Python, whatever the terminal's PATH holds."""
    argv = [sys.executable, "-m", "stretchd", "walk"]
    if routine is not None:
        argv.append(routine)
    if reminder is not None:
        argv += ["--reminder", reminder]
    return argv


def stats_argv() -> list[str]:
    """`stretchd stats` in a terminal that stays until Enter (from the weekly summary)."""
    return [sys.executable, "-m", "stretchd", "stats", "--wait"]


# What the person is doing ------------------------------------------------------------------

class Senses(Protocol):
    """What the person is doing, as the daemon asks it (busy.py's readings, watched)."""

    async def read(self, hold: Hold) -> list[Reading]:
        """The enabled conditions as they are now."""

    async def changed(self, hold: Hold, timeout: float) -> None:
        """Return when a source signals a change (settled), or after timeout seconds."""

    def poke(self) -> None:
        """End the current wait now (the machine resumed: look again)."""

    async def close(self) -> None:
        """Nothing is held: stop watching and close what was opened."""
