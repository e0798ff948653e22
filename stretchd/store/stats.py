"""Did I actually stretch? Streaks, completion rates and a calendar heatmap, from the history.

Plain dates in, numbers out: the history hands over its rows (store/summary.py: summed up
by SQLite, or every row), this module counts them; `stretchd stats` prints, and `--json`
dumps, what it counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stretchd import l10n
from stretchd.i18n import _, ngettext, pgettext
from stretchd.text import columns, fit, ljust

if TYPE_CHECKING:
    from stretchd.store.history import WalkStats

# Occurrence statuses that mean the reminder came and went unanswered.
MISSED = frozenset({"missed", "dismissed", "superseded"})
ADVICE_AT_LEAST = 10  # occurrences of a reminder in the period before advice is given about it
SHADES = " .-+#"  # ASCII: nothing due and nothing done, none done, under half, half or more, all
LEVEL_COLOURS = ("grey23", "grey50", "dark_green", "green3", "bright_green")


@dataclass(frozen=True)
class OccRow:
    """One reminder occurrence: its local date, where it stands, what happened on the way."""

    reminder: str
    day: dt.date
    status: str
    snoozed: bool = False
    held: bool = False


@dataclass(frozen=True)
class WalkRow:
    """One walkthrough: the local date it ended (else started), and how it went."""

    day: dt.date
    routine: str
    reminder: str | None
    completed: bool
    seconds: float = 0.0  # how long it ran, 0 if it never ended
    count: int = 1  # walks alike (a day's, summed up in SQL): seconds is theirs together


@dataclass
class Rate:
    due: int = 0
    done: int = 0
    snoozed: int = 0
    skipped: int = 0
    held: int = 0
    missed: int = 0

    def share(self, what: str) -> float:
        return round(getattr(self, what) / self.due, 3) if self.due else 0.0

    def as_json(self) -> dict[str, Any]:
        shares = {k: self.share(k) for k in ("done", "snoozed", "skipped", "held", "missed")}
        return {"due": self.due, **shares, "rate": shares["done"]}


@dataclass
class Stats:
    today: dt.date
    start: dt.date  # the first day of the period (a Monday)
    goal: int
    days: dict[dt.date, tuple[int, int]]  # (walkthroughs completed, reminders due), in the period
    current: int
    longest: int
    today_counts: bool
    reminders: dict[str, Rate] = field(default_factory=dict)
    routines: dict[str, tuple[int, int]] = field(default_factory=dict)  # (walks, completed)
    minutes_week: float = 0.0
    minutes_total: float = 0.0
    walks_total: int = 0
    advice: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(), "to": self.today.isoformat(), "streak_goal": self.goal,
            "streak": {"current": self.current, "longest": self.longest,
                       "today_counts": self.today_counts},
            "days": [{"date": d.isoformat(), "done": done, "due": due}
                     for d, (done, due) in sorted(self.days.items())],
            "reminders": {name: r.as_json() for name, r in sorted(self.reminders.items())},
            "routines": {name: {"walks": walks, "completed": done,
                                "rate": round(done / walks, 3) if walks else 0.0}
                         for name, (walks, done) in sorted(self.routines.items())},
            "minutes": {"week": round(self.minutes_week, 1), "total": round(self.minutes_total, 1)},
            "walks": self.walks_total,
            "advice": self.advice,
        }


def streaks(completed: Mapping[dt.date, int], today: dt.date, goal: int = 1) -> tuple[int, int, bool]:
    """(current, longest, today counts): a day counts with at least `goal` walkthroughs
    completed. Today still open does not break a streak: the current one runs to yesterday
    until today counts."""
    good = sorted(d for d, n in completed.items() if n >= goal and d <= today)
    longest = run = 0
    previous: dt.date | None = None
    for d in good:
        run = run + 1 if previous is not None and d - previous == dt.timedelta(days=1) else 1
        longest = max(longest, run)
        previous = d
    good_set = set(good)
    today_counts = today in good_set
    day = today if today_counts else today - dt.timedelta(days=1)
    current = 0
    while day in good_set:
        current += 1
        day -= dt.timedelta(days=1)
    return current, longest, today_counts


def period_start(today: dt.date, weeks: int) -> dt.date:
    """The Monday `weeks - 1` weeks before this week's."""
    return today - dt.timedelta(days=today.weekday(), weeks=weeks - 1)


def compute(occurrences: Iterable[OccRow], walks: Iterable[WalkRow], today: dt.date, *,
            weeks: int = 26, goal: int = 1, times: Mapping[str, dt.time] | None = None) -> Stats:
    """The numbers of `stretchd stats`: the streak over all the history, the rest over the
    last `weeks` weeks. `times`: each reminder's time, for advice on moving it."""
    start = period_start(today, weeks)
    monday = today - dt.timedelta(days=today.weekday())
    completed: Counter[dt.date] = Counter()
    done_by: Counter[tuple[str, dt.date]] = Counter()  # completed walks of a reminder on a day
    routines: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    minutes_week = minutes_total = 0.0
    walks_total = 0
    for w in walks:
        walks_total += w.count
        minutes_total += w.seconds / 60
        if monday <= w.day <= today:
            minutes_week += w.seconds / 60
        if w.completed:
            completed[w.day] += w.count
            if w.reminder:
                done_by[(w.reminder, w.day)] += w.count
        if start <= w.day <= today:
            counts = routines[w.routine]
            counts[0] += w.count
            counts[1] += w.completed * w.count
    due: Counter[dt.date] = Counter()
    rates: dict[str, Rate] = defaultdict(Rate)
    for o in occurrences:
        if not start <= o.day <= today:
            continue
        due[o.day] += 1
        r = rates[o.reminder]
        r.due += 1
        if done_by[(o.reminder, o.day)]:
            r.done += 1
            done_by[(o.reminder, o.day)] -= 1  # two walks do not make two occurrences done
        elif o.status == "skipped":
            r.skipped += 1
        elif o.status in MISSED or (o.status in ("showing", "held") and o.day < today):
            r.missed += 1
        r.snoozed += o.snoozed
        r.held += o.held
    days = {start + dt.timedelta(days=i): (completed[start + dt.timedelta(days=i)],
                                           due[start + dt.timedelta(days=i)])
            for i in range((today - start).days + 1)}
    current, longest, today_counts = streaks(completed, today, goal)
    stats = Stats(today, start, goal, days, current, longest, today_counts, dict(rates),
                  {k: (v[0], v[1]) for k, v in routines.items()}, minutes_week, minutes_total,
                  walks_total)
    stats.advice = advice(stats.reminders, times or {})
    return stats


def advice(rates: Mapping[str, Rate], times: Mapping[str, dt.time]) -> str | None:
    """One sentence when a reminder is mostly not followed, with the command that moves it."""
    best: tuple[float, str] | None = None
    for name, r in rates.items():
        at = times.get(name)
        if at is None or r.due < ADVICE_AT_LEAST:
            continue
        for what, share, later in (("skipped", r.share("skipped"), at.hour < 12),
                                   ("missed", r.share("missed"), at.hour < 12),
                                   ("snoozed", r.share("snoozed"), True)):
            if share < 0.5 or (best is not None and share <= best[0]):
                continue
            step = dt.timedelta(minutes=30 if what == "snoozed" else 60) * (1 if later else -1)
            moved_at = dt.datetime.combine(dt.date(2000, 1, 3), at) + step
            if moved_at.date() != dt.date(2000, 1, 3):
                continue  # not past midnight: that is another day's reminder
            best = (share, _advice(name, what, round(share * 10), f"{moved_at.time():%H:%M}"))
    return best[1] if best else None


def _advice(name: str, what: str, tens: int, time: str) -> str:
    """The advice's sentence: `what` (skipped, missed or snoozed) `tens` times in 10."""
    if what == "skipped":
        # TRANSLATORS: advice below `stretchd stats`; {reminder} is a reminder's name, {tens} a
        # number from 5 to 10, {command} the command that moves it (as it is).
        text = _("{reminder} is skipped {tens} times in 10: move it? {command}")
    elif what == "missed":
        text = _("{reminder} is missed {tens} times in 10: move it? {command}")
    else:
        text = _("{reminder} is snoozed {tens} times in 10: move it? {command}")
    return text.format(reminder=name, tens=tens, command=f"`stretchd schedule set {name} {time}`")


# The calendar ------------------------------------------------------------------------------

def _right(text: str, width: int) -> str:
    return " " * max(0, width - columns(text)) + text


def level(done: int, due: int) -> int:
    """0 nothing due and nothing done, 1 none done, 2 under half, 3 half or more, 4 all."""
    if not due:
        return 4 if done else 0
    share = min(done, due) / due
    return 4 if share >= 1 else 3 if share >= 0.5 else 2 if share > 0 else 1


def heatmap(days: Mapping[dt.date, tuple[int, int]], today: dt.date, weeks: int, width: int,
            colour: bool) -> tuple[list[str], int]:
    """The calendar as lines (rich markup when colour, else plain ASCII), GitHub-style: a column
    a week (Monday on top), the last one this week; as many weeks as the width holds. Returns
    the lines and the number of weeks shown."""
    a_monday = today - dt.timedelta(days=today.weekday())
    names = tuple(l10n.weekday(a_monday + dt.timedelta(days=i)) for i in range(7))  # Mon..Sun
    label = max(3, *(columns(n) for n in names)) + 1  # the labels' column, a space after them
    shown = max(1, min(weeks, (width - label) // 2))
    start = period_start(today, shown)
    months, previous = "", 0
    for col in range(shown):  # a month's name over the first week that starts in it
        monday = start + dt.timedelta(weeks=col)
        if monday.month != previous:
            previous = monday.month
            if col * 2 > columns(months) or not months:
                months = ljust(months, col * 2) + l10n.month(monday)
    lines = [" " * label + months[:fit(months, shown * 2)].rstrip()]
    for row, name in enumerate(names):
        cells = []
        for col in range(shown):
            day = start + dt.timedelta(weeks=col, days=row)
            if day > today:
                cells.append("  ")
                continue
            lvl = level(*days.get(day, (0, 0)))
            mark = "<" if day == today else " "
            if colour:
                style = LEVEL_COLOURS[lvl] + (" bold" if day == today else "")
                cells.append(f"[{style}]■[/]{mark}")
            else:
                cells.append(SHADES[lvl] + mark)
        lines.append(ljust(name, label) + "".join(cells).rstrip())
    shades = " ".join(f"[{c}]■[/]" for c in LEVEL_COLOURS[1:]) if colour else ". - + #"
    # TRANSLATORS: the calendar's legend: "less . - + # more  < today"; the shades between "less"
    # and "more" mean fewer and more walkthroughs, "<" marks today.
    less, more, today_mark = (pgettext("calendar", "less"), pgettext("calendar", "more"),
                              pgettext("calendar", "today"))
    lines.append(f"{' ' * label}{less} {shades} {more}  < {today_mark}")
    return lines, shown


def minutes_text(minutes: float) -> str:
    whole = round(minutes)
    if whole >= 60:
        # TRANSLATORS: time spent stretching, in `stretchd stats`; h: hours, min: minutes.
        return _("{hours} h {minutes} min").format(hours=whole // 60, minutes=whole % 60)
    # TRANSLATORS: time spent stretching, in `stretchd stats`; min: minutes.
    return _("{minutes} min").format(minutes=whole)


def percent(share: float) -> str:
    return l10n.percent(share)


def _row(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    """A table's row: the name to the left of its column, the numbers to the right of theirs."""
    return "  ".join([ljust(cells[0], widths[0]),
                      *(_right(c, w) for c, w in zip(cells[1:], widths[1:], strict=True))])


def report(s: Stats) -> list[str]:
    """The numbers below the calendar, as plain lines."""
    if s.current and not s.today_counts:
        # TRANSLATORS: in `stretchd stats`: {n} days in a row, today still to do; {longest} in days.
        streak = ngettext("Streak: {n} day (today not yet), longest {longest}",
                          "Streak: {n} days (today not yet), longest {longest}", s.current)
    else:
        # TRANSLATORS: in `stretchd stats`: {n} days in a row; {longest} the longest run, in days.
        streak = ngettext("Streak: {n} day, longest {longest}", "Streak: {n} days, longest {longest}",
                          s.current)
    # TRANSLATORS: in `stretchd stats`; [stats] streak_goal is the setting in config.toml, as it is.
    goal = ngettext("(a day counts with {n} walkthrough completed: [stats] streak_goal)",
                    "(a day counts with {n} walkthroughs completed: [stats] streak_goal)", s.goal)
    # TRANSLATORS: in `stretchd stats`; {week} and {total} are times ("1 h 5 min"), {n} a count.
    stretched = ngettext("Stretched: {week} this week, {total} in all ({n} walkthrough)",
                         "Stretched: {week} this week, {total} in all ({n} walkthroughs)", s.walks_total)
    lines = [streak.format(n=s.current, longest=s.longest), "  " + goal.format(n=s.goal),
             stretched.format(week=minutes_text(s.minutes_week), total=minutes_text(s.minutes_total),
                              n=s.walks_total)]
    if s.reminders:
        # TRANSLATORS: the headings of `stretchd stats`' table of reminders: each one's name, how
        # many were due, and the share of them done, snoozed, skipped, held (while busy), missed.
        heads: tuple[str, ...] = (
            pgettext("stats", "reminder"), pgettext("stats", "due"), pgettext("stats", "done"),
            pgettext("stats", "snoozed"), pgettext("stats", "skipped"), pgettext("stats", "held"),
            pgettext("stats", "missed"))
        width = max(8, columns(heads[0]), *(len(n) for n in s.reminders))
        # The widths: a count up to 9999 under "due", a share up to 100% under the others.
        widths: tuple[int, ...] = (width, max(4, columns(heads[1])),
                                   *(max(5, columns(h)) for h in heads[2:]))
        lines += ["", _row(heads, widths)]
        for name, r in sorted(s.reminders.items()):
            shares = (percent(r.share(k)) for k in ("done", "snoozed", "skipped", "held", "missed"))
            lines.append(_row((name, l10n.number(r.due), *shares), widths))
    if s.routines:
        # TRANSLATORS: the headings of `stretchd stats`' table of routines: each one's name, how many
        # walkthroughs of it began, and the share of them completed.
        heads = (pgettext("stats", "routine"), pgettext("stats", "walks"), pgettext("stats", "completed"))
        width = max(8, columns(heads[0]), *(len(n) for n in s.routines))
        widths = (width, max(5, columns(heads[1])), max(5, columns(heads[2])))
        lines += ["", _row(heads, widths)]
        for name, (walks, done) in sorted(s.routines.items()):
            lines.append(_row((name, l10n.number(walks), percent(done / walks if walks else 0)), widths))
    if s.advice:
        lines += ["", s.advice]
    return lines


def from_rows(occurrences: Iterable[tuple[str, str, str, int, int]],
              walks: Iterable[WalkStats],
              today: dt.date, **kwargs: Any) -> Stats:
    """compute() over summary.every_row(): dates as stored (local, ISO text)."""
    occ = (OccRow(r, dt.date.fromisoformat(day), status, bool(snoozed), bool(held))
           for r, day, status, snoozed, held in occurrences)

    def walk(row: WalkStats) -> WalkRow:
        routine, started, ended, outcome, reminder, in_steps = row
        seconds = 0.0
        if in_steps is not None:  # the time in the routine's steps, as the walkthrough counted it
            seconds = in_steps
        elif ended:  # recorded before that was kept: from the first screen to the end
            seconds = max(0.0, (dt.datetime.fromisoformat(ended)
                                - dt.datetime.fromisoformat(started)).total_seconds())
        return WalkRow(dt.date.fromisoformat((ended or started)[:10]), routine, reminder,
                       outcome == "completed", seconds)

    return compute(occ, (walk(w) for w in walks), today, **kwargs)
