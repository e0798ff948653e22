"""What the command modules share: errors to exit codes, the routines, and the daemon's
socket with its offline fallback. Below every command module; imports nothing of theirs."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from stretchd.errors import StretchdError

if TYPE_CHECKING:
    from stretchd.daemon.commands import Request
    from stretchd.routines import Routine
    from stretchd.store.state import Context


class Group(click.Group):
    """Turns a StretchdError anywhere below into a one-line message and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StretchdError as e:
            click.echo(f"stretchd: {e.message}", err=True)
            ctx.exit(e.exit_code)


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


def warn(problems: list[str]) -> None:
    for problem in problems:
        click.echo(f"stretchd: warning: skipped {problem}", err=True)


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
        err = StretchdError(str(reply.get("error", "the daemon refused")))
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
        click.echo(f"{offline(ctx)} (the daemon is not running; this applies when it starts)")


class Minutes(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    """A snooze's length: a whole number of minutes, within bounds.SNOOZE_MINUTES."""

    name = "minutes"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from stretchd.bounds import SNOOZE_MINUTES

        low, high = SNOOZE_MINUTES
        text = str(value).strip()
        if not text.isdigit():
            self.fail(f'"{text}" is not a number of minutes; use a whole number from {low} to '
                      f'{high}, e.g. 15', param, ctx)
        if not low <= int(text) <= high:
            self.fail(f"{int(text)} minutes is out of range; snooze for {low} to {high} minutes",
                      param, ctx)
        return int(text)
