"""At home in the shell: click's own completion scripts. The names they complete (reminders,
routines) come from common.py's reminder_names and routine_names."""

from __future__ import annotations

import click

from stretchd.cli.common import command

SHELLS = ("bash", "zsh", "fish")


@command(short_help="Print the completion script for bash, zsh or fish.")
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh or fish): commands, options, and your
    reminder and routine names. Save it where the shell looks:

    \b
      bash: stretchd completion bash > ~/.local/share/bash-completion/completions/stretchd
      zsh:  stretchd completion zsh > ~/.zfunc/_stretchd   (with fpath+=~/.zfunc before compinit)
      fish: stretchd completion fish > ~/.config/fish/completions/stretchd.fish
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None  # the three are click's own
    click.echo(cls(ctx.find_root().command, {}, "stretchd", "_STRETCHD_COMPLETE").source())
