"""Snooze, skip, pause and status on the store: shared by the daemon and the CLI (no daemon)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from stretchd.commands import MINUTES
from stretchd.config import Config, Reminder, format_time
from stretchd.errors import UsageError, did_you_mean
from stretchd.history import FINAL, Kind, Status, Store
from stretchd.schedule import Due, next_occurrence, occurrence_key, upcoming


@dataclass(frozen=True)
class Context:
    config: Config
    store: Store  # the daemon's keeps the writes a full disk refused
    tz: tzinfo


def snooze_minutes(requested: object, config: Config) -> int:
    """How long a snooze lasts: the minutes asked for, else the config's default; 1-240."""
    minutes = config.defaults.snooze_minutes if requested is None else requested
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 240:
        raise UsageError(MINUTES)
    return minutes


def find_reminder(config: Config, name: str) -> Reminder:
    r = config.reminder(name)
    if r is None:
        names = [x.name for x in config.reminders]
        raise UsageError(f'no reminder named "{name}"{did_you_mean(name, names)}; '
                         f"known: {', '.join(names) or 'none'}")
    return r


def next_due(ctx: Context, now: datetime, reminder: str | None = None) -> Due:
    """The next occurrence that is still to come (of one reminder, or of any)."""
    reminders = [find_reminder(ctx.config, reminder)] if reminder else list(ctx.config.reminders)
    best: Due | None = None
    for r in reminders:
        after = now
        for _ in range(14):  # step past occurrences already skipped
            occ = next_occurrence(r, after, ctx.tz)
            if occ is None:
                break
            key = occurrence_key(occ, ctx.tz)
            got = ctx.store.occurrence(r.name, key)
            if got is None or got.status not in FINAL:
                if best is None or occ < best.at:
                    best = Due(r, occ, key)
                break
            after = occ
    if best is None:
        raise UsageError("no reminder is scheduled; add one with `stretchd schedule add`")
    return best


def skip_next(ctx: Context, now: datetime, reminder: str | None) -> str:
    due = next_due(ctx, now, reminder)
    ctx.store.record(due.reminder.name, due.key, due.at, Kind.SKIPPED, now, detail="in advance")
    return f"skipped {due.reminder.name} at {describe_time(due.at, now, ctx.tz)}"


def snooze_next(ctx: Context, now: datetime, minutes: int) -> str:
    due = next_due(ctx, now)
    got = ctx.store.occurrence(due.reminder.name, due.key)
    base = got.snoozed_until if got and got.snoozed_until else due.at
    until = base + timedelta(minutes=minutes)
    ctx.store.record(due.reminder.name, due.key, due.at, Kind.SNOOZED, now, snoozed_until=until,
                     detail="in advance")
    return f"snoozed {due.reminder.name}: it will show at {describe_time(until, now, ctx.tz)}"


def pause(ctx: Context, now: datetime, until: datetime) -> str:
    ctx.store.set_state("paused_until", until.isoformat())
    return f"paused until {describe_time(until, now, ctx.tz)}"


def resume(ctx: Context) -> str:
    was = ctx.store.paused_until()
    ctx.store.set_state("paused_until", None)
    return "resumed" if was else "was not paused"


def describe_time(moment: datetime, now: datetime, tz: tzinfo) -> str:
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = format_time(local.time().replace(microsecond=0))
    if local.date() == today:
        return clock
    if local.date() == today + timedelta(days=1):
        return f"tomorrow {clock}"
    return f"{local:%a %d %b} {clock}"


def status(ctx: Context, now: datetime) -> dict[str, Any]:
    """The next reminders and the snooze/skip/pause state, as plain data (for --json too)."""
    since = (now - timedelta(days=1)).astimezone(ctx.tz).date().isoformat()
    occs = ctx.store.occurrences(since)
    skipped = {(o.reminder, o.occurrence) for o in occs if o.status in FINAL}
    paused = ctx.store.paused_until()
    if paused is not None and paused <= now:
        paused = None
    nxt = []
    for due, note in upcoming(ctx.config.reminders, now, ctx.tz, skipped, paused):
        nxt.append({
            "reminder": due.reminder.name,
            "at": due.at.isoformat(),
            "when": describe_time(due.at, now, ctx.tz),
            "routine": due.reminder.routine,
            "days": due.reminder.days_text(),
            "note": note,
        })
    snoozed = [
        {"reminder": o.reminder, "until": o.snoozed_until.isoformat(),
         "when": describe_time(o.snoozed_until, now, ctx.tz), "snoozes": o.snoozes}
        for o in occs if o.status == Status.SNOOZED and o.snoozed_until
    ]
    return {
        "next": nxt,
        "snoozed": snoozed,
        "paused_until": paused.isoformat() if paused else None,
        "config": str(ctx.config.path) if ctx.config.path else "built-in default",
    }
