"""The command line: parse, call the core, print, and map errors to exit codes.

Heavy modules (rich, the scheduler, the notifier) are imported inside the commands that
need them, so `stretchd --version` and `stretchd status` start fast. The commands live in
the modules below; what they share, in common.py.
"""

from __future__ import annotations

import click

from stretchd import __version__
from stretchd.cli import doctor, progress, reminders, setup, shell, walking
from stretchd.cli.common import Group, Option


@click.group(cls=Group, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="stretchd",
                      message="%(prog)s %(version)s", cls=Option, help="Show the version and exit.")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Stretch reminders for stiff hips and lower backs.

    A daemon reminds you at the times in ~/.config/stretchd/config.toml; `stretchd walk`
    leads you through a routine in this terminal.
    """
    from stretchd.text import tolerant_output

    tolerant_output()
    if ctx.invoked_subcommand is None:  # bare `stretchd`: the help, and no error
        click.echo(ctx.get_help())


for command in (walking.walk, walking.routines, reminders.run, reminders.status, reminders.snooze,
                reminders.skip, reminders.unskip, reminders.pause, reminders.resume, reminders.history,
                setup.schedule, setup.config_group, setup.service, doctor.doctor, progress.stats,
                shell.completion):
    cli.add_command(command)
