"""stretchd(1), written from the commands' own help: run at build time by hatch_build.py (the
wheel carries it as share/man/man1/stretchd.1), or by hand:

    python tools/manpage.py build/man/stretchd.1

Every command and option in the page is the one click parses; nothing is written twice.
"""

from __future__ import annotations

import inspect
import os
import sys
from datetime import date
from pathlib import Path

import click

FILES = [
    ("~/.config/stretchd/config.toml", "The reminders and settings ($XDG_CONFIG_HOME/stretchd)."),
    ("~/.config/stretchd/routines/NAME.toml", "Your own routines; one named like a built-in "
     "replaces it."),
    ("~/.local/state/stretchd/stretchd.sqlite3", "The history, streaks and the daemon's state "
     "($XDG_STATE_HOME/stretchd)."),
    ("$XDG_RUNTIME_DIR/stretchd/", "The running daemon's socket."),
    ("~/.config/systemd/user/stretchd.service", "The user service `stretchd service install` "
     "writes."),
]
EXIT = [("0", "Success."), ("1", "A runtime failure, with a one-line reason."),
        ("2", "A usage error."), ("69", "The daemon is needed and not running."),
        ("78", "The configuration is invalid.")]


def escape(text: str) -> str:
    """Text as roff reads it: backslashes doubled, a leading dot or quote made literal."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line
                     for line in text.splitlines())


def paragraphs(help_text: str) -> list[str]:
    """click's help as roff paragraphs (\\b blocks kept as they are laid out)."""
    out: list[str] = []
    for block in inspect.cleandoc(click.unstyle(help_text or "")).split("\n\n"):
        block = block.strip("\n")
        if not block.strip():
            continue
        if block.startswith("\b"):
            out.append(".nf\n" + escape(block[1:].strip("\n")) + "\n.fi")
        else:
            out.append(escape(" ".join(line.strip() for line in block.splitlines())))
    return out


def options(command: click.Command, ctx: click.Context) -> list[str]:
    out = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None or not isinstance(param, click.Option) or "--help" in param.opts:
            continue  # every command has --help: said once, under OPTIONS
        names, help_text = record
        out.append(f".TP\n.B {escape(names)}\n{escape(help_text)}")
    return out


def commands(group: click.Group, ctx: click.Context, prefix: str) -> list[str]:
    out = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        sub = click.Context(command, info_name=name, parent=ctx)
        usage = " ".join(command.collect_usage_pieces(sub))
        out.append(f".SS {escape(f'{prefix} {name} {usage}'.strip())}")
        out += [p if i == 0 else ".PP\n" + p for i, p in enumerate(paragraphs(command.help or ""))]
        if isinstance(command, click.Group):
            out += commands(command, sub, f"{prefix} {name}")
        else:
            opts = options(command, sub)
            out += opts
    return out


def page(cli: click.Group, version: str, today: date | None = None) -> str:
    ctx = click.Context(cli, info_name="stretchd")
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")  # a reproducible build's date
    when = (today or (date.fromtimestamp(int(epoch)) if epoch.isdigit() else date.today())).isoformat()
    lines = [f'.TH STRETCHD 1 "{when}" "stretchd {escape(version)}" "User Commands"',
             ".SH NAME", "stretchd \\- stretch reminders for stiff hips and lower backs",
             ".SH SYNOPSIS", ".B stretchd", "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
             ".SH DESCRIPTION"]
    lines += [p if i == 0 else ".PP\n" + p for i, p in enumerate(paragraphs(cli.help or ""))]
    lines += [".SH OPTIONS"] + options(cli, ctx) + [
        ".TP", ".B \\-h, \\-\\-help", "Show the help and exit; every command has it."]
    lines += [".SH COMMANDS"] + commands(cli, ctx, "stretchd")
    lines += [".SH FILES"] + [f".TP\n.I {escape(path)}\n{escape(what)}" for path, what in FILES]
    lines += [".SH ENVIRONMENT", ".TP", ".B XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_RUNTIME_DIR",
              "Where the files above are.", ".TP", ".B NO_COLOR",
              "The walkthrough's pictures in plain shapes."]
    lines += [".SH EXIT STATUS"] + [f".TP\n.B {code}\n{escape(what)}" for code, what in EXIT]
    lines += [".SH SEE ALSO", "The README, and \\fBstretchd COMMAND \\-\\-help\\fR."]
    return "\n".join(lines) + "\n"


def main(out: Path) -> None:
    from stretchd import __version__, i18n
    from stretchd.cli import cli

    i18n.use("en")  # the page is English, whatever the build machine's locale
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page(cli, __version__), encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parents[1]))
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "build/man/stretchd.1"))
