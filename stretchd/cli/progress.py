"""Is the habit holding: `stretchd stats`."""

from __future__ import annotations

import click

from stretchd.cli.common import command, option
from stretchd.i18n import _, ngettext


@command(short_help="Calendar heatmap, streaks and completion rates.")
@option("--weeks", default=26, show_default=True, type=click.IntRange(1, 520),
        help="How many weeks the calendar and the rates cover.")
@option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@option("--device", metavar="NAME",
        help="Only one computer's reminders and walkthroughs ([sync]: its device name).")
@option("--wait", is_flag=True, hidden=True,
        help="Wait for Enter before exiting (a terminal opened from the weekly summary).")
def stats(weeks: int, as_json: bool, device: str | None, wait: bool) -> None:
    """Did you stretch? A calendar of the last WEEKS weeks, a cell a day shaded by the share
    of that day's reminders done (a walkthrough completed), today marked `<`; the current and
    longest streak (a day counts with [stats] streak_goal walkthroughs completed, default 1);
    completion rates per reminder and routine; minutes stretched; and a word of advice when a
    reminder is mostly skipped, missed or snoozed.

    Without a colour terminal (piped, NO_COLOR) the cells are ASCII: . - + # from none done to
    all done. With [sync], walkthroughs on every computer count; --device NAME shows one.
    """
    import json
    import os
    import shutil
    import sys
    from datetime import datetime

    from stretchd import paths
    from stretchd.config import load
    from stretchd.errors import ConfigError
    from stretchd.store import peers, summary
    from stretchd.store.history import History
    from stretchd.store.stats import compute, heatmap, period_start, report

    here: str | None = None
    try:
        config = load(paths.config_file())
        goal, times = config.stats.streak_goal, {r.name: r.time for r in config.reminders}
        here = config.sync.name if config.sync.folder is not None else None
    except ConfigError as e:  # the numbers do not need the config: say so, count with goal 1
        # TRANSLATORS: {problem} says what is wrong in config.toml; streak_goal is a config key.
        click.echo(_("{problem} (counting with streak_goal 1)").format(problem=e.message), err=True)
        goal, times = 1, {}
    today = datetime.now().astimezone().date()
    start = period_start(today, weeks)
    with History(paths.database_file()) as h:
        if device is None or device == here:
            occurrences, walks = summary.rows(h, start, here=device is not None)
        elif device in peers.devices(h):
            occurrences, walks = summary.rows(h, start, device=device)
        else:
            known = [d for d in (here, *peers.devices(h)) if d]
            names = ", ".join(known) or _("none (see [sync] in config.toml)")
            # TRANSLATORS: {device} is the name asked for, in quotes; {known} lists the names there.
            problem = _("no computer named {device} in the shared history; known: {known}").format(
                device=repr(device), known=names)
            raise click.BadParameter(problem, param_hint="--device")
    s = compute(occurrences, walks, today, weeks=weeks, goal=goal, times=times)
    if as_json:
        click.echo(json.dumps(s.as_json(), indent=2))
        return
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = shutil.get_terminal_size((80, 24)).columns
    lines, shown = heatmap(s.days, today, weeks, width, colour)
    if colour:
        from rich.console import Console

        console = Console(highlight=False)
        for line in lines:
            console.print(line, soft_wrap=True)
    else:
        click.echo("\n".join(lines))
    if shown < weeks:
        # TRANSLATORS: the calendar shows fewer weeks than asked; {width} is a number of columns.
        click.echo(ngettext("(the last {n} week: the terminal is {width} columns wide)",
                            "(the last {n} weeks: the terminal is {width} columns wide)",
                            shown).format(n=shown, width=width))
    click.echo()
    click.echo("\n".join(report(s)))
    if wait:
        click.echo()
        click.prompt(_("Press Enter to close"), default="", show_default=False, prompt_suffix="")
