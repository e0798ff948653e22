"""This computer's history and the shared folder of [sync]: what it recorded goes out, what the
others wrote comes in, and what an answer elsewhere does to an occurrence here (`settles`).

The folder's engine (Syncthing, or any that keeps a folder the same) only copies files: each
computer appends to its own, so there is nothing to conflict on, and events merge by id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from stretchd.config import Config
from stretchd.schedule import occurrence_on
from stretchd.store import peers
from stretchd.store.history import History, Kind, Occurrence, Status, Store
from stretchd.sync.events import BadLine, Event, Wire, decode, encode, file_name
from stretchd.sync.folder import CHUNK, Mark, SharedFolder, group

# An answer's weight: an occurrence here takes an answer from elsewhere only if it weighs
# more than where it stands, so any order of arrival ends in the same place.
RANK = {Status.SHOWING: 0, Status.HELD: 0, Status.MISSED: 1, Status.DISMISSED: 1,
        Status.SUPERSEDED: 1, Status.SNOOZED: 2, Status.SKIPPED: 3, Status.STARTED: 4}
ANSWERS = {Wire.SNOOZED: Status.SNOOZED, Wire.SKIPPED: Status.SKIPPED,
           Wire.STARTED: Status.STARTED, Wire.COMPLETED: Status.STARTED}


def settles(local: Occurrence | None, event: Event, now: datetime) -> Status | None:
    """Where an answer on another computer puts this computer's occurrence, or None if it
    changes nothing: a Start, a Skip or a completed walkthrough settles it; a snooze brings
    it back at the snooze's end (one that has ended already changes nothing, so a folder
    catching up after days shows nothing again)."""
    status = ANSWERS.get(event.kind)
    if status is None or event.reminder is None or event.occurrence is None:
        return None
    rank = RANK[local.status] if local is not None else 0
    if status == Status.SNOOZED:
        if event.until is None or event.until <= now or rank > RANK[Status.SNOOZED]:
            return None
        if (local is not None and local.status == Status.SNOOZED and local.snoozed_until
                and local.snoozed_until >= event.until):
            return None
        return status
    return status if RANK[status] > rank else None


@dataclass(frozen=True)
class Settled:
    reminder: str
    occurrence: str
    status: Status
    detail: str  # "skipped on desktop", "snoozed on desktop until 07:40"
    until: datetime | None  # a snooze's end: its alarm is set here too


def settle(store: Store, config: Config, tz: tzinfo, event: Event, now: datetime) -> Settled | None:
    """Record here an answer given on another computer to one of this computer's reminders
    (the same name; each computer its own time): `Kind.ELSEWHERE`, never shared back."""
    r = config.reminder(event.reminder) if event.reminder else None
    if r is None or event.occurrence is None:
        return None
    key = event.occurrence
    local = store.occurrence(r.name, key)
    status = settles(local, event, now)
    if status is None:
        return None
    scheduled = local.scheduled if local else occurrence_on(r, date.fromisoformat(key), tz)
    if scheduled is None:
        return None  # not a day this reminder is due here
    until = event.until if status == Status.SNOOZED else None
    detail = f"{event.kind} on {event.device}"
    if until is not None:
        detail += f" until {until.astimezone(tz):%H:%M}"
    store.record(r.name, key, scheduled, Kind.ELSEWHERE, now, status=status, detail=detail,
                 snoozed_until=until)
    return Settled(r.name, key, status, detail, until)


@dataclass
class Taken:
    """What one look at the folder brought in."""

    new: list[Event] = field(default_factory=list)  # events not seen before, in file order
    problems: list[str] = field(default_factory=list)  # one line each, for the log
    clashes: set[str] = field(default_factory=set)  # names two computers write under
    more: set[str] = field(default_factory=set)  # files with more to read (read in pieces)


class Exchange:
    def __init__(self, history: History, folder: SharedFolder) -> None:
        self.history = history
        self.folder = folder
        self.marks = peers.marks(history)
        self.me = peers.writer(history)
        self._mine: set[str] = set()  # this computer's files where a line of its own was read

    def send(self) -> int:
        """Append what this computer recorded and has not shared yet to its own files;
        FolderError or StretchdError if it cannot now (it is sent next time)."""
        total = 0
        while batch := peers.unshared(self.history, self.folder.device):
            lines = [(file_name(self.folder.device, o.event.at), encode(o.event))
                     for o in batch if o.event is not None]
            if lines:
                self.folder.append(group(lines))
            peers.mark_shared(self.history, batch)
            total += len(lines)
        return total

    def take_in(self, names: Iterable[str] | None = None, budget: int = CHUNK) -> Taken:
        """Read what was added to the folder's files (all of them, or these) since last read,
        about `budget` bytes at a time: the rest is in `more`, for the caller's next turn."""
        taken = Taken()
        listed = dict(self.folder.names())
        wanted = listed if names is None else {n: listed[n] for n in names if n in listed}
        spent = 0
        for name, about in wanted.items():
            if spent >= budget:
                taken.more.add(name)
                continue
            before = self.marks.get(name, Mark())
            read = self.folder.read(name, before)
            if read.refused:
                taken.problems.append(f"{self.folder.path / name}: not read: {read.refused}")
                continue
            spent += max(0, read.mark.offset - before.offset) or read.mark.offset
            events: list[Event] = []
            bad: list[str] = list(read.skipped)
            for line in read.lines:
                try:
                    events.append(decode(line, about.device))
                except BadLine as e:
                    bad.append(str(e))
            if bad:
                more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
                taken.problems.append(f"{self.folder.path / name}: a line skipped: {bad[0]}{more}")
            if about.conflict:
                taken.clashes.add(about.device)
            if about.device == self.folder.device:
                events = self._others(name, events, taken)
            taken.new.extend(peers.add(self.history, events))
            if read.mark != before:
                peers.set_mark(self.history, name, read.mark)
                self.marks[name] = read.mark
            if read.more:
                taken.more.add(name)
        return taken

    def _others(self, name: str, events: list[Event], taken: Taken) -> list[Event]:
        """In a file under this computer's name: the lines another history wrote. Those that
        come after one of ours mean another computer writes under this name now; those
        before are this computer's own history of before (restored), and merge as they are."""
        mine = name in self._mine
        others = []
        for e in events:
            if e.writer == self.me:
                mine = True
                continue
            others.append(e)
            if mine:
                taken.clashes.add(self.folder.device)
        if mine:
            self._mine.add(name)
        return others
