"""Routines and their walkthrough: `stretchd walk`, `stretchd routines list | show`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from stretchd.bounds import REPETITIONS
from stretchd.cli.common import command, group, option, routine_names
from stretchd.cli.common import routines as load_routines
from stretchd.errors import StretchdError
from stretchd.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from stretchd.config import Config
    from stretchd.routines import Routine
    from stretchd.walkthrough.pictures import Figure


@command(short_help="A routine, step by step, in this terminal.")
@click.argument("routine", required=False, shell_complete=routine_names)
@option("--reps", type=click.IntRange(*REPETITIONS), metavar="N",
        help="Repetitions for every step the article gives as a range (within it).")
@option("--voice/--no-voice", default=None,
        help="Say each step aloud (spd-say, else espeak-ng), or not; default: the "
             "config's [walkthrough] voice.")
@option("--pictures/--no-pictures", default=None,
        help="Draw each position (kitty or sixel pixels where the terminal has them, "
             "coloured blocks elsewhere), or not; default: the config's [walkthrough] pictures.")
@option("--reminder", hidden=True,
        help="The reminder whose notification started this walk: the end screen "
             "then closes by itself after 60 s.")
def walk(routine: str | None, reps: int | None, voice: bool | None, pictures: bool | None,
         reminder: str | None) -> None:
    """Lead through ROUTINE step by step in this terminal (default: the config's routine).

    Enter starts, Space pauses and resumes, n skips to the next step, q quits. The countdown
    is drawn large, to read from the floor; with --voice each step, side, the last three
    seconds and the breaths are also said aloud. With output piped, prints the steps as
    plain lines instead.
    """
    from stretchd import paths
    from stretchd.config import load
    from stretchd.errors import ConfigError
    from stretchd.i18n import NOT_LATIN, language, use
    from stretchd.routines import find, with_repetitions
    from stretchd.walkthrough import is_interactive, print_plain
    from stretchd.walkthrough.screen import wants_ascii

    if wants_ascii() and language() in NOT_LATIN:
        use("en")  # an ASCII terminal cannot show Cyrillic or CJK text: English, not "????"
    found = load_routines()
    try:
        config = load(paths.config_file(), found)
    except ConfigError:
        if routine is None:
            raise
        config = None  # a walk named on the command line goes on with the default voice
    if routine is None:
        assert config is not None
        routine = config.defaults.routine
    chosen = find(routine, found)
    if reps is not None:
        chosen = with_repetitions(chosen, reps)
    if not is_interactive():
        print_plain(chosen, click.echo)
        return
    from rich.console import Console

    from stretchd.i18n import language
    from stretchd.routines.plan import format_duration
    from stretchd.store.history import History
    from stretchd.walkthrough import TerminalKeys
    from stretchd.walkthrough import walk as run_walk
    from stretchd.walkthrough.voice import can_speak, cannot_be_heard, find_chime, find_speaker

    setting = config.walkthrough.voice if config else "auto"
    asked = voice if voice is not None else {"on": True, "off": False}.get(setting)
    from_notification = reminder is not None
    wanted = bool(asked or (asked is None and from_notification))
    speaker = find_speaker(language=language()) if wanted else None
    silent = cannot_be_heard() if speaker else ""  # asked only where a voice would speak
    note = (_("No speech program found (spd-say or espeak-ng): the walkthrough runs silently.")
            if asked and speaker is None and not can_speak() else
            _("No voice speaks this language here: the walkthrough runs silently.")
            if wanted and speaker is None and can_speak() else
            _("The voice cannot be heard here: {why}.").format(why=_(silent)) if speaker and silent else "")
    console = Console()
    keys = TerminalKeys(sys.stdin)
    drawing = pictures if pictures is not None else (config.walkthrough.pictures if config
                                                     else "auto") != "off"
    with History(paths.database_file()) as history, keys.raw():
        figure = _figure(chosen, asking=pictures is True or (config is not None and
                                                             config.walkthrough.pictures == "on")
                         ) if drawing else None
        outcome = run_walk(chosen, console=console, keys=keys, history=history,
                           reminder=reminder, speaker=speaker,
                           chime=find_chime(console.bell, audible=not silent),
                           end_wait=60.0 if from_notification else None, voice_note=note,
                           streak_goal=config.stats.streak_goal if config else 1,
                           figure=figure)
    if not _tell_the_daemon() and config is not None:
        _share(config)
    if outcome.completed:
        click.echo(_("Well done: {routine} completed in {length}.").format(
            routine=chosen.title, length=format_duration(outcome.elapsed)))
    elif outcome.step:
        click.echo(_("Stopped at step {number} of {count}. Recorded.").format(
            number=outcome.step, count=outcome.steps))
    else:
        click.echo(_("Stopped before the first step. Recorded."))


@group(short_help="List and show the stretch routines.")
def routines() -> None:
    """List and show the stretch routines (built-in and your own)."""


@routines.command("list")
def routines_list() -> None:
    """Each routine's name, length and where it comes from."""
    from stretchd.routines.plan import format_duration, plan, planned_seconds
    from stretchd.text import columns

    found = load_routines()
    # TRANSLATORS: where a routine comes from, in `stretchd routines list`.
    sources = {"built-in": _("built-in"), "user": _("user")}
    width = max(len(n) for n in found)
    source_width = max(8, *(columns(s) for s in sources.values()))  # "eingebaut", "встроенный"
    for name in sorted(found):
        r = found[name]
        length = format_duration(planned_seconds(plan(r)))
        pad = " " * max(0, 12 - columns(length))  # by columns: "4分2秒" is 6 characters, 10 wide
        source = sources.get(r.source, r.source)
        source += " " * max(0, source_width - columns(source))
        click.echo(f"{name:<{width}}  {pad}{length}  {source}  {r.title}")


@routines.command("show")
@click.argument("name", shell_complete=routine_names)
def routines_show(name: str) -> None:
    """Every step of routine NAME, with its timing."""
    from stretchd.routines import find
    from stretchd.walkthrough import print_plain

    r = find(name, load_routines())
    print_plain(r, click.echo, _drawer() if sys.stdout.isatty() else None)
    if r.path is not None:
        # TRANSLATORS: {file} is the path of the routine's file.
        click.echo(_("File: {file}").format(file=r.path))


def _drawer() -> Callable[[Path], None]:
    """Each picture as coloured blocks (plain shapes under NO_COLOR, ASCII under LANG=C), up to
    60 columns wide: what any terminal shows, with no question asked of it."""
    import os
    import shutil

    from rich.console import Console

    from stretchd.walkthrough.pictures import Figure, choose
    from stretchd.walkthrough.screen import wants_ascii
    from stretchd.walkthrough.view import cells_text

    console = Console(highlight=False)
    figure = Figure(None, choose(None, os.environ, ascii=wants_ascii()))
    cols, rows = figure.area(min(60, shutil.get_terminal_size().columns - 4), 10)

    def draw(image: Path) -> None:
        for row in figure.rows_of_cells(image, image, cols, rows) or ():
            console.print(cells_text(row, 3), soft_wrap=True)

    return draw


def _figure(routine: Routine, asking: bool) -> Figure:
    """The pictures, in the best form this terminal answers it can show (asked in cbreak
    mode; not over SSH unless `asking`: pixels are heavy on a slow link)."""
    import os

    from stretchd.walkthrough.pictures import Figure, ask_terminal, cell_pixels, choose, may_ask
    from stretchd.walkthrough.screen import wants_ascii

    ascii = wants_ascii()
    asked = None
    if (not ascii and not os.environ.get("NO_COLOR") and may_ask(os.environ)
            and (asking or not os.environ.get("SSH_CONNECTION"))):
        asked = ask_terminal(sys.stdin.fileno(), sys.stdout.fileno())
    cell = cell_pixels(sys.stdout.fileno())
    return Figure(routine.image, choose(asked, os.environ, ascii=ascii, cell=cell), cell or (10, 20))


def _tell_the_daemon() -> bool:
    """A walk ended: a running daemon tells its `status --follow` clients (today's count, the
    streak) and puts it in the shared folder ([sync]). False when none runs."""
    from stretchd.daemon.commands import Walked, to_wire
    from stretchd.ipc.control import request

    try:
        request(to_wire(Walked()), timeout=1.0)
    except StretchdError:
        return False
    return True


def _share(config: Config) -> None:
    """No daemon runs: the walk goes to the shared folder of [sync] from here (else the
    daemon's next start puts it there)."""
    from stretchd import paths
    from stretchd.store.history import History
    from stretchd.store.sharing import Exchange
    from stretchd.sync.folder import FolderError, SharedFolder

    if config.sync.folder is None:
        return
    folder = SharedFolder(config.sync.folder, config.sync.name)
    if not folder.present():
        return
    try:
        with History(paths.database_file()) as history:
            Exchange(history, folder).send()
    except (FolderError, StretchdError) as e:
        # TRANSLATORS: {problem} says why the shared folder could not be written.
        click.echo(_("Not shared with your other computers yet: {problem}").format(problem=e), err=True)
