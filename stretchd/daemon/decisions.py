"""What the daemon decides, as functions of plain values: whether a due reminder shows, what
its notification says, and what each answer to it does. No clock, no store, no loop."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from stretchd import l10n
from stretchd.config import Defaults, Reminder
from stretchd.daemon.ports import Action, Notice
from stretchd.i18n import _, ngettext, pgettext
from stretchd.routines import Routine
from stretchd.routines.plan import format_duration, plan, planned_seconds
from stretchd.schedule import Due
from stretchd.store.history import Kind, Occurrence, Status, handled

LATE = timedelta(seconds=60)  # shown this much after its time, a reminder is marked late


class Verdict(StrEnum):
    """What to do with an occurrence that falls due."""

    SHOW = "show"
    HANDLED = "handled"  # answered, missed, or showing already: nothing to do
    SNOOZED_AHEAD = "snoozed ahead"  # snoozed before it came: its snooze alarm shows it later
    PAUSED = "paused"  # recorded as skipped, not shown


def verdict(got: Occurrence | None, due: Due, now: datetime, paused_until: datetime | None, *,
            again: bool) -> Verdict:
    """Whether a due occurrence shows. `again`: it comes back from a snooze, or its
    notification was lost with the server, so where it stands does not hold it back."""
    if got is not None and not again:
        if got.status == Status.SNOOZED and got.snoozed_until and got.snoozed_until > now:
            return Verdict.SNOOZED_AHEAD
        if handled(got, due.at):
            return Verdict.HANDLED
    if paused_until is not None and now < paused_until:
        return Verdict.PAUSED
    return Verdict.SHOW


@dataclass(frozen=True)
class Showing:
    """The one notification on screen: its occurrence, the notifier's handle, its snoozes."""

    due: Due
    handle: str
    snoozes: int


def is_late(due: Due, now: datetime, *, again: bool) -> bool:
    return not again and now - due.at > LATE


def shown_as(due: Due, now: datetime, snoozes: int, *, again: bool,
             why: str | None = None) -> tuple[Kind, str | None]:
    """The event a shown notification is recorded as, and its detail."""
    if is_late(due, now, again=again):
        return Kind.LATE, why or f"{int((now - due.at).total_seconds() // 60)} min late"
    if why is None and again:
        why = f"after {snoozes} snooze{'s' if snoozes != 1 else ''}"
    return Kind.SHOWN, why


def notice(reminder: Reminder, routine: Routine | None, snoozes: int, defaults: Defaults, *,
           late: bool, problem: str | None = None, after: str | None = None) -> Notice:
    """The notification for a reminder: its routine and length, and the buttons it may offer;
    with a problem, why the last Start did not open the walkthrough and what to do; `after`:
    it was held while the person was busy, and why it comes late ("after your call")."""
    length = format_duration(planned_seconds(plan(routine))) if routine else "?"
    title_name = routine.title if routine else reminder.routine
    # The built-in reminders' names in the person's language; a name of their own as it is.
    name = {"morning": pgettext("reminder", "morning"),
            "evening": pgettext("reminder", "evening")}.get(reminder.name, reminder.name)
    body = _("{Name} stretch: {routine}, {length}").format(
        Name=f"{name[:1].upper()}{name[1:]}", name=name, routine=title_name, length=length)
    if routine and routine.needs:
        body += _(" · you need {things}").format(things=_(" and ").join(routine.needs))
    if after:
        body += _(" — due at {time}, shown {why}").format(time=l10n.time_of_day(reminder.time), why=after)
    elif late:
        body += _(" — it was due at {time}").format(time=l10n.time_of_day(reminder.time))
    if problem:
        body += "\n" + _("Start did not work: {problem}. Or run: {command}").format(
            problem=problem, command=f"stretchd walk {reminder.routine}")
    buttons = [(Action.START, _("Start"))]
    if snoozes < defaults.max_snoozes:
        buttons.append((Action.SNOOZE, _("Snooze {n} min").format(n=defaults.snooze_minutes)))
    buttons.append((Action.SKIP, _("Skip")))
    # What is coming, for servers that show a picture: the routine's first position.
    first = routine.steps[0].image(routine.steps[0].sides[0]) if routine else None
    return Notice(_("Time to stretch"), body, tuple(buttons),
                  command=f"stretchd walk {reminder.routine} · stretchd snooze · stretchd skip",
                  critical=defaults.urgency == "critical",
                  image=first.as_uri() if first is not None else "")


@dataclass(frozen=True)
class Answer:
    """What an answer to the showing notification does. With no `kind`, nothing is recorded
    and the notification stays (a snooze refused after the last one allowed)."""

    message: str
    kind: Kind | None = None
    detail: str | None = None
    snoozes: int | None = None
    snoozed_until: datetime | None = None
    open_walk: bool = False


def answer(action: Action, showing: Showing, now: datetime, tz: tzinfo, defaults: Defaults,
           minutes: int | None = None) -> Answer:
    name = showing.due.reminder.name
    if action in (Action.START, Action.CLICKED):
        # TRANSLATORS: the reply to Start or `stretchd` commands; {reminder} is a reminder's name.
        return Answer(_("started {reminder}").format(reminder=name), Kind.STARTED, open_walk=True,
                      detail="body clicked" if action == Action.CLICKED else None)
    if action == Action.SNOOZE:
        n = showing.snoozes
        if n >= defaults.max_snoozes:
            return Answer(ngettext("{reminder} was snoozed {n} time already; Start or Skip it",
                                   "{reminder} was snoozed {n} times already; Start or Skip it",
                                   n).format(reminder=name, n=n))
        until = now + timedelta(minutes=minutes or defaults.snooze_minutes)
        # TRANSLATORS: {reminder} is a reminder's name; {time} when it shows again (07:45).
        return Answer(_("snoozed {reminder} until {time}").format(
                          reminder=name, time=l10n.time_of_day(until.astimezone(tz))), Kind.SNOOZED,
                      snoozes=n + 1, snoozed_until=until)
    if action == Action.SKIP:
        # TRANSLATORS: {reminder} is a reminder's name.
        return Answer(_("skipped {reminder}").format(reminder=name), Kind.SKIPPED)
    # TRANSLATORS: its notification was closed without a button; {reminder} is a reminder's name.
    return Answer(_("dismissed {reminder}").format(reminder=name), Kind.DISMISSED)


def left_unanswered(occurrences: list[Occurrence], now: datetime,
                    grace: timedelta) -> tuple[list[Occurrence], list[Occurrence]]:
    """At start: the occurrences a stopped (or killed) daemon left showing, or snoozed until a
    time that came while it was down, with no answer. Those within grace of when they were
    due (or their snooze ran out) show again; older ones were missed."""
    show: list[Occurrence] = []
    missed: list[Occurrence] = []
    for o in occurrences:
        if o.status == Status.SHOWING:
            since = o.scheduled
        elif o.status == Status.SNOOZED and o.snoozed_until is not None and o.snoozed_until <= now:
            since = o.snoozed_until
        else:
            continue
        (show if now - since <= max(grace, LATE) else missed).append(o)
    return show, missed


def weekly_notice(completed: Mapping[date, int], today: date, goal: int = 1) -> Notice:
    """The weekly summary notification: the last 7 days' walkthroughs (today included, so a
    summary on any weekday covers a whole week) and the streak."""
    from stretchd.store.stats import streaks

    week = [completed.get(today - timedelta(days=i), 0) for i in range(7)]
    current, longest, _rest = streaks(completed, today, goal)
    walks, days = sum(week), sum(1 for n in week if n)
    body = " ".join((
        ngettext("{n} walkthrough completed in the last 7 days,",
                 "{n} walkthroughs completed in the last 7 days,", walks).format(n=walks),
        ngettext("on {n} day.", "on {n} days.", days).format(n=days),
        ngettext("Streak: {n} day (longest {longest}).", "Streak: {n} days (longest {longest}).",
                 current).format(n=current, longest=longest)))
    return Notice(_("stretchd: your week"), body, ((Action.START, _("Open stats")),),
                  command="stretchd stats")
