"""The daemon and what it is asked: run, status, snooze, skip, pause, resume, history."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

import click

from stretchd import i18n
from stretchd.cli.common import Minutes, ask, change, command, local_context, option, reminder_names
from stretchd.i18n import _, ngettext
from stretchd.text import columns

HISTORY_ROWS = 500  # past this many rows, `history` shows a summary a day


@command(short_help="Run the reminder daemon in the foreground.")
def run() -> None:
    """Run the reminder daemon in the foreground (the systemd unit runs this).

    Reminds on the desktop with Start / Snooze / Skip buttons, or on this console when no
    notification server answers. Stop it with Ctrl-C or SIGTERM; SIGHUP re-reads the config.
    """
    import os

    # A fresh interpreter (same process, same pid for systemd) that imports only the daemon:
    # see stretchd/_run.py. -I keeps the current directory off sys.path.
    sys.stdout.flush()
    i18n.give_back()  # the daemon reads [defaults] language itself, again on each reload
    os.execv(sys.executable, [sys.executable, "-I", "-m", "stretchd._run"])


@command(short_help="Is the daemon up; the next reminders.")
@option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@option("--follow", is_flag=True,
        help="Print a line each time the state changes (pushed by the daemon), and once a "
             "minute while a countdown shows; for status bars. Runs until interrupted, "
             "through daemon restarts.")
@option("--format", "fmt", default="text", show_default=True, metavar="FORMAT",
        help="With --follow: text, json (an object a line), waybar (text, tooltip, class, "
             "percentage), polybar, i3blocks, or a template such as '{next} {next_in} · "
             "streak {streak}' (fields: state, next, next_in, next_at, routine, done, "
             "streak, goal, held, paused_until, text, tooltip).")
def status(as_json: bool, follow: bool, fmt: str) -> None:
    """Is the daemon up; the next reminders; snooze, skip and pause state; reminders held
    while you are busy or away (since when, and why).

    Exits 69 when the daemon is not running (after printing the next reminders). With
    --follow it does not exit: it says the daemon is not running and reconnects when it starts.
    """
    import json
    from datetime import datetime

    from stretchd.daemon.commands import Status

    if follow and as_json:
        raise click.UsageError(_("--follow takes --format json, not --json"))
    if follow:
        from stretchd.ipc.bar import FORMATS, BadFormat, check_template
        from stretchd.ipc.bar import follow as follow_lines

        if fmt not in FORMATS:
            try:
                check_template(fmt)
            except BadFormat as e:
                raise click.BadParameter(str(e), param_hint="--format") from None
        try:
            follow_lines(fmt)
        except KeyboardInterrupt:
            sys.exit(0)
        except BrokenPipeError:  # the bar went away: end quietly, not at the final flush
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        return
    if fmt != "text":
        raise click.UsageError(_("--format goes with --follow"))

    reply = ask(Status())
    if reply is None:
        from stretchd.store.state import status as local_status

        with local_context() as ctx:
            info = local_status(ctx, datetime.now(ctx.tz))
        info["running"] = False
    else:
        info = {k: v for k, v in reply.items() if k != "ok"}
    if as_json:
        click.echo(json.dumps(info, indent=2))
    else:
        _print_status(info)
    if not info["running"]:
        sys.exit(69)


def _print_status(info: dict[str, Any]) -> None:
    from datetime import datetime

    from stretchd import l10n
    from stretchd.cli.common import days_text
    from stretchd.store.details import note_text
    from stretchd.text import ljust

    # When each comes, in this command's language and locale (a daemon started elsewhere, by
    # systemd say, may have other ones): from the moment itself, with its own UTC offset.
    now = datetime.now().astimezone()
    for n in info["next"]:
        at = datetime.fromisoformat(n["at"])
        n["when"] = l10n.describe_time(at, now, at.tzinfo or now.tzinfo)  # type: ignore[arg-type]
    if info.get("paused_until"):
        until = datetime.fromisoformat(info["paused_until"])
        info["paused_when"] = l10n.describe_time(until, now, until.tzinfo or now.tzinfo)  # type: ignore[arg-type]
    if info["running"]:
        desktop, pid = info.get("desktop"), info["pid"]
        if desktop is None:
            running = _("stretchd is running (pid {pid}); reminders show on the desktop, or on its "
                        "console if no notification server answers").format(pid=pid)
        elif desktop:
            running = _("stretchd is running (pid {pid}); reminders show on the desktop").format(pid=pid)
        else:
            # TRANSLATORS: {why} says why no desktop notification can be shown.
            running = _("stretchd is running (pid {pid}); reminders show on its console ({why})").format(
                pid=pid, why=info.get("console_why") or _("no notification server"))
        click.echo(running)
    else:
        click.echo(_("stretchd is not running; start it with `stretchd run` or "
                     "`stretchd service install`"))
    if info.get("config_error"):
        click.echo(_("The config on disk is invalid, so the previous schedule runs: {problem}").format(
            problem=info["config_error"]))
    if info.get("sync"):
        _print_sync(info["sync"])
    if info.get("showing"):
        # TRANSLATORS: {reminder} is the name of a reminder in config.toml.
        click.echo(_("Showing now: {reminder}").format(reminder=info["showing"]["reminder"]))
    for held in info.get("held") or ():
        since, until = (datetime.fromisoformat(held[k]) for k in ("since", "until"))
        # TRANSLATORS: {since} and {until} are times (16:30); {reason} says what holds it
        # ("you are in a call").
        click.echo(_("{reminder}: held since {since}, {reason} (shows when that ends; missed if still "
                     "held at {until})").format(reminder=held["reminder"], since=l10n.time_of_day(since),
                                                 reason=_(held["reason"]), until=l10n.time_of_day(until)))
    if info.get("paused_until"):
        # TRANSLATORS: {when} is a time or a date and time.
        click.echo(_("Paused until {when} (`stretchd resume` ends it now)").format(
            when=info.get("paused_when") or info["paused_until"]))
    if not info["next"]:
        click.echo(_("No reminders scheduled."))
        return
    click.echo(_("Next reminders:"))
    width = max(len(n["reminder"]) for n in info["next"])
    when_width = max(18, *(columns(n["when"]) for n in info["next"]))  # "Do., 10. Dez. 22:30"
    for n in info["next"]:
        note = f"  ({note_text(n['note'])})" if n["note"] else ""
        click.echo(f"  {n['reminder']:<{width}}  {ljust(n['when'], when_width)}  {n['routine']:<16} "
                   f"{days_text(n['days'])}{note}")


def _print_sync(sync: dict[str, Any]) -> None:
    """[sync]'s folder, this computer's name in it, and the other computers seen there."""
    from stretchd.sync.events import clash_text

    if sync.get("state") == "alone":
        # TRANSLATORS: {why} says why the shared folder cannot be used now.
        click.echo(_("Shared history: running alone ({why}); catching up when it is back").format(
            why=sync["why"]))
    else:
        # TRANSLATORS: one of the other computers: its name, and the date and time (its own
        # clock's) of the last thing it did.
        others = ", ".join(_("{device} (last event {date} {time}, its time)").format(
                               device=d, date=at[:10], time=at[11:16])
                           for d, at in sync["computers"].items()) or _("none seen yet")
        # TRANSLATORS: {folder} is a path, {device} this computer's name in it; {others} lists
        # the other computers.
        click.echo(_("Shared history: {folder} as '{device}'; other computers: {others}").format(
            folder=sync["folder"], device=sync["device"], others=others))
    for device in sync.get("clashes") or ():
        # TRANSLATORS: {problem} says two computers use the same name in the shared folder.
        click.echo(_("Shared history: {problem}").format(problem=clash_text(device, sync["device"])))


@command(short_help="Snooze the reminder showing now, or the next.")
@click.argument("minutes", required=False, type=Minutes())
def snooze(minutes: int | None) -> None:
    """Snooze the reminder showing now, else one held while you are busy, else the next one,
    by MINUTES (default from config)."""
    from datetime import datetime

    from stretchd.daemon.commands import Snooze
    from stretchd.store.state import snooze_minutes, snooze_next

    def offline(ctx: Any) -> str:
        return snooze_next(ctx, datetime.now(ctx.tz), snooze_minutes(minutes, ctx.config))

    change(Snooze(minutes), offline)


@command(short_help="Skip the reminder showing now, or the next.")
@click.argument("reminder", required=False, shell_complete=reminder_names)
def skip(reminder: str | None) -> None:
    """Skip the reminder showing now, else one held while you are busy, else the next
    occurrence (of REMINDER)."""
    from datetime import datetime

    from stretchd.daemon.commands import Skip
    from stretchd.store.state import skip_next

    change(Skip(reminder),
            lambda ctx: skip_next(ctx, datetime.now(ctx.tz), reminder))


@command(short_help="Undo a skip.")
@click.argument("reminder", required=False, shell_complete=reminder_names)
def unskip(reminder: str | None) -> None:
    """Undo a skip: the next skipped occurrence (of REMINDER) shows after all."""
    from datetime import datetime

    from stretchd.daemon.commands import Unskip
    from stretchd.store.state import unskip as do_unskip

    change(Unskip(reminder), lambda ctx: do_unskip(ctx, datetime.now(ctx.tz), reminder)[0])


@command(short_help="Pause reminders for a while, or until a time.")
@option("--for", "for_", metavar="DURATION", help="e.g. 30m, 2h, 1h30m, 1d")
@option("--until", metavar="WHEN",
        help='HH:MM (the next one), "YYYY-MM-DD HH:MM" or YYYY-MM-DD (its midnight)')
def pause(for_: str | None, until: str | None) -> None:
    """Pause reminders for DURATION or until WHEN; `stretchd resume` ends it early."""
    from datetime import datetime, timedelta

    from stretchd.daemon.commands import Pause
    from stretchd.schedule import parse_duration, parse_when
    from stretchd.schedule.zone import local_zone
    from stretchd.store.state import pause as do_pause

    if (for_ is None) == (until is None):
        raise click.UsageError(_("give one of --for DURATION or --until WHEN"))
    tz = local_zone()
    now = datetime.now(tz)
    try:
        if for_ is not None:  # to the whole minute after: "paused until 16:38", and it is
            end = now + parse_duration(for_)
            if end.second or end.microsecond:
                end = end.replace(second=0, microsecond=0) + timedelta(minutes=1)
        else:
            end = parse_when(str(until), now, tz)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--for" if for_ else "--until") from None
    change(Pause(end),
            lambda ctx: do_pause(ctx, datetime.now(ctx.tz), end))


@command(short_help="End a pause now.")
def resume() -> None:
    """End a pause now."""
    from stretchd.daemon.commands import Resume
    from stretchd.store.state import resume as do_resume

    change(Resume(), do_resume)


@command(short_help="What happened to each reminder and walk.")
@option("--days", default=7, show_default=True, type=click.IntRange(1, 36500),
        help="How many days back.")
@option("--json", "as_json", is_flag=True, help="Print machine-readable JSON (every row).")
@option("--all", "every", is_flag=True,
        help=f"List every row, even past {HISTORY_ROWS} (without it, a summary a day).")
def history(days: int, as_json: bool, every: bool) -> None:
    """What happened to each reminder, and each walkthrough, over the last DAYS days; with
    [sync], on every computer (each row names its computer, its time as that computer said).

    Past a few hundred rows it shows a summary a day instead; --all shows every row.
    """
    import json
    from datetime import datetime, timedelta

    from stretchd import paths
    from stretchd.store import peers
    from stretchd.store.history import History, Kind

    here = _this_device()
    since = datetime.now().astimezone() - timedelta(days=days)
    with History(paths.database_file()) as h:
        if not (as_json or every) and h.count_events(since) > HISTORY_ROWS:
            _print_daily(h.daily(since))
            return
        # Tuples straight from SQLite, sorted by time: a long history prints in one write.
        # An answer from another computer is its row (with its name), not this one's echo of
        # it: the history reads the same whatever order the computers' files arrived in.
        rows = [(at, here, reminder, kind, detail or "") for at, reminder, _device, kind, detail
                in h.event_rows(since) if kind != Kind.ELSEWHERE]
        rows += [(at, device, reminder, kind, detail)
                 for at, device, reminder, kind, detail in peers.peer_rows(h, since)]
        rows += [(w.started.isoformat(timespec="milliseconds"), w.device or here, w.reminder or "",
                  "walk", f"{w.routine}: {w.describe()}") for w in h.walks(since)]
    # Each computer's time is its own: ordered by the moment, shown as that computer said it.
    rows.sort(key=lambda r: datetime.fromisoformat(r[0]))
    if as_json:
        keys = ("at", "device", "reminder", "what", "detail")
        click.echo(json.dumps([dict(zip(keys, r, strict=True)) for r in rows], indent=2))
        return
    if not rows:
        click.echo(ngettext("Nothing in the last {n} day.", "Nothing in the last {n} days.", days).format(
            n=days))
        return
    from stretchd.store.details import detail_text

    when = _moments(r[0] for r in rows)
    # The details as stored (English, the record's own words), in the person's language.
    rows = [(at, device, reminder, what, detail_text(detail)) for at, device, reminder, what, detail in rows]
    devices = {r[1] for r in rows}
    if devices == {None}:
        sys.stdout.write("".join(f"{when[at]}  {reminder or '-':<10} {what:<10} {detail}\n"
                                 for at, _device, reminder, what, detail in rows))
        return
    width = max(len(d or "") for d in devices)
    sys.stdout.write("".join(
        f"{when[at]}  {device or '':<{width}}  {reminder or '-':<10} {what:<10} {detail}\n"
        for at, device, reminder, what, detail in rows))


def _moments(stamps: Iterable[str]) -> dict[str, str]:
    """Each row's time, as its computer's clock said it ("2026-12-01 12:00", ISO text as
    stored), written as the locale writes a date and a time, all as wide as the widest."""
    import functools
    from datetime import date, time

    from stretchd import l10n
    from stretchd.text import ljust

    if l10n.plain():  # the plain forms: the stored text itself, at once
        return {at: f"{at[:10]} {at[11:16]}" for at in stamps}
    # A long history has few distinct days and minutes: each written once.
    day = functools.cache(lambda text: l10n.day(date.fromisoformat(text), "short"))
    clock = functools.cache(lambda text: l10n.time_of_day(time.fromisoformat(text)))
    out = {at: f"{day(at[:10])} {clock(at[11:16])}" for at in stamps}
    width = max(map(columns, out.values()), default=0)
    return {at: ljust(text, width) for at, text in out.items()}


def _this_device() -> str | None:
    """This computer's name in the shared history, if [sync] is set (the config as it reads)."""
    from stretchd import paths
    from stretchd.config import load
    from stretchd.errors import ConfigError

    try:
        config = load(paths.config_file())
    except ConfigError:
        return None
    return config.sync.name if config.sync.folder is not None else None


def _print_daily(rows: list[tuple[str, str, int]]) -> None:
    from datetime import date
    from itertools import groupby

    from stretchd import l10n

    for day, group in groupby(rows, key=lambda row: row[0]):
        shown = day if l10n.plain() else l10n.day(date.fromisoformat(day), "short")
        click.echo(f"{shown}  " + " · ".join(f"{what} {count}" for _day, what, count in group))
    click.echo(ngettext("(a summary a day: more than {n} row; --all lists every one)",
                        "(a summary a day: more than {n} rows; --all lists every one)",
                        HISTORY_ROWS).format(n=HISTORY_ROWS), err=True)
