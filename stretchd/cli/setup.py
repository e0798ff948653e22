"""The commands that set stretchd up: schedule, config and service."""

from __future__ import annotations

from collections.abc import Callable

import click

from stretchd.cli.common import ask, reminder_names, routine_names, routines


def _routine_names() -> list[str]:
    return list(routines())


def _edit(change: Callable[[str], str], done: str, what: str = "the new schedule") -> None:
    """Apply a validated change to config.toml, then have a running daemon reload it."""
    from stretchd import paths
    from stretchd.config.edit import apply

    apply(paths.config_file(), change, _routine_names())
    click.echo(done)
    _tell_daemon(what)


def _tell_daemon(what: str) -> None:
    from stretchd.daemon.commands import Reload

    if ask(Reload()) is None:
        click.echo("(the daemon is not running; the change applies when it starts)")
    else:
        click.echo(f"the running daemon has {what}")


@click.group(short_help="List and change the reminders.")
def schedule() -> None:
    """List and change the reminders in config.toml (comments and layout are kept)."""


@schedule.command("list")
def schedule_list() -> None:
    """Each reminder: name, time, days, routine."""
    from stretchd import paths
    from stretchd.config import format_time, load

    config = load(paths.config_file(), _routine_names())
    if not config.reminders:
        click.echo("No reminders. Add one: stretchd schedule add NAME HH:MM")
        return
    width = max(len(r.name) for r in config.reminders)
    for r in config.reminders:
        click.echo(f"{r.name:<{width}}  {format_time(r.time):<8}  {r.days_text():<27}  {r.routine}")


@schedule.command("add")
@click.argument("name")
@click.argument("time")
@click.option("--days", help="Comma-separated days, mon..sun (default: every day).")
@click.option("--routine", shell_complete=routine_names,
              help="The routine (default: defaults.routine).")
def schedule_add(name: str, time: str, days: str | None, routine: str | None) -> None:
    """Add reminder NAME at TIME (HH:MM, 24-hour)."""
    from stretchd.config.edit import add_reminder

    _edit(lambda text: add_reminder(text, name, time, [days] if days else None, routine),
          f"added {name} at {time}")


@schedule.command("set")
@click.argument("name", shell_complete=reminder_names)
@click.argument("time")
def schedule_set(name: str, time: str) -> None:
    """Move reminder NAME to TIME (HH:MM, 24-hour)."""
    from datetime import datetime

    from stretchd.cli.common import local_context
    from stretchd.config.edit import set_reminder_time
    from stretchd.store.state import after_move

    _edit(lambda text: set_reminder_time(text, name, time), f"{name} is now at {time}")
    with local_context() as ctx:
        click.echo(after_move(ctx, datetime.now(ctx.tz), name))


@schedule.command("remove")
@click.argument("name", shell_complete=reminder_names)
def schedule_remove(name: str) -> None:
    """Remove reminder NAME."""
    from stretchd.config.edit import remove_reminder

    _edit(lambda text: remove_reminder(text, name), f"removed {name}")


@click.group("config", short_help="Show, check, edit or set config.toml.")
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
        click.echo(f"# {path} does not exist: this is the built-in default", err=True)
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
    from stretchd.i18n import _, ngettext

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
        _tell_daemon("the edited config")


@config_group.command("set")
@click.argument("key")
@click.argument("value")
def config_set(key: str, value: str) -> None:
    """Set KEY (e.g. defaults.snooze_minutes, reminders.morning.time) to VALUE."""
    from stretchd.config.edit import set_key

    what = "the new schedule" if key.split(".")[0] == "reminders" else "the new setting"
    _edit(lambda text: set_key(text, key, value), f"{key} = {value}", what)


@click.group(short_help="Install, remove or check the user service.")
def service() -> None:
    """Install stretchd as a systemd user service (or an XDG autostart entry)."""


def _lines(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


@service.command("install")
@click.option("--no-enable", is_flag=True, help="Write the unit only; do not enable or start it.")
@click.option("--autostart", is_flag=True,
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
        click.echo("daemon: not running")
    else:
        paused = f", paused until {reply['paused_when']}" if reply.get("paused_when") else ""
        click.echo(f"daemon: running (pid {reply['pid']}){paused}")
        for n in reply.get("next", []):
            click.echo(f"next: {n['reminder']} {n['when']} ({n['routine']})")
    if lines and lines[-1].startswith("systemd: no user manager"):
        raise SystemExit(1)
