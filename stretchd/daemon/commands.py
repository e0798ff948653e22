"""The requests the CLI sends the running daemon, typed, and their form on the wire (one
JSON object with a `cmd`). What each one does is the daemon's to say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stretchd.bounds import minutes_problem
from stretchd.errors import UsageError
from stretchd.i18n import _


@dataclass(frozen=True)
class Status:
    pass


@dataclass(frozen=True)
class Ping:
    pass


@dataclass(frozen=True)
class Snooze:
    minutes: int | None = None  # None: the config's snooze_minutes


@dataclass(frozen=True)
class Skip:
    reminder: str | None = None  # None: the one showing, else the next one due


@dataclass(frozen=True)
class Unskip:
    reminder: str | None = None  # None: the soonest skipped one


@dataclass(frozen=True)
class Pause:
    until: datetime  # aware


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class Reload:
    pass


@dataclass(frozen=True)
class Walked:
    """A walkthrough ended (the history has it): what `status --follow` shows may change."""


Request = Status | Ping | Snooze | Skip | Unskip | Pause | Resume | Reload | Walked
_NAMES: dict[type[Any], str] = {Status: "status", Ping: "ping", Snooze: "snooze", Skip: "skip",
                                Unskip: "unskip", Pause: "pause", Resume: "resume", Reload: "reload",
                                Walked: "walked"}


def to_wire(request: Request) -> dict[str, Any]:
    message: dict[str, Any] = {"cmd": _NAMES[type(request)]}
    if isinstance(request, Snooze):
        message["minutes"] = request.minutes
    elif isinstance(request, Skip | Unskip):
        message["reminder"] = request.reminder
    elif isinstance(request, Pause):
        message["until"] = request.until.isoformat()
    return message


def from_wire(message: dict[str, Any]) -> Request:
    """The request a decoded message asks for; UsageError naming what is wrong with it."""
    cmd = message.get("cmd")
    plain: dict[str, Request] = {"status": Status(), "ping": Ping(), "resume": Resume(), "reload": Reload(),
                                 "walked": Walked()}
    if isinstance(cmd, str) and cmd in plain:
        return plain[cmd]
    if cmd == "snooze":
        minutes = message.get("minutes")
        if minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool)):
            raise UsageError(minutes_problem())
        return Snooze(minutes)
    if cmd in ("skip", "unskip"):
        reminder = message.get("reminder")
        if reminder is not None and not isinstance(reminder, str):
            # TRANSLATORS: a request the daemon cannot read; {command} is "skip" or "unskip".
            raise UsageError(_("{command}: reminder must be a reminder's name").format(command=cmd))
        return Skip(reminder) if cmd == "skip" else Unskip(reminder)
    if cmd == "pause":
        try:
            until = datetime.fromisoformat(message["until"])
        except (KeyError, TypeError, ValueError):
            until = None
        if until is None or until.tzinfo is None:  # a naive time stored would break every later check
            # TRANSLATORS: "pause" and "until" name the request and its field: keep them.
            raise UsageError(_("pause: give until as an ISO date and time with its UTC offset"))
        return Pause(until)
    # TRANSLATORS: {command} is the name a request to the daemon gave, quoted.
    raise UsageError(_("unknown command {command}").format(command=repr(cmd)))
