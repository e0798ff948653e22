"""What the command modules share: the command classes (their help, and click's own words, in
the person's language), errors to exit codes, the routines, and the daemon's socket with its
offline fallback. Below every command module; imports nothing of theirs."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from stretchd import i18n
from stretchd.errors import StretchdError
from stretchd.i18n import N_, NP_, _
from stretchd.text import columns, fit, wrap

if TYPE_CHECKING:
    from stretchd.daemon.commands import Request
    from stretchd.routines import Routine
    from stretchd.store.state import Context


class Text:
    """A help text kept in English, as written (its msgid), and read in the person's language:
    click builds the commands at import, before the language is known."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = "_english_" + name

    def __get__(self, obj: object, owner: type | None = None) -> str | None:
        text = obj.__dict__.get(self.name) if obj is not None else None
        return _(inspect.cleandoc(text)) if text else text

    def __set__(self, obj: object, value: str | None) -> None:
        obj.__dict__[self.name] = value


def english(obj: object, name: str) -> str | None:
    """A Text's English, as the catalogs hold it (tools/catalogs.py)."""
    text = obj.__dict__.get("_english_" + name)
    return inspect.cleandoc(text) if text else None


class Option(click.Option):
    help = Text()


class Formatter(click.HelpFormatter):
    """click's help, its text wrapped by terminal columns where it holds wide characters
    (Chinese, Japanese: two columns each, and a line may break between any two)."""

    def write_text(self, text: str) -> None:
        if columns(text) == len(text):
            return super().write_text(text)
        indent = " " * self.current_indent
        for i, block in enumerate(text.split("\n\n")):
            if i:
                self.write("\n")
            lines = (block.removeprefix("\b").strip("\n").splitlines() if block.startswith("\b")
                     else wrap(block, max(self.width - self.current_indent, 11)))
            self.write("".join(f"{indent}{line}\n" for line in lines))
        return None

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        table = list(rows)
        if all(columns(second) == len(second) for _, second in table):
            return super().write_dl(table, col_max, col_spacing)
        first_col = min(max(columns(first) for first, _ in table), col_max) + col_spacing
        indent = " " * self.current_indent
        for first, second in table:
            self.write(f"{indent}{first}")
            if not second:
                self.write("\n")
                continue
            if columns(first) <= first_col - col_spacing:
                self.write(" " * (first_col - columns(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(second, max(self.width - first_col - self.current_indent, 10))
            self.write(f"\n{indent}{' ' * first_col}".join(lines) + "\n")
        return None


class HelpContext(click.Context):
    formatter_class = Formatter


class Command(click.Command):
    """A command whose help texts, --help's included, are read in the person's language."""

    help = Text()
    short_help = Text()
    epilog = Text()
    context_class = HelpContext

    def get_help(self, ctx: click.Context) -> str:
        settle_language(ctx)
        return super().get_help(ctx)

    def get_short_help_str(self, limit: int = 45) -> str:
        text = super().get_short_help_str(limit)
        if columns(text) > len(text):  # Chinese, Japanese: click ends a sentence only at ". "
            first = (self.short_help or self.help or "").split("\n\n")[0]
            text = " ".join(first.split("。")[0].split()) + ("。" if "。" in first else "")
            if columns(text) > limit:  # and counts characters: a wide one takes two columns
                text = text[:fit(text, limit - 3)].rstrip() + "..."
        return text

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:  # click makes it once, in the language of its first use
            option.help = _("Show this message and exit.")
        return option


class Group(Command, click.Group):
    """Turns a StretchdError anywhere below into a one-line message and its exit code."""

    command_class = Command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # The locale's language, for click's own words too; config.toml's [defaults] language
        # once a command is known (settle_language()): `stretchd --version` reads no file.
        i18n.use("auto")
        i18n.lend()
        try:
            return super().main(*args, **kwargs)
        finally:
            i18n.give_back()

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        settle_language(ctx)  # before "No such command"
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StretchdError as e:
            click.echo(f"stretchd: {e.message}", err=True)
            ctx.exit(e.exit_code)


Group.group_class = Group


def settle_language(ctx: click.Context) -> None:
    """Speak config.toml's `[defaults] language` from here on, click's words too: once a
    command runs, resolves a subcommand or shows its help (it reads config.toml)."""
    from stretchd import paths

    root = ctx.find_root()
    if not root.meta.get("stretchd.language"):
        root.meta["stretchd.language"] = True
        i18n.follow(paths.config_file())
        i18n.lend()

# click's own words, which it looks up itself (i18n.lend()): marked here for the catalogs, as
# click 8 spells them. One a later click spells otherwise stays English.
CLICK_WORDS = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."),
    N_("Show the version and exit."), N_("default: {default}"), N_("Error: {message}"),
    N_("Try '{command} {option}' for help."), N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"), N_("Missing argument"), N_("Missing option"),
    N_("Missing parameter"), N_("Missing command."), N_("No such option {name!r}."),
    N_("No such command {name!r}."), N_("Option {name!r} does not take a value."),
    N_("{value!r} is not a valid {number_type}."), N_("{value} is not in the range {range}."),
    N_("Aborted!"),
)
CLICK_PLURALS = (
    NP_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    NP_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    NP_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    NP_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
)


def command(**attrs: Any) -> Callable[[Callable[..., Any]], Command]:
    """click.command, its help read in the person's language."""
    return click.command(cls=Command, **attrs)


def group(*args: Any, **attrs: Any) -> Callable[[Callable[..., Any]], Group]:
    return click.group(*args, cls=Group, **attrs)


def option(*decls: str, **attrs: Any) -> Callable[[Any], Any]:
    return click.option(*decls, cls=Option, **attrs)


def reminder_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The reminders named in config.toml; none where it cannot be read (a completion never
    prints an error into the person's command line)."""
    import tomllib

    from stretchd import paths

    try:
        data = tomllib.loads(paths.config_file().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    table = data.get("reminders")
    names = sorted(table) if isinstance(table, dict) else []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]


def routine_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The built-in routines and the user's, by file name (none is read)."""
    from stretchd import paths
    from stretchd.routines import builtin_dir

    names: set[str] = set()
    for folder in (builtin_dir(), paths.user_routines_dir()):
        try:
            names.update(p.stem for p in folder.glob("*.toml") if p.is_file())
        except OSError:
            continue
    return [CompletionItem(n) for n in sorted(names) if n.startswith(incomplete)]


def days_text(days: str) -> str:
    """A reminder's days as config.toml names them ("mon,wed"), or "every day" in words."""
    return _("every day") if days == "every day" else days


def warn(problems: list[str]) -> None:
    for problem in problems:
        # TRANSLATORS: {problem} names a routine file and what is wrong with it.
        click.echo("stretchd: " + _("warning: skipped {problem}").format(problem=problem), err=True)


def routines() -> dict[str, Routine]:
    from stretchd import paths
    from stretchd.routines import load_all

    routines, problems = load_all(paths.user_routines_dir())
    warn(problems)
    return routines


@contextlib.contextmanager
def local_context() -> Iterator[Context]:
    """The config and the store, for a command that runs without the daemon."""
    from stretchd import paths
    from stretchd.config import load
    from stretchd.schedule.zone import local_zone
    from stretchd.store.history import History
    from stretchd.store.state import Context

    config = load(paths.config_file(), routines())
    with History(paths.database_file()) as store:
        yield Context(config, store, local_zone())


def ask(req: Request) -> dict[str, Any] | None:
    """The daemon's reply, or None when no daemon runs; a refusal becomes its error."""
    from stretchd.daemon.commands import to_wire
    from stretchd.errors import DaemonNotRunning
    from stretchd.ipc.control import request

    try:
        reply = request(to_wire(req))
    except DaemonNotRunning:
        return None
    if not reply.get("ok"):
        err = StretchdError(str(reply.get("error", _("the daemon refused"))))
        err.exit_code = int(reply.get("exit", 1))
        raise err
    return reply


def change(req: Request, offline: Callable[[Context], str]) -> None:
    """Send a state change to the daemon, or apply it to the store when none runs."""
    reply = ask(req)
    if reply is not None:
        click.echo(reply["message"])
        return
    with local_context() as ctx:
        # TRANSLATORS: {done} is what was done ("snoozed morning until 08:15").
        click.echo(_("{done} (the daemon is not running; this applies when it starts)").format(
            done=offline(ctx)))


class Minutes(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    """A snooze's length: a whole number of minutes, within bounds.SNOOZE_MINUTES."""

    name = "minutes"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from stretchd.bounds import SNOOZE_MINUTES

        low, high = SNOOZE_MINUTES
        text = str(value).strip()
        if not text.isdigit():
            self.fail(_('"{text}" is not a number of minutes; use a whole number from {low} to '
                        '{high}, e.g. 15').format(text=text, low=low, high=high), param, ctx)
        if not low <= int(text) <= high:
            self.fail(_("{minutes} minutes is out of range; snooze for {low} to {high} minutes").format(
                minutes=int(text), low=low, high=high), param, ctx)
        return int(text)
