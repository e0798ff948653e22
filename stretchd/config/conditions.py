"""What can hold a due reminder, one object each: its name in config.toml's `[hold] when`, the
reasons a held reminder gives, what its notification says when it finally shows, whether it
is on by default, and what signals its end while a reminder is held.

Only names and phrases, so the config and `stretchd status` read them without the desktop:
how each is read lives in busy.py (its READERS table, by these names)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from stretchd.i18n import N_


@dataclass(frozen=True)
class Condition:
    name: str  # as config.toml and `stretchd doctor` say it
    reasons: tuple[str, ...]  # what a reminder held by it says: N_("microphone in use")
    after: str  # how the reminder says it comes late once it ends: "after your call"
    default: bool = True  # in `[hold] when` unless the config says otherwise
    # How `doctor` says it is busy, or free.
    # TRANSLATORS: `stretchd doctor` says so of each condition that holds reminders ("meeting: no").
    words: tuple[str, str] = (N_("yes"), N_("no"))
    # What may signal its end while a reminder is held; a condition with none is read once a
    # minute instead (mako's modes, GNOME's setting, X11's idle time, /proc).
    session_rules: tuple[str, ...] = ()  # D-Bus match rules on the session bus
    logind: bool = False  # the signals of this user's logind session (LockedHint, IdleHint)
    pipewire: bool = False  # a change printed by `pw-dump --monitor`


ALL = (
    Condition("meeting", (N_("microphone in use"), N_("camera in use"), N_("camera or screen share in use")),
              N_("after your call"), pipewire=True),
    # PropertiesChanged on the notification server's object: dunst's `paused`, KDE's
    # `Inhibited`; swaync signals its do-not-disturb on its own interface.
    Condition("dnd", (N_("do not disturb"),), N_("after do-not-disturb"), words=(N_("on"), N_("off")),
              session_rules=(
                  "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
                  "path='/org/freedesktop/Notifications'",
                  "type='signal',interface='org.erikreider.swaync.cc'")),
    Condition("locked", (N_("screen locked"),), N_("now the screen is unlocked"), logind=True, session_rules=(
        "type='signal',interface='org.freedesktop.ScreenSaver',member='ActiveChanged'",)),
    Condition("away", (N_("away from the desk"),), N_("now you are back"), logind=True),
    Condition("fullscreen", (N_("a fullscreen window"),), N_("after the fullscreen window"), default=False,
              words=(N_("on"), N_("off"))),
)
BY_NAME = {c.name: c for c in ALL}
NAMES = tuple(BY_NAME)  # the names `[hold] when` accepts
DEFAULT = tuple(c.name for c in ALL if c.default)  # `[hold] when` when the config says nothing
AFTER = {reason: c.after for c in ALL for reason in c.reasons}  # reason -> its condition's phrase


def named(names: Iterable[str]) -> list[Condition]:
    """The conditions of these names, in their order; names not known are passed over."""
    return [BY_NAME[n] for n in names if n in BY_NAME]


@dataclass(frozen=True)
class Reading:
    """One condition as read now: busy True/False, or None when no source could say."""

    condition: str
    busy: bool | None
    source: str  # "PipeWire", "dunst", "logind", "X11", or why there is none
    detail: str = ""  # "2 capture streams", "idle 3 min"
    reason: str = ""  # what a held reminder says: N_("microphone in use")

    def describe(self, say: Callable[[str], str] | None = None) -> str:
        """"meeting: no (PipeWire, 0 capture streams)"; `say` puts the word in the person's
        language (doctor), the log keeps English."""
        known = BY_NAME.get(self.condition)
        yes, no = known.words if known else ("yes", "no")
        # TRANSLATORS: `stretchd doctor`: a condition not read ("meeting: unknown").
        value = {True: yes, False: no, None: N_("unknown")}[self.busy]
        value = say(value) if say else value
        inside = ", ".join(p for p in (self.source, self.detail) if p)
        return f"{self.condition}: {value} ({inside})"

    def as_json(self) -> dict[str, Any]:
        return {"condition": self.condition, "busy": self.busy, "source": self.source,
                "detail": self.detail, "reason": self.reason}
