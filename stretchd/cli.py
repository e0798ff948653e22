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
    """Lead through ROUTINE step by step in this terminal (default: hips-lower-back).

    Enter starts, Space pauses and resumes, n skips to the next step, q quits. With output
    piped, prints the steps as plain lines instead.
    """
    from stretchd import paths
    from stretchd.routines import find, with_repetitions
    from stretchd.walkthrough import is_interactive, print_plain

    chosen = find(routine or "hips-lower-back", _routines())
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
