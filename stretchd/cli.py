"""The command line: parse, call the core, print, and map errors to exit codes.

Heavy modules (rich, the scheduler, the notifier) are imported inside the commands that
need them, so `stretchd --version` and `stretchd status` start fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from stretchd import __version__
from stretchd.errors import StretchdError


class _Group(click.Group):
    """Turns a StretchdError anywhere below into a one-line message and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StretchdError as e:
            click.echo(f"stretchd: {e.message}", err=True)
            ctx.exit(e.exit_code)


HISTORY_ROWS = 500  # past this many rows, `history` shows a summary a day


def _warn(problems: list[str]) -> None:
    for problem in problems:
        click.echo(f"stretchd: warning: skipped {problem}", err=True)


def _routines() -> dict[str, Any]:
    from stretchd import paths
    from stretchd.routines import load_all

    routines, problems = load_all(paths.user_routines_dir())
    _warn(problems)
    return routines


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="stretchd",
                      message="%(prog)s %(version)s")
def cli() -> None:
    """Stretch reminders for stiff hips and lower backs.

    A daemon reminds you at the times in ~/.config/stretchd/config.toml; `stretchd walk`
    leads you through a routine in this terminal.
    """


@cli.command()
@click.argument("routine", required=False)
@click.option("--reps", type=click.IntRange(1, 20), metavar="N",
              help="Repetitions for every step the article gives as a range (within it).")
@click.option("--reminder", hidden=True, help="The reminder that started this walk.")
def walk(routine: str | None, reps: int | None, reminder: str | None) -> None:
    """Lead through ROUTINE step by step in this terminal (default: the config's routine).

    Enter starts, Space pauses and resumes, n skips to the next step, q quits. With output
    piped, prints the steps as plain lines instead.
    """
    from stretchd import paths
    from stretchd.routines import find, with_repetitions
    from stretchd.walkthrough import is_interactive, print_plain

    found = _routines()
    if routine is None:
        from stretchd.config import load

        routine = load(paths.config_file(), found).defaults.routine
    chosen = find(routine, found)
    if reps is not None:
        chosen = with_repetitions(chosen, reps)
    if not is_interactive():
        print_plain(chosen, click.echo)
        return
    from rich.console import Console

    from stretchd.history import History
    from stretchd.session import format_duration
    from stretchd.walkthrough import TerminalKeys
    from stretchd.walkthrough import walk as run_walk

    keys = TerminalKeys(sys.stdin)
    with History(paths.database_file()) as history, keys.raw():
        outcome = run_walk(chosen, console=Console(), keys=keys, history=history,
                           reminder=reminder)
    if outcome.completed:
        click.echo(f"Well done: {chosen.title} completed in {format_duration(outcome.elapsed)}.")
    elif outcome.step:
        click.echo(f"Stopped at step {outcome.step} of {outcome.steps}. Recorded.")
    else:
        click.echo("Stopped before the first step. Recorded.")


@cli.group()
def routines() -> None:
    """List and show the stretch routines (built-in and your own)."""


@routines.command("list")
def routines_list() -> None:
    """Each routine's name, length and where it comes from."""
    from stretchd.session import format_duration, plan, planned_seconds

    found = _routines()
    width = max(len(n) for n in found)
    for name in sorted(found):
        r = found[name]
        length = format_duration(planned_seconds(plan(r)))
        click.echo(f"{name:<{width}}  {length:>12}  {r.source:<8}  {r.title}")


@routines.command("show")
@click.argument("name")
def routines_show(name: str) -> None:
    """Every step of routine NAME, with its timing."""
    from stretchd.routines import find
    from stretchd.walkthrough import print_plain

    r = find(name, _routines())
    print_plain(r, click.echo)
    if r.path is not None:
        click.echo(f"File: {r.path}")


# The daemon and its control -----------------------------------------------------------

@cli.command()
def run() -> None:
    """Run the reminder daemon in the foreground (the systemd unit runs this).

    Reminds on the desktop with Start / Snooze / Skip buttons, or on this console when no
    notification server answers. Stop it with Ctrl-C or SIGTERM; SIGHUP re-reads the config.
    """
    import os

    # A fresh interpreter (same process, same pid for systemd) that imports only the daemon:
    # see stretchd/_run.py. -I keeps the current directory off sys.path.
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-I", "-m", "stretchd._run"])


def _local_context() -> Any:
    from stretchd import paths
    from stretchd.config import load
    from stretchd.history import History
    from stretchd.state import Context
    from stretchd.zone import local_zone

    config = load(paths.config_file(), _routines())
    return Context(config, History(paths.database_file()), local_zone())


def _ask(message: dict[str, Any]) -> dict[str, Any] | None:
    """The daemon's reply, or None when no daemon runs; a refusal becomes its error."""
    from stretchd.control import request
    from stretchd.errors import DaemonNotRunning

    try:
        reply = request(message)
    except DaemonNotRunning:
        return None
    if not reply.get("ok"):
        err = StretchdError(str(reply.get("error", "the daemon refused")))
        err.exit_code = int(reply.get("exit", 1))
        raise err
    return reply


def _change(message: dict[str, Any], offline: Any) -> None:
    """Send a state change to the daemon, or apply it to the store when none runs."""
    reply = _ask(message)
    if reply is not None:
        click.echo(reply["message"])
        return
    ctx = _local_context()
    try:
        click.echo(f"{offline(ctx)} (the daemon is not running; this applies when it starts)")
    finally:
        ctx.store.close()


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def status(as_json: bool) -> None:
    """Is the daemon up; the next reminders; snooze, skip and pause state.

    Exits 69 when the daemon is not running (after printing the next reminders).
    """
    import json
    from datetime import datetime

    reply = _ask({"cmd": "status"})
    if reply is None:
        from stretchd.state import status as local_status

        ctx = _local_context()
        try:
            info = local_status(ctx, datetime.now(ctx.tz))
        finally:
            ctx.store.close()
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
    if info["running"]:
        where = {True: "on the desktop", False: "on the console (no notification server)",
                 None: "on the desktop when one is due"}[info.get("desktop")]
        click.echo(f"stretchd is running (pid {info['pid']}); reminders show {where}")
    else:
        click.echo("stretchd is not running; start it with `stretchd run` or "
                   "`stretchd service install`")
    if info.get("showing"):
        click.echo(f"Showing now: {info['showing']['reminder']}")
    if info.get("paused_until"):
        click.echo(f"Paused until {info['paused_until'][:16].replace('T', ' ')}")
    for s in info.get("snoozed", []):
        click.echo(f"Snoozed: {s['reminder']} shows again at {s['when']}")
    if not info["next"]:
        click.echo("No reminders scheduled.")
        return
    click.echo("Next reminders:")
    width = max(len(n["reminder"]) for n in info["next"])
    for n in info["next"]:
        note = f"  ({n['note']})" if n["note"] else ""
        click.echo(f"  {n['reminder']:<{width}}  {n['when']:<18}  {n['routine']:<16} {n['days']}{note}")


@cli.command()
@click.argument("minutes", required=False, type=click.IntRange(1, 240))
def snooze(minutes: int | None) -> None:
    """Snooze the reminder showing now (or the next one) by MINUTES (default from config)."""
    from datetime import datetime

    from stretchd.state import snooze_next

    def offline(ctx: Any) -> str:
        return snooze_next(ctx, datetime.now(ctx.tz), minutes or ctx.config.defaults.snooze_minutes)

    _change({"cmd": "snooze", "minutes": minutes}, offline)


@cli.command()
@click.argument("reminder", required=False)
def skip(reminder: str | None) -> None:
    """Skip the reminder showing now, or the next occurrence (of REMINDER)."""
    from datetime import datetime

    from stretchd.state import skip_next

    _change({"cmd": "skip", "reminder": reminder},
            lambda ctx: skip_next(ctx, datetime.now(ctx.tz), reminder))


@cli.command()
@click.option("--for", "for_", metavar="DURATION", help="e.g. 30m, 2h, 1h30m, 1d")
@click.option("--until", metavar="WHEN", help='e.g. 14:00, "2026-12-01 08:00", 2026-12-01')
def pause(for_: str | None, until: str | None) -> None:
    """Pause reminders for DURATION or until WHEN; `stretchd resume` ends it early."""
    from datetime import datetime

    from stretchd.schedule import parse_duration, parse_when
    from stretchd.state import pause as do_pause
    from stretchd.zone import local_zone

    if (for_ is None) == (until is None):
        raise click.UsageError("give one of --for DURATION or --until WHEN")
    tz = local_zone()
    now = datetime.now(tz)
    try:
        end = now + parse_duration(for_) if for_ is not None else parse_when(str(until), now, tz)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--for" if for_ else "--until") from None
    _change({"cmd": "pause", "until": end.isoformat()},
            lambda ctx: do_pause(ctx, datetime.now(ctx.tz), end))


@cli.command()
def resume() -> None:
    """End a pause now."""
    from stretchd.state import resume as do_resume

    _change({"cmd": "resume"}, do_resume)


@cli.command()
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 36500),
              help="How many days back.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON (every row).")
@click.option("--all", "every", is_flag=True,
              help=f"Every row, even past {HISTORY_ROWS} (then a summary a day is shown).")
def history(days: int, as_json: bool, every: bool) -> None:
    """What happened to each reminder, and each walkthrough, over the last DAYS days.

    Past a few hundred rows it shows a summary a day instead; --all shows every row.
    """
    import heapq
    import json
    from datetime import datetime, timedelta

    from stretchd import paths
    from stretchd.history import History

    since = datetime.now().astimezone() - timedelta(days=days)
    with History(paths.database_file()) as h:
        if not (as_json or every) and h.count_events(since) > HISTORY_ROWS:
            _print_daily(h.daily(since))
            return
        # Tuples straight from SQLite, merged by time: a long history prints in one write.
        events = [(at, reminder, kind, detail or "") for at, reminder, _, kind, detail
                  in h.event_rows(since)]
        walks = [(w.started.isoformat(timespec="milliseconds"), w.reminder or "", "walk",
                  f"{w.routine}: {w.describe()}") for w in h.walks(since)]
    rows = list(heapq.merge(events, walks, key=lambda r: r[0]))
    if as_json:
        keys = ("at", "reminder", "what", "detail")
        click.echo(json.dumps([dict(zip(keys, r, strict=True)) for r in rows], indent=2))
        return
    if not rows:
        click.echo(f"Nothing in the last {days} days.")
        return
    sys.stdout.write("".join(f"{at[:10]} {at[11:16]}  {reminder or '-':<10} {what:<10} {detail}\n"
                             for at, reminder, what, detail in rows))


def _print_daily(rows: list[tuple[str, str, int]]) -> None:
    from itertools import groupby

    for day, group in groupby(rows, key=lambda row: row[0]):
        click.echo(f"{day}  " + " · ".join(f"{what} {count}" for _, what, count in group))
    click.echo(f"(a summary a day: more than {HISTORY_ROWS} rows; --all lists every one)", err=True)


def _register() -> None:
    from stretchd.cli_setup import config_group, schedule, service

    cli.add_command(schedule)
    cli.add_command(config_group)
    cli.add_command(service)


_register()
