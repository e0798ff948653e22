"""`stretchd doctor`: what stretchd sees on this desktop now, and what it can use."""

from __future__ import annotations

from typing import Any

import click

from stretchd.cli.common import command, option
from stretchd.i18n import N_, _

# What the desktop matrix proves in CI (docs/desktops.md; `make compat` writes that table).
# Servers by the name they give (GetServerInformation), with their row in that table.
# dunst shows "(A)" where others draw buttons: the actions are in its menu.
# TRANSLATORS: {dmenu} says whether a dmenu program is here ("found", or "not found: ...").
DUNST_NOTE = N_("dunst draws no buttons, only (A): Start, Snooze and Skip are in its menu (its "
                "context mouse action, or `dunstctl context`), which needs a dmenu program (dmenu "
                "{dmenu}); a middle click starts, a left click dismisses")
GNOME_TERMINAL_SERVICE = "org.gnome.Terminal"
TESTED_SERVERS = {"dunst": "dunst", "mako": "mako", "SwayNotificationCenter": "swaync",
                  "Xfce Notify Daemon": "xfce4-notifyd", "gnome-shell": "GNOME Shell"}
TESTED_TERMINALS = ("xterm", "xfce4-terminal", "kitty", "alacritty", "gnome-terminal", "foot",
                    "xdg-terminal-exec")


def is_tested(name: str | None, known: tuple[str, ...] | dict[str, str]) -> bool:
    """Whether a name (or a path's program) is in the tested matrix."""
    import os

    base = os.path.basename(name or "")
    return any(base == k or base.startswith(f"{k}-") for k in tuple(known))


def tested(name: str | None, known: tuple[str, ...] | dict[str, str]) -> str:
    """"tested", or "not in stretchd's tested matrix" for a name (or a path's program)."""
    # TRANSLATORS: said of a notification server or a terminal: it is in the desktops tested.
    return _("tested") if is_tested(name, known) else _("not in stretchd's tested matrix (docs/desktops.md)")


@command(short_help="What stretchd sees and can use on this desktop.")
@option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def doctor(as_json: bool) -> None:
    """Show the notification server (and whether it has buttons), the terminal Start would
    open, the voice and chime programs, and what the person is doing now: in a call
    (meeting), in do-not-disturb (dnd), locked, away, fullscreen; each with its source. With
    [sync]: the shared folder, the other computers seen in it, and whether Syncthing answers.
    Always exits 0: an unknown is shown as such."""
    import asyncio
    import json
    import os
    import shutil

    from stretchd import paths
    from stretchd.cli import sharing
    from stretchd.config import Hold, Walkthrough, conditions, load
    from stretchd.config.conditions import Reading
    from stretchd.desktop import busy, terminal
    from stretchd.desktop.dbus import DBUS, Bus
    from stretchd.errors import ConfigError
    from stretchd.walkthrough.voice import cannot_be_heard, find_chime, find_speaker

    shared: dict[str, Any] | None = None
    try:
        config = load(paths.config_file())
        setting, hold, config_note = config.defaults.terminal, config.hold, ""
        window = config.walkthrough.window
        shared = sharing.report(config)
    except ConfigError as e:
        setting, hold, config_note = "auto", Hold(), e.message
        window = Walkthrough.window

    async def look() -> tuple[busy.Server | None, str, list[Reading], bool]:
        session, system = Bus(), Bus(system=True)
        try:
            found = await busy.server(session)
            readings = await busy.read(conditions.NAMES, away_minutes=hold.away_minutes,
                                       mako_modes=hold.mako_modes, session=session,
                                       system=system, found=found)
            # gnome-terminal's windows come from gnome-terminal-server, which the session bus
            # starts: without it, gnome-terminal exits at once.
            owned = await session.call(*DBUS, "NameHasOwner", "s", [GNOME_TERMINAL_SERVICE])
            startable = await session.call(*DBUS, "ListActivatableNames")
            gnome_terminal = bool(owned and owned[0]) or bool(
                startable and GNOME_TERMINAL_SERVICE in startable[0])
            return found, session.failed, readings, gnome_terminal
        finally:
            session.close()
            system.close()

    found, no_bus, readings, gnome_terminal = asyncio.run(look())
    try:
        term = terminal.find(setting, os.environ, window=window)
    except ConfigError as e:
        term, config_note = None, e.message
    speaker = find_speaker()
    silent = cannot_be_heard()
    chime = find_chime(lambda: None, audible=not silent).argv
    if as_json:
        click.echo(json.dumps({
            "server": None if found is None else {
                "name": found.name, "vendor": found.vendor, "version": found.version,
                "capabilities": list(found.capabilities), "buttons": found.buttons},
            "terminal": term,
            "terminal_program": terminal.real_program(term[0]) if term else None,
            "tested": {"server": found is not None and is_tested(found.name, TESTED_SERVERS),
                       "terminal": term is not None and is_tested(term[0], TESTED_TERMINALS)},
            "voice": speaker.program if speaker else None,
            "sound": silent or "ok",
            "chime": chime[0] if chime else "bell",
            "conditions": [{**r.as_json(), "enabled": r.condition in hold.when} for r in readings],
            "hold": {"when": list(hold.when), "away_minutes": hold.away_minutes,
                     "hold_at_most_minutes": hold.hold_at_most_minutes},
            "sync": shared,
            "config": config_note or None,
        }, indent=2))
        return
    if found is None:
        # TRANSLATORS: {why} says why no notification server answers.
        click.echo(_("notification server: none ({why}); reminders show on the daemon's console").format(
            why=no_bus or _("no org.freedesktop.Notifications")))
    else:
        if found.buttons:
            # TRANSLATORS: {tested} is "tested", or "not in stretchd's tested matrix (...)".
            line = _("notification server: {name} {version} ({vendor}), buttons: yes; {tested}")
        else:
            # TRANSLATORS: {tested} is "tested", or "not in stretchd's tested matrix (...)".
            line = _("notification server: {name} {version} ({vendor}), buttons: no; {tested}")
        click.echo(line.format(name=found.name, version=found.version, vendor=found.vendor,
                               tested=tested(found.name, TESTED_SERVERS)))
        if found.name == "dunst":
            # TRANSLATORS: said of a dmenu program, in "(dmenu {dmenu})" of the dunst note.
            dmenu = (_("found") if shutil.which("dmenu") else
                     _("not found: install one, or set dunst's dmenu to rofi -dmenu"))
            click.echo("  " + _(DUNST_NOTE).format(dmenu=dmenu))
    if term is None:
        click.echo(_("terminal: none found; set defaults.terminal or $TERMINAL"))
    else:
        program = terminal.real_program(term[0])
        alias = shutil.which("x-terminal-emulator")
        if program != os.path.basename(term[0]):
            # TRANSLATORS: {command} is the command Start runs, {program} the terminal it really
            # is; {tested} is "tested", or "not in stretchd's tested matrix (...)".
            line = _("terminal: {command} (that is {program}); {tested}")
        elif alias and alias != term[0] and terminal.real_program(alias) == program:
            # TRANSLATORS: {command} is the command Start runs, {program} the terminal it really
            # is; {tested} is "tested", or "not in stretchd's tested matrix (...)".
            line = _("terminal: {command} (x-terminal-emulator is {program}, run by its own name for its "
                     "flags); {tested}")
        else:
            # TRANSLATORS: {command} is the command Start runs; {tested} is "tested", or "not in
            # stretchd's tested matrix (...)".
            line = _("terminal: {command}; {tested}")
        click.echo(line.format(command=" ".join(term), program=program,
                               tested=tested(program, TESTED_TERMINALS)))
        if program == "gnome-terminal" and not gnome_terminal:
            # TRANSLATORS: {service} is a D-Bus name.
            click.echo("  " + _("gnome-terminal cannot open a window here: no {service} on the session "
                                "bus to start gnome-terminal-server (outside GNOME); Start tries the next "
                                "terminal found, or set defaults.terminal or $TERMINAL").format(
                                    service=GNOME_TERMINAL_SERVICE))
    voice = speaker.program if speaker else _("none (install speech-dispatcher or espeak-ng)")
    if silent:
        # TRANSLATORS: {voice} is the speech program; {why} says why no sound would be heard.
        click.echo(_("voice: {voice}; cannot be heard: {why}").format(voice=voice, why=_(silent)))
    else:
        # TRANSLATORS: {voice} is the speech program, or why there is none.
        click.echo(_("voice: {voice}").format(voice=voice))
    if chime:
        # TRANSLATORS: {program} plays the chime (pw-play, paplay, aplay).
        click.echo(_("chime: {program}").format(program=os.path.basename(chime[0])))
    else:
        click.echo(_("chime: the terminal bell"))
    for reading in readings:
        # TRANSLATORS: after a condition that does not hold reminders; hold.when is a config key.
        enabled = "" if reading.condition in hold.when else "  " + _("[not in hold.when]")
        click.echo(reading.describe(_) + enabled)
    if shared is not None:
        click.echo("\n".join(sharing.lines(shared)))
    if config_note:
        # TRANSLATORS: {problem} says what is wrong in config.toml.
        click.echo(_("config: {problem}").format(problem=config_note))
