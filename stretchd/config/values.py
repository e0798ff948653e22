"""config.toml's values: the frozen objects a valid config becomes, the keys and words each
table accepts, and the time format."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from stretchd.config import conditions

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TOP_KEYS = ("defaults", "hold", "reminders", "stats", "sync", "walkthrough")
DEFAULT_KEYS = ("routine", "snooze_minutes", "max_snoozes", "grace_minutes", "terminal", "urgency",
                "language")
URGENCIES = ("normal", "critical")
REMINDER_KEYS = ("time", "days", "routine", "hold")
WALKTHROUGH_KEYS = ("voice", "window", "pictures")
HOLD_KEYS = ("when", "away_minutes", "hold_at_most_minutes", "mako_modes")
STATS_KEYS = ("streak_goal", "weekly_summary")
SYNC_KEYS = ("folder", "device")
CONDITIONS = conditions.NAMES  # what can hold a due reminder (conditions.py)
VOICES = ("auto", "on", "off")
PICTURES = ("auto", "on", "off")
# How large the terminal that Start opens: each known terminal's own flag (terminal.py).
WINDOWS = ("maximized", "fullscreen", "normal")
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
DEVICE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")  # fullmatch: as sync/events.py reads file names
TIME_RE = re.compile(r"^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$")  # ASCII digits only


@dataclass(frozen=True)
class Reminder:
    name: str
    time: dt.time
    routine: str
    days: frozenset[int] = frozenset(range(7))  # 0 = Monday
    hold: bool = True  # held while the person is busy or away ([hold]); false opts it out

    def days_text(self) -> str:
        if len(self.days) == 7:
            return "every day"
        return ",".join(DAYS[d] for d in sorted(self.days))


@dataclass(frozen=True)
class Defaults:
    routine: str = "hips-lower-back"
    snooze_minutes: int = 10
    max_snoozes: int = 3
    grace_minutes: int = 30
    terminal: str | tuple[str, ...] = "auto"
    # "critical": GNOME shows it in do-not-disturb and over a fullscreen window, and most
    # servers keep it until it is answered.
    urgency: str = "normal"
    # The language of everything stretchd says: "auto" follows the locale (LANGUAGE, LC_ALL,
    # LC_MESSAGES, LANG), or a shipped one ("de", "pt_BR"; stretchd.i18n.SHIPPED), or "en".
    language: str = "auto"


@dataclass(frozen=True)
class Walkthrough:
    # "auto": spoken when Start on a notification opened it and a speech program exists.
    voice: str = "auto"
    window: str = "maximized"
    # The picture of each position: "auto" asks the terminal for pixels (kitty, sixel) except
    # over SSH, else draws blocks; "on" asks over SSH too; "off" draws none.
    pictures: str = "auto"


@dataclass(frozen=True)
class Hold:
    """When a due reminder waits: the conditions that hold it, and for how long at most."""

    when: tuple[str, ...] = conditions.DEFAULT
    away_minutes: int = 5
    hold_at_most_minutes: int = 90
    # mako has no do-not-disturb of its own: a mode the user defines for it, by name.
    mako_modes: tuple[str, ...] = ("do-not-disturb",)


@dataclass(frozen=True)
class Stats:
    # A day counts toward the streak with this many walkthroughs completed.
    streak_goal: int = 1
    # The weekly summary notification: (weekday 0 = Monday, time), or None (off, the default).
    weekly_summary: tuple[int, dt.time] | None = None

    def weekly_text(self) -> str:
        if self.weekly_summary is None:
            return "off"
        day, at = self.weekly_summary
        return f"{DAYS[day]} {format_time(at)}"


def host_device() -> str:
    """This computer's name in the shared history by default: its host name, as a device name."""
    import socket

    name = re.sub(r"[^A-Za-z0-9_-]", "-", socket.gethostname().split(".")[0]).strip("-_")[:40]
    return name if DEVICE_RE.fullmatch(name) else "computer"


@dataclass(frozen=True)
class Sync:
    """[sync]: a folder a file-sync engine keeps the same on each computer (None: this
    computer alone), and this computer's name in it."""

    folder: Path | None = None
    device: str = ""  # "" until read: the host name

    @property
    def name(self) -> str:
        return self.device or host_device()


@dataclass(frozen=True)
class Config:
    defaults: Defaults
    reminders: tuple[Reminder, ...]
    walkthrough: Walkthrough = Walkthrough()
    hold: Hold = Hold()
    stats: Stats = Stats()
    sync: Sync = Sync()
    path: Path | None = field(default=None, compare=False)

    def reminder(self, name: str) -> Reminder | None:
        return next((r for r in self.reminders if r.name == name), None)


def default_config_file() -> Path:
    """The built-in default, the same file as config/config.toml in the repository."""
    return Path(__file__).parent / "default-config.toml"


def parse_time(value: object) -> dt.time | None:
    """A wall-clock time from "HH:MM", "HH:MM:SS" or a TOML local time; None if it is none."""
    if isinstance(value, dt.time):
        return value.replace(microsecond=0)
    if not isinstance(value, str):
        return None
    m = TIME_RE.match(value.strip())
    if not m:
        return None
    hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def format_time(t: dt.time) -> str:
    return t.strftime("%H:%M:%S" if t.second else "%H:%M")
