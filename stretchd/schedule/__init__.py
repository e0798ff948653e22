"""Pure time logic: occurrences in local time (DST-safe), catch-up after a gap, pause, snooze.

Every function takes `now` (an aware datetime) and the time zone as arguments; reading the
machine's zone is zone.py's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from stretchd.config import Reminder
from stretchd.i18n import _

UTC = dt.UTC
MAX_GAP_DAYS = 8  # a week of days plus one covers every day filter


def _exists(naive: datetime, tz: tzinfo) -> bool:
    aware = naive.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def resolve(naive: datetime, tz: tzinfo) -> datetime:
    """A local wall time as an instant: the first one if repeated (fall-back), and if it does
    not exist (spring-forward), the first valid minute after it."""
    if _exists(naive, tz):
        return naive.replace(tzinfo=tz, fold=0)
    probe = naive.replace(second=0) + timedelta(minutes=1)
    for _minute in range(24 * 60):
        if _exists(probe, tz):
            return probe.replace(tzinfo=tz, fold=0)
        probe += timedelta(minutes=1)
    return naive.replace(tzinfo=tz)  # no zone has a gap this long


def occurrence_on(reminder: Reminder, day: dt.date, tz: tzinfo) -> datetime | None:
    if day.weekday() not in reminder.days:
        return None
    return resolve(datetime.combine(day, reminder.time), tz)


def next_occurrence(reminder: Reminder, after: datetime, tz: tzinfo) -> datetime | None:
    """The first occurrence strictly after `after`."""
    start = after.astimezone(tz).date() - timedelta(days=1)
    for offset in range(MAX_GAP_DAYS + 2):
        occ = occurrence_on(reminder, start + timedelta(days=offset), tz)
        if occ is not None and occ > after:
            return occ
    return None


def occurrences_between(reminder: Reminder, since: datetime, until: datetime,
                        tz: tzinfo) -> list[datetime]:
    """Occurrences in (since, until], at most MAX_GAP_DAYS back from until."""
    since = max(since, until - timedelta(days=MAX_GAP_DAYS))
    out = []
    day = since.astimezone(tz).date() - timedelta(days=1)
    last = until.astimezone(tz).date()
    while day <= last:
        occ = occurrence_on(reminder, day, tz)
        if occ is not None and since < occ <= until:
            out.append(occ)
        day += timedelta(days=1)
    return out


def occurrence_key(occ: datetime, tz: tzinfo) -> str:
    """A reminder fires once per local day: the local date names the occurrence."""
    return occ.astimezone(tz).date().isoformat()


@dataclass(frozen=True)
class Due:
    reminder: Reminder
    at: datetime  # the scheduled time
    key: str


def catch_up(reminders: Iterable[Reminder], since: datetime, now: datetime, grace: timedelta,
             handled: set[tuple[str, str]], tz: tzinfo) -> tuple[Due | None, list[Due]]:
    """After a gap (off, asleep, a clock jump): the one to show late, and the ones missed.

    The latest unhandled occurrence in (since, now] is shown if it is within grace; every
    other unhandled one in that span is missed.
    """
    pending = []
    for r in reminders:
        for occ in occurrences_between(r, since, now, tz):
            key = occurrence_key(occ, tz)
            if (r.name, key) not in handled:
                pending.append(Due(r, occ, key))
    pending.sort(key=lambda d: (d.at, d.reminder.name))
    if pending and now - pending[-1].at <= grace:
        return pending[-1], pending[:-1]
    return None, pending


def upcoming(reminders: Iterable[Reminder], now: datetime, tz: tzinfo,
             skipped: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
             paused_until: datetime | None = None) -> list[tuple[Due, str]]:
    """Each reminder's next occurrence, soonest first, with what will happen to it."""
    out = []
    for r in reminders:
        occ = next_occurrence(r, now, tz)
        if occ is None:
            continue
        due = Due(r, occ, occurrence_key(occ, tz))
        if (r.name, due.key) in skipped:
            note = "skipped"
        elif paused_until is not None and occ < paused_until:
            note = "paused"
        else:
            note = ""
        out.append((due, note))
    out.sort(key=lambda pair: (pair[0].at, pair[0].reminder.name))
    return out


def parse_duration(text: str) -> timedelta:
    """'90m', '2h', '1h30m', '45' (minutes), '1d': a positive duration up to 30 days."""
    import re

    raw = text.strip().lower()
    if raw.isdigit():
        minutes = int(raw)
        delta = timedelta(minutes=minutes)
    else:
        m = re.fullmatch(r"(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?", raw)
        if not raw or not m or not any(m.groups()):
            # TRANSLATORS: {value} is what the person typed; 30m, 2h, 1h30m and 1d are typed as they are.
            raise ValueError(_('"{value}" is not a duration; use e.g. 30m, 2h, 1h30m or 1d')
                             .format(value=text))
        d, h, mins = (int(g or 0) for g in m.groups())
        delta = timedelta(days=d, hours=h, minutes=mins)
    if not timedelta(0) < delta <= timedelta(days=30):
        raise ValueError(_('"{value}" is out of range; use from 1 minute to 30 days').format(value=text))
    return delta


def parse_when(text: str, now: datetime, tz: tzinfo) -> datetime:
    """'HH:MM' (the next such time), 'YYYY-MM-DD HH:MM', or 'YYYY-MM-DD' (its midnight)."""
    from stretchd.config import parse_time

    raw = text.strip()
    t = parse_time(raw)
    if t is not None:
        local = now.astimezone(tz)
        when = resolve(datetime.combine(local.date(), t), tz)
        return when if when > now else resolve(datetime.combine(local.date() + timedelta(days=1), t), tz)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        # TRANSLATORS: {value} is what the person typed; HH:MM and YYYY-MM-DD are formats to type as they are.
        raise ValueError(_('"{value}" is not a time; use HH:MM, "YYYY-MM-DD HH:MM" or YYYY-MM-DD')
                         .format(value=text)) from None
    when = parsed if parsed.tzinfo else resolve(parsed, tz)
    if when <= now:
        # TRANSLATORS: {value} is the time or date the person typed.
        raise ValueError(_('"{value}" is in the past').format(value=text))
    return when
