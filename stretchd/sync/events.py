"""The shared folder's line format: one event per line, in files each computer alone appends to.

A file is `DEVICE.YYYY-MM.jsonl` (the month of its events, so that none grows without bound);
a line is a JSON object of plain, checked fields, ended by a newline. A peer's file is
untrusted: `decode` takes only what it can check and says why it refuses the rest."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from stretchd.i18n import _

VERSION = 1
MAX_LINE = 4096  # bytes, newline included: a longer line is skipped
# Matched whole (fullmatch): `$` alone would let a trailing newline through.
DEVICE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")  # reminders and routines, as config.toml names them
# Syncthing's copy of a file two computers changed at once: NAME.sync-conflict-DATE-TIME-WHO.EXT
FILE_RE = re.compile(r"(?P<device>[A-Za-z0-9][A-Za-z0-9_-]{0,39})\.(?P<month>[0-9]{4}-[0-9]{2})"
                     r"(?P<conflict>\.sync-conflict-[0-9]{8}-[0-9]{6}-[A-Z0-9]{1,16})?\.jsonl")
ID_RE = re.compile(r"[0-9a-f]{32}")
MAX_SECONDS = 24 * 3600  # a walkthrough's length, at most
MAX_SNOOZE = timedelta(days=1)  # a snooze's end, at most this long after it was given


class Wire(StrEnum):
    """What happened to an occurrence, as the shared folder names it (history kinds)."""

    SHOWN = "shown"
    HELD = "held"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"
    STARTED = "started"
    COMPLETED = "completed"  # a walkthrough done to its end
    MISSED = "missed"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class Event:
    """One line of the shared folder: `at` carries the writing computer's UTC offset, so it
    reads in that computer's time; `occurrence` is its local date for the reminder."""

    id: str
    device: str
    kind: Wire
    at: datetime
    reminder: str | None = None
    occurrence: str | None = None
    until: datetime | None = None  # a snooze's end
    routine: str | None = None  # a completed walkthrough's
    seconds: float | None = None  # the time it spent in the routine's steps
    writer: str | None = None  # the history that wrote it: two under one name are two computers


def clash_text(device: str, mine: str) -> str:
    """What is said when two computers write under one name: Syncthing's conflict copy of
    its file, or lines this computer did not write in its own file."""
    if device == mine:
        # TRANSLATORS: {device} is this computer's name in the shared folder ([sync] device).
        return _("another computer also writes as '{device}': give each computer its own [sync] "
                 "device").format(device=device)
    # TRANSLATORS: {device} is a computer's name in the shared folder ([sync] device).
    return _("two computers write as '{device}': give each its own [sync] device").format(
        device=device)


def new_id() -> str:
    return uuid.uuid4().hex


def file_name(device: str, at: datetime) -> str:
    """The file an event at `at` (its writer's local time) goes to."""
    return f"{device}.{at:%Y-%m}.jsonl"


@dataclass(frozen=True)
class FileName:
    device: str
    month: str
    conflict: bool  # Syncthing's copy of a file two computers wrote under one name


def parse_file_name(name: str) -> FileName | None:
    """A shared file's writer and month; None for anything else in the folder (Syncthing's
    temporary files, .stfolder, a stray file)."""
    m = FILE_RE.fullmatch(name)
    if m is None:
        return None
    return FileName(m["device"], m["month"], m["conflict"] is not None)


def encode(event: Event) -> bytes:
    """The event as one line (the device is the file's name, not repeated)."""
    data: dict[str, object] = {"v": VERSION, "id": event.id, "kind": str(event.kind),
                               "at": event.at.isoformat(timespec="milliseconds")}
    if event.reminder is not None:
        data["reminder"] = event.reminder
    if event.occurrence is not None:
        data["occurrence"] = event.occurrence
    if event.until is not None:
        data["until"] = event.until.isoformat(timespec="milliseconds")
    if event.routine is not None:
        data["routine"] = event.routine
    if event.seconds is not None:
        data["seconds"] = round(event.seconds, 1)
    if event.writer is not None:
        data["w"] = event.writer
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True).encode() + b"\n"


class BadLine(ValueError):
    """A line that is not an event: its message says why, for one log line."""


def _moment(value: object, key: str) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise BadLine(f"{key} is not a time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadLine(f"{key} is not a time") from None
    offset = moment.utcoffset()
    if offset is None or abs(offset) > timedelta(hours=14) or not 2000 <= moment.year <= 9998:
        raise BadLine(f"{key} is not a time with its UTC offset")
    return moment


def _name(value: object, key: str) -> str:
    if not isinstance(value, str) or not NAME_RE.fullmatch(value):
        raise BadLine(f"{key} is not a name (letters, digits, - and _)")
    return value


def decode(line: bytes, device: str) -> Event:
    """The event a line from DEVICE's file says; BadLine if it is not one."""
    if len(line) > MAX_LINE:
        raise BadLine(f"over {MAX_LINE // 1024} KiB")
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BadLine("not JSON") from None
    if not isinstance(data, dict):
        raise BadLine("not an object")
    if data.get("v") != VERSION:
        raise BadLine(f"version {str(data.get('v'))[:10]!r} is not {VERSION}")
    ident = data.get("id")
    if not isinstance(ident, str) or not ID_RE.fullmatch(ident):
        raise BadLine("id is not 32 hex digits")
    writer = data.get("w")
    if writer is not None and (not isinstance(writer, str) or not ID_RE.fullmatch(writer)):
        raise BadLine("w is not 32 hex digits")
    try:
        kind = Wire(str(data.get("kind")))
    except ValueError:
        raise BadLine("kind is not one stretchd knows") from None
    at = _moment(data.get("at"), "at")
    reminder = _name(data["reminder"], "reminder") if data.get("reminder") is not None else None
    occurrence = data.get("occurrence")
    if occurrence is not None:
        try:
            # Only the one spelling (3.11 also reads "2026-W49-1"): one key for one day.
            if not isinstance(occurrence, str) or date.fromisoformat(occurrence).isoformat() != occurrence:
                raise ValueError
        except ValueError:
            raise BadLine("occurrence is not a date YYYY-MM-DD") from None
    if kind != Wire.COMPLETED and (reminder is None or occurrence is None):
        raise BadLine(f"a {kind} event needs a reminder and an occurrence")
    until = _moment(data["until"], "until") if data.get("until") is not None else None
    if kind == Wire.SNOOZED and until is None:
        raise BadLine("a snoozed event needs until")
    if until is not None and not timedelta(0) <= until - at <= MAX_SNOOZE:
        raise BadLine("until is not within a day after at")
    routine = _name(data["routine"], "routine") if data.get("routine") is not None else None
    seconds = data.get("seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int | float)
                                or not 0 <= seconds <= MAX_SECONDS):
        raise BadLine(f"seconds is not a number from 0 to {MAX_SECONDS}")
    if kind == Wire.COMPLETED and routine is None:
        raise BadLine("a completed event needs its routine")
    return Event(ident, device, kind, at, reminder, occurrence, until, routine,
                 float(seconds) if seconds is not None else None, writer)
