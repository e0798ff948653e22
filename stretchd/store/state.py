"""Snooze, skip, pause and status on the store: shared by the daemon and the CLI (no daemon)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from stretchd import l10n
from stretchd.bounds import SNOOZE_MINUTES, minutes_problem, within
from stretchd.config import Config, Reminder
from stretchd.errors import UsageError, did_you_mean
from stretchd.i18n import _
from stretchd.l10n import at_phrase, describe_time
from stretchd.schedule import Due, next_occurrence, occurrence_key, occurrence_on, upcoming
from stretchd.store.history import FINAL, Kind, Occurrence, Status, Store, handled


@dataclass(frozen=True)
class Context:
    config: Config
    store: Store  # the daemon's keeps the writes a full disk refused
    tz: tzinfo


def snooze_minutes(requested: object, config: Config) -> int:
    """How long a snooze lasts: the minutes asked for, else the config's default; in bounds."""
    minutes = config.defaults.snooze_minutes if requested is None else requested
    if not within(minutes, SNOOZE_MINUTES):
        raise UsageError(minutes_problem())
    assert isinstance(minutes, int)
    return minutes


def find_reminder(config: Config, name: str) -> Reminder:
    r = config.reminder(name)
    if r is None:
        names = [x.name for x in config.reminders]
        # TRANSLATORS: {suggestion} is empty or ' (did you mean "morning"?)'; {names} lists the
        # reminders of config.toml, or says "none".
        raise UsageError(_('no reminder named "{name}"{suggestion}; known: {names}').format(
            name=name, suggestion=did_you_mean(name, names),
            # TRANSLATORS: in place of a list of reminders, when there is none.
            names=", ".join(names) or _("none")))
    return r


def _pending_snoozes(ctx: Context, now: datetime) -> dict[str, Occurrence]:
    """Each reminder's snoozed occurrence still to come back (the soonest)."""
    since = (now - timedelta(days=1)).astimezone(ctx.tz).date().isoformat()
    found: dict[str, Occurrence] = {}
    for o in ctx.store.occurrences(since, status=Status.SNOOZED):
        if o.snoozed_until and o.snoozed_until > now:
            mine = found.get(o.reminder)
            if mine is None or o.snoozed_until < (mine.snoozed_until or o.snoozed_until):
                found[o.reminder] = o
    return found


def next_due(ctx: Context, now: datetime, reminder: str | None = None) -> tuple[datetime, Due]:
    """What shows next (of one reminder, or of any), and when: a snoozed occurrence coming
    back, or the next occurrence that is still to come (past skipped ones)."""
    reminders = [find_reminder(ctx.config, reminder)] if reminder else list(ctx.config.reminders)
    snoozed = _pending_snoozes(ctx, now)
    best: tuple[datetime, Due] | None = None
    for r in reminders:
        s = snoozed.get(r.name)
        if s is not None and s.snoozed_until is not None and (best is None or s.snoozed_until < best[0]):
            best = (s.snoozed_until, Due(r, s.scheduled, s.occurrence))
        after = now
        for _step in range(14):  # step past occurrences already skipped (or snoozed, counted above)
            occ = next_occurrence(r, after, ctx.tz)
            if occ is None:
                break
            key = occurrence_key(occ, ctx.tz)
            got = ctx.store.occurrence(r.name, key)
            if not handled(got, occ) and not (got is not None and got.status == Status.SNOOZED):
                if best is None or occ < best[0]:
                    best = (occ, Due(r, occ, key))
                break
            after = occ
    if best is None:
        raise UsageError(_("no reminder is scheduled; add one with `stretchd schedule add`"))
    return best


def skip_next(ctx: Context, now: datetime, reminder: str | None) -> str:
    when, due = next_due(ctx, now, reminder)
    ctx.store.record(due.reminder.name, due.key, due.at, Kind.SKIPPED, now, detail="in advance")
    # TRANSLATORS: {when} is at_phrase's: "at 07:30", "tomorrow at 07:30" or "on Wed 25 Nov at 07:30".
    return _("skipped {reminder} {when}").format(reminder=due.reminder.name,
                                                 when=at_phrase(when, now, ctx.tz))


def snooze_next(ctx: Context, now: datetime, minutes: int) -> str:
    """Snooze what shows next by minutes more, from when it would show."""
    when, due = next_due(ctx, now)
    until = when + timedelta(minutes=minutes)
    ctx.store.record(due.reminder.name, due.key, due.at, Kind.SNOOZED, now, snoozed_until=until,
                     detail="in advance")
    # TRANSLATORS: {when} is "at 07:30", "tomorrow at 07:30" or "on Wed 25 Nov at 07:30".
    return _("snoozed {reminder}: it will show {when}").format(reminder=due.reminder.name,
                                                               when=at_phrase(until, now, ctx.tz))


def unskip(ctx: Context, now: datetime, reminder: str | None) -> tuple[str, Due]:
    """Undo a skip: the soonest skipped occurrence still to come, else the latest one within
    grace (which then shows now). The message, and the occurrence."""
    if reminder is not None:
        find_reminder(ctx.config, reminder)
    since = (now - timedelta(days=1)).astimezone(ctx.tz).date().isoformat()
    grace = timedelta(minutes=max(ctx.config.defaults.grace_minutes, 1))
    skipped = [o for o in ctx.store.occurrences(since, status=Status.SKIPPED)
               if (reminder is None or o.reminder == reminder) and o.scheduled > now - grace
               and ctx.config.reminder(o.reminder) is not None]
    coming = sorted((o for o in skipped if o.scheduled > now), key=lambda o: o.scheduled)
    past = sorted((o for o in skipped if o.scheduled <= now), key=lambda o: o.scheduled)
    chosen = coming[0] if coming else past[-1] if past else None
    if chosen is None:
        minutes = int(grace.total_seconds() // 60)
        if reminder:
            raise UsageError(_("no skip of {reminder} to undo (a skip can be undone until it is "
                               "{minutes} min past its time)").format(reminder=reminder, minutes=minutes))
        raise UsageError(_("no skip to undo (a skip can be undone until it is {minutes} min past "
                           "its time)").format(minutes=minutes))
    r = ctx.config.reminder(chosen.reminder)
    assert r is not None
    ctx.store.reopen(chosen.reminder, chosen.occurrence, now)
    due = Due(r, chosen.scheduled, chosen.occurrence)
    when = at_phrase(chosen.scheduled, now, ctx.tz)
    if chosen.scheduled > now:
        # TRANSLATORS: {when} is "at 07:30", "tomorrow at 07:30" or "on Wed 25 Nov at 07:30".
        return _("unskipped {reminder}: it shows {when}").format(reminder=r.name, when=when), due
    # TRANSLATORS: {when} is "at 07:30" (its time, just past).
    return _("unskipped {reminder} (due {when}): it shows now").format(reminder=r.name, when=when), due


def after_move(ctx: Context, now: datetime, name: str) -> str:
    """After a reminder got a new time: whether it still shows today, or why not."""
    r = find_reminder(ctx.config, name)
    today = now.astimezone(ctx.tz).date()
    at = occurrence_on(r, today, ctx.tz)
    got = ctx.store.occurrence(name, today.isoformat())
    if at is not None and at > now and not handled(got, at) and not (got and got.status == Status.SNOOZED):
        # TRANSLATORS: after `stretchd schedule set`; {time} is the reminder's new time (07:30).
        return _("it shows today at {time}").format(time=l10n.time_of_day(r.time, seconds=True))
    when, _due = next_due(ctx, now, name)
    if at is not None and at > now and got is not None:
        # TRANSLATORS: after `stretchd schedule set`; {status} is a history word kept as it is
        # (started, skipped, snoozed...); {when} is "tomorrow at 07:30" or "on Wed 25 Nov at 07:30".
        return _("today's was {status} already; next {when}").format(
            status=got.status, when=at_phrase(when, now, ctx.tz))
    # TRANSLATORS: after `stretchd schedule set`; {when} is "tomorrow at 07:30" or "on Wed 25 Nov at 07:30".
    return _("next {when}").format(when=at_phrase(when, now, ctx.tz))


def pause(ctx: Context, now: datetime, until: datetime) -> str:
    ctx.store.set_state("paused_until", until.isoformat())
    # TRANSLATORS: {when} is "09:00", "tomorrow 09:00" or "Wed 25 Nov 09:00".
    return _("paused until {when}").format(when=describe_time(until, now, ctx.tz))


def resume(ctx: Context) -> str:
    was = ctx.store.paused_until()
    ctx.store.set_state("paused_until", None)
    return _("resumed") if was else _("was not paused")


def _done_notes(ctx: Context, occs: list[Occurrence]) -> dict[tuple[str, str], str]:
    """Occurrences that will not show, with why, for status: skipped, or (moved later the
    same day) done already."""
    notes = {}
    for o in occs:
        r = ctx.config.reminder(o.reminder)
        at = occurrence_on(r, date.fromisoformat(o.occurrence), ctx.tz) if r else None
        if at is not None and o.status in FINAL and handled(o, at):
            notes[(o.reminder, o.occurrence)] = ("skipped" if o.status == Status.SKIPPED
                                                 else f"{o.status} already today")
    return notes


def status(ctx: Context, now: datetime) -> dict[str, Any]:
    """The next reminders and the snooze/skip/pause state, as plain data (for --json too)."""
    since = (now - timedelta(days=1)).astimezone(ctx.tz).date().isoformat()
    occs = ctx.store.occurrences(since)
    done = _done_notes(ctx, occs)
    paused = ctx.store.paused_until()
    if paused is not None and paused <= now:
        paused = None
    snoozed_back = _pending_snoozes(ctx, now)
    nxt = []
    for due, note in upcoming(ctx.config.reminders, now, ctx.tz, set(done), paused):
        at = due.at
        note = done.get((due.reminder.name, due.key), note)
        back = snoozed_back.get(due.reminder.name)
        if back is not None and back.snoozed_until is not None and (
                back.snoozed_until <= due.at or back.occurrence == due.key):
            at, note = back.snoozed_until, "snoozed"  # one reminder, one next time
            if paused is not None and at < paused:
                note = "paused"  # it comes back while paused: recorded skipped, not shown
        nxt.append({
            "reminder": due.reminder.name,
            "at": at.isoformat(),
            "when": describe_time(at, now, ctx.tz),
            "routine": due.reminder.routine,
            "days": due.reminder.days_text(),
            "note": note,
        })
    nxt.sort(key=lambda n: (datetime.fromisoformat(n["at"]), n["reminder"]))
    snoozed = [
        {"reminder": o.reminder, "until": o.snoozed_until.isoformat(),
         "when": describe_time(o.snoozed_until, now, ctx.tz), "snoozes": o.snoozes}
        for o in occs if o.status == Status.SNOOZED and o.snoozed_until
    ]
    return {
        "next": nxt,
        "snoozed": snoozed,
        "paused_until": paused.isoformat() if paused else None,
        "paused_when": describe_time(paused, now, ctx.tz) if paused else None,
        "config": str(ctx.config.path) if ctx.config.path else "built-in default",
    }
