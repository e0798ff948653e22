"""The commands that set stretchd up: schedule, config and service."""

from __future__ import annotations

from collections.abc import Callable

import click

from stretchd.cli.common import ask, group, option, reminder_names, routine_names, routines
from stretchd.i18n import N_, _, ngettext


def _routine_names() -> list[str]:
    return list(routines())


def _edit(change: Callable[[str], str], done: str,
          told: str = N_("the running daemon has the new schedule")) -> None:
    """Apply a validated change to config.toml, then have a running daemon reload it."""
    from stretchd import paths
    from stretchd.config.edit import apply

    apply(paths.config_file(), change, _routine_names())
    click.echo(done)
    _tell_daemon(told)


def _tell_daemon(told: str) -> None:
    """Have a running daemon reload the config; `told` (marked with N_) says it did."""
    from stretchd.daemon.commands import Reload

    if ask(Reload()) is None:
        click.echo(_("(the daemon is not running; the change applies when it starts)"))
    else:
        click.echo(_(told))


@group(short_help="List and change the reminders.")
def schedule() -> None:
    """List and change the reminders in config.toml (comments and layout are kept)."""


@schedule.command("list")
def schedule_list() -> None:
    """Each reminder: name, time, days, routine."""
    from stretchd import paths
    from stretchd.config import format_time, load

    config = load(paths.config_file(), _routine_names())
    if not config.reminders:
        click.echo(_("No reminders. Add one: stretchd schedule add NAME HH:MM"))
        return
    from stretchd.cli.common import days_text
    from stretchd.text import ljust

    width = max(len(r.name) for r in config.reminders)
    for r in config.reminders:
        days = ljust(days_text(r.days_text()), 27)  # by columns: a wide character takes two
        click.echo(f"{r.name:<{width}}  {format_time(r.time):<8}  {days}  {r.routine}")


@schedule.command("add")
@click.argument("name")
@click.argument("time")
@option("--days", help="Comma-separated days, mon..sun (default: every day).")
@option("--routine", shell_complete=routine_names,
        help="The routine (default: defaults.routine).")
def schedule_add(name: str, time: str, days: str | None, routine: str | None) -> None:
    """Add reminder NAME at TIME (HH:MM, 24-hour)."""
    from stretchd.config.edit import add_reminder

    # TRANSLATORS: {name} is the new reminder's name, {time} the time given (HH:MM).
    done = _("added {name} at {time}").format(name=name, time=time)
    _edit(lambda text: add_reminder(text, name, time, [days] if days else None, routine), done)


@schedule.command("set")
@click.argument("name", shell_complete=reminder_names)
@click.argument("time")
def schedule_set(name: str, time: str) -> None:
    """Move reminder NAME to TIME (HH:MM, 24-hour)."""
    from datetime import datetime

    from stretchd.cli.common import local_context
    from stretchd.config.edit import set_reminder_time
    from stretchd.store.state import after_move

    # TRANSLATORS: {name} is a reminder's name, {time} its new time (HH:MM).
    done = _("{name} is now at {time}").format(name=name, time=time)
    _edit(lambda text: set_reminder_time(text, name, time), done)
    with local_context() as ctx:
        click.echo(after_move(ctx, datetime.now(ctx.tz), name))


@schedule.command("remove")
@click.argument("name", shell_complete=reminder_names)
def schedule_remove(name: str) -> None:
    """Remove reminder NAME."""
    from stretchd.config.edit import remove_reminder

    # TRANSLATORS: {name} is the removed reminder's name.
    _edit(lambda text: remove_reminder(text, name), _("removed {name}").format(name=name))


@group("config", short_help="Show, check, edit or set config.toml.")
def config_group() -> None:
    """Where config.toml is; show, check, edit or set it."""


@config_group.command("path")
def config_path() -> None:
    """Print the path of config.toml (it need not exist yet)."""
    from stretchd import paths

    click.echo(str(paths.config_file()))


@config_group.command("show")
def config_show() -> None:
    """Print config.toml as it is, or the built-in default when there is none."""
    from stretchd import paths
    from stretchd.config.edit import read_text

    path = paths.config_file()
    if not path.exists():
        click.echo(_("# {file} does not exist: this is the built-in default").format(file=path), err=True)
    click.echo(read_text(path), nl=False)


@config_group.command("check")
def config_check() -> None:
    """Validate config.toml and the routine files; exit 0, or 78 listing every problem."""
    from stretchd import paths
    from stretchd.config import load
    from stretchd.errors import EXIT_CONFIG, ConfigError
    from stretchd.routines import load_all

    routines, problems = load_all(paths.user_routines_dir())
    try:
        config = load(paths.config_file(), routines)
    except ConfigError as e:
        problems = e.problems + problems
        config = None
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(EXIT_CONFIG)
    assert config is not None
    where = config.path or _("the built-in default")

    n, k = len(config.reminders), len(routines)
    click.echo(ngettext("{file}: ok, {n} reminder", "{file}: ok, {n} reminders", n).format(file=where, n=n)
               + ngettext(", {n} routine", ", {n} routines", k).format(n=k))


@config_group.command("edit")
def config_edit() -> None:
    """Open config.toml in $VISUAL or $EDITOR; an invalid result is never saved."""
    from stretchd import paths
    from stretchd.config.edit import edit_interactively, editor_command

    def ask_again(question: str) -> str:
        return str(click.prompt(question, type=click.Choice(["e", "d"]), default="e", err=True))

    saved = edit_interactively(paths.config_file(), _routine_names(), editor_command(),
                               echo=lambda message: click.echo(message, err=True), ask=ask_again)
    if saved is not None:
        _tell_daemon(N_("the running daemon has the edited config"))


@config_group.command("set")
@click.argument("key")
@click.argument("value")
def config_set(key: str, value: str) -> None:
    """Set KEY (e.g. defaults.snooze_minutes, reminders.morning.time) to VALUE."""
    from stretchd.config.edit import set_key

    told = (N_("the running daemon has the new schedule") if key.split(".")[0] == "reminders" else
            N_("the running daemon has the new setting"))
    _edit(lambda text: set_key(text, key, value), f"{key} = {value}", told)


@group(short_help="Install, remove or check the user service.")
def service() -> None:
    """Install stretchd as a systemd user service (or an XDG autostart entry)."""


def _lines(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


@service.command("install")
@option("--no-enable", is_flag=True, help="Write the unit only; do not enable or start it.")
@option("--autostart", is_flag=True,
        help="Write ~/.config/autostart/stretchd.desktop instead, for desktops that "
             "never start graphical-session.target.")
def service_install(no_enable: bool, autostart: bool) -> None:
    """Write ~/.config/systemd/user/stretchd.service, then enable and start it."""
    from stretchd.desktop.service import install

    _lines(install(enable=not no_enable, autostart=autostart))


@service.command("uninstall")
def service_uninstall() -> None:
    """Stop, disable and remove the unit (or the autostart entry)."""
    from stretchd.desktop.service import uninstall

    _lines(uninstall())


@service.command("status")
def service_status() -> None:
    """The unit's state, whether a `stretchd run` is up (or paused), and its next reminders.

    Exits 1 when the user manager cannot be asked about the unit.
    """
    from stretchd.daemon.commands import Status
    from stretchd.desktop.service import status

    lines = status()
    _lines(lines)
    reply = ask(Status())
    if reply is None:
        click.echo(_("daemon: not running"))
    else:
        if reply.get("paused_when"):
            # TRANSLATORS: {when} is a time or a date and time.
            running = _("daemon: running (pid {pid}), paused until {when}").format(
                pid=reply["pid"], when=reply["paused_when"])
        else:
            running = _("daemon: running (pid {pid})").format(pid=reply["pid"])
        click.echo(running)
        for n in reply.get("next", []):
            # TRANSLATORS: a reminder to come: its name, when ("today 16:00"), its routine's name.
            click.echo(_("next: {reminder} {when} ({routine})").format(
                reminder=n["reminder"], when=n["when"], routine=n["routine"]))
    if lines.no_manager:
        raise SystemExit(1)
