"""Find and launch a terminal emulator running the walkthrough, argument lists only."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from stretchd.daemon.ports import TERMINAL_FIX
from stretchd.errors import ConfigError, StretchdError
from stretchd.i18n import _
from stretchd.text import clean as clean_text

Which = Callable[[str], str | None]

TITLE = "stretchd"
SETTING_KEY = "config.toml: defaults.terminal"
FIX = TERMINAL_FIX  # marked with N_: translated where it is said




@dataclass(frozen=True)
class Emulator:
    """How one terminal emulator is told to run a program, to title its window and to open it
    maximized or full screen."""

    run: tuple[str, ...]  # what goes right before the program's argv
    title: tuple[str, ...] = ()
    maximized: tuple[str, ...] = ()
    fullscreen: tuple[str, ...] = ()

    def window(self, size: str) -> tuple[str, ...]:
        return {"maximized": self.maximized, "fullscreen": self.fullscreen}.get(size, ())

    def prefix(self, path: str, size: str = "normal") -> list[str]:
        return [path, *self.title, *self.window(size), *self.run]


# Looked up by basename. The flags matter: gnome-terminal's and xfce4-terminal's `-e` take
# one shell-parsed string, so a program's argv must follow `--` or `-x` instead. Konsole has
# no flag for a maximized window, xdg-terminal-exec and wezterm's `start` none at all.
EMULATORS: Mapping[str, Emulator] = {
    "xdg-terminal-exec": Emulator(run=()),
    # Debian policy requires `-e` (the rest of the line is the command) and `-T title`; the
    # window's flags are those of the terminal it really is (see _searched()).
    "x-terminal-emulator": Emulator(run=("-e",), title=("-T", TITLE)),
    "gnome-terminal": Emulator(run=("--",), title=("--title", TITLE), maximized=("--maximize",),
                               fullscreen=("--full-screen",)),
    "konsole": Emulator(run=("-e",), fullscreen=("--fullscreen",)),
    "kitty": Emulator(run=(), title=("--title", TITLE), maximized=("--start-as=maximized",),
                      fullscreen=("--start-as=fullscreen",)),
    "alacritty": Emulator(run=("-e",), title=("--title", TITLE),
                          maximized=("-o", "window.startup_mode=Maximized"),
                          fullscreen=("-o", "window.startup_mode=Fullscreen")),
    "foot": Emulator(run=(), title=("--title", TITLE), maximized=("--maximized",),
                     fullscreen=("--fullscreen",)),
    "xterm": Emulator(run=("-e",), title=("-T", TITLE), maximized=("-maximized",),
                      fullscreen=("-fullscreen",)),
    # Not searched for, but recognised in $TERMINAL, where a plain `-e` would be wrong.
    "xfce4-terminal": Emulator(run=("-x",), title=("--title", TITLE), maximized=("--maximize",),
                               fullscreen=("--fullscreen",)),
    "mate-terminal": Emulator(run=("-x",), maximized=("--maximize",),
                              fullscreen=("--full-screen",)),
    "terminator": Emulator(run=("-x",), maximized=("--maximise",), fullscreen=("--fullscreen",)),
    "wezterm": Emulator(run=("start", "--")),
}

# Searched in this order after $TERMINAL when the setting is "auto".
SEARCH_ORDER = (
    "xdg-terminal-exec",
    "x-terminal-emulator",
    "gnome-terminal",
    "konsole",
    "kitty",
    "alacritty",
    "foot",
    "xterm",
)

UNKNOWN = Emulator(run=("-e",))


def find(
    setting: str | Sequence[str], env: Mapping[str, str], which: Which | None = None,
    window: str = "normal",
) -> list[str] | None:
    """The argv prefix that runs a program in a terminal, or None when no terminal is found.

    `setting` is config.toml's defaults.terminal: "auto", or an argv list used as is.
    `which` resolves a program name to its path (default: shutil.which over env's PATH).
    `window`: "maximized", "fullscreen" or "normal", with each terminal's own flag for it.
    """
    found = candidates(setting, env, which, window)
    return found[0] if found else None


def candidates(
    setting: str | Sequence[str], env: Mapping[str, str], which: Which | None = None,
    window: str = "normal",
) -> list[list[str]]:
    """Every terminal that could run the walkthrough, in the order to try them: the one
    configured alone (as written: no flag added); with "auto", $TERMINAL's and then each one
    found, each program once, with its flag for the window size asked for."""
    if which is None:
        which = _which_in(env)
    if not isinstance(setting, str):
        return [_configured(setting, which)]
    if setting != "auto":
        # TRANSLATORS: {key} is "config.toml: defaults.terminal"; {value} what it says. Keep "auto".
        raise ConfigError(_('{key}: "{value}" is not "auto" or an argv list, e.g. ["kitty", "--"]').format(
            key=SETTING_KEY, value=setting))
    found: list[list[str]] = []
    from_env = _from_terminal_variable(env.get("TERMINAL", ""), which, window)
    if from_env is not None:
        found.append(from_env)
    for name in SEARCH_ORDER:
        path = which(name)
        if path is not None:
            found.append(_searched(name, path, which, window))
    seen: set[str] = set()
    unique = []
    for prefix in found:
        if (program := real_program(prefix[0])) not in seen:
            seen.add(program)
            unique.append(prefix)
    return unique


def _searched(name: str, path: str, which: Which, window: str) -> list[str]:
    """A terminal found by name. x-terminal-emulator (often gnome-terminal by another name) is
    run as the terminal it really is, with that terminal's own flags, where that is known and
    installed: Debian's gnome-terminal.wrapper passes on no flag for the window's size."""
    if name == "x-terminal-emulator":
        real = real_program(path)
        real_path = which(real) if real in EMULATORS and real != name else None
        if real_path is not None and real_program(real_path) == real:
            return EMULATORS[real].prefix(real_path, window)
    return EMULATORS[name].prefix(path, window)


def real_program(path: str) -> str:
    """The terminal a path really runs: through alternatives' links, and Debian's wrappers
    (x-terminal-emulator -> gnome-terminal.wrapper is gnome-terminal)."""
    return os.path.basename(os.path.realpath(path)).removesuffix(".wrapper")


def command(prefix: Sequence[str], argv: Sequence[str]) -> list[str]:
    """The full argv: the terminal's prefix, then the program's argv."""
    return [*prefix, *argv]


def launch(
    setting: str | Sequence[str],
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    which: Which | None = None,
    window: str = "normal",
) -> Launched:
    """Start a terminal running `argv`, detached from us; raise StretchdError if none can start.
    With "auto", the terminals found after it are kept, to try if this one fails."""
    if env is None:
        env = os.environ
    found = candidates(setting, env, which, window)
    if not found:
        # TRANSLATORS: {fix} says what to set: "set defaults.terminal in config.toml, or $TERMINAL".
        raise StretchdError(_("no terminal found; {fix}").format(fix=_(FIX)))
    return _start(found, argv, env)


@dataclass
class Launched:
    """A terminal started for the walkthrough: what became of it, and the next one to try."""

    prefix: list[str]
    proc: subprocess.Popen[bytes]
    errors: IO[bytes]  # what it writes on stderr
    argv: Sequence[str]
    env: Mapping[str, str]
    rest: list[list[str]]  # terminals found after it ("auto")

    @property
    def name(self) -> str:
        return real_program(self.prefix[0])

    def ended(self) -> bool:
        return self.proc.poll() is not None

    def clean(self) -> bool:
        """Ended with 0 and said nothing: it handed its window to a server (gnome-terminal's
        wrapper does), or it ran the walkthrough and it is over."""
        return self.proc.poll() == 0 and not self._said()

    def said(self) -> str:
        """Its last word on stderr (or its exit status): why it failed, in its words."""
        # TRANSLATORS: why a terminal failed, when it said nothing; {status} is its exit status.
        return self._said() or _("it exited with status {status}").format(status=self.proc.poll())

    def _said(self) -> str:
        self.errors.seek(0)
        lines = [line.strip().lstrip("#").strip()
                 for line in self.errors.read().decode(errors="replace").splitlines()]
        return clean_text(next((line for line in reversed(lines) if line), ""))[:300]

    def next(self) -> Launched | None:
        """The next terminal found, started; None if there is none that starts."""
        while self.rest:
            try:
                return _start(self.rest, self.argv, self.env)
            except StretchdError:
                self.rest = self.rest[1:]
        return None


def _start(found: list[list[str]], argv: Sequence[str], env: Mapping[str, str]) -> Launched:
    import tempfile

    prefix, rest = found[0], found[1:]
    errors = tempfile.TemporaryFile()  # noqa: SIM115  (kept open while the terminal lives)
    try:
        # A session of its own, so the window outlives a daemon restart and never receives our
        # signals; its stderr in a file of ours, to say why it failed if it does.
        proc = subprocess.Popen(
            command(prefix, argv),
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
    except OSError as exc:
        errors.close()
        reason = exc.strerror or str(exc)
        # TRANSLATORS: {program} is the terminal's path; {error} the system's reason; {fix} what
        # to set: "set defaults.terminal in config.toml, or $TERMINAL".
        raise StretchdError(_("cannot start terminal {program}: {error}; {fix}").format(
            program=prefix[0], error=reason, fix=_(FIX))) from exc
    # Reap it when it ends (the walkthrough can take minutes): a thread asleep in waitpid
    # costs nothing meanwhile, and no finished terminal stays a zombie of ours.
    import threading

    threading.Thread(target=proc.wait, name="reap terminal", daemon=True).start()
    return Launched(list(prefix), proc, errors, argv, env, rest)


@dataclass(frozen=True)
class SystemTerminal:
    """The real launcher: config.toml's terminal setting, environment read at each launch."""

    setting: str | Sequence[str] = "auto"
    env: Mapping[str, str] | None = None  # None: os.environ as it is when launching
    window: str = "normal"  # config.toml's walkthrough.window

    def launch(self, argv: Sequence[str], token: str | None = None) -> Launched:
        env = dict(os.environ if self.env is None else self.env)
        if token:
            # The window opens focused: Wayland's xdg-activation, and X11's startup notification.
            env.update(XDG_ACTIVATION_TOKEN=token, DESKTOP_STARTUP_ID=token)
        return launch(self.setting, argv, env, window=self.window)


def _which_in(env: Mapping[str, str]) -> Which:
    path = env.get("PATH")

    def which(name: str) -> str | None:
        return shutil.which(name, path=path)

    return which


def _configured(setting: Sequence[str], which: Which) -> list[str]:
    if not setting:
        # TRANSLATORS: {key} is "config.toml: defaults.terminal". Keep "auto".
        raise ConfigError(_('{key}: an empty list; use "auto" or an argv list like ["kitty", "--"]').format(
            key=SETTING_KEY))
    if which(setting[0]) is None:
        # TRANSLATORS: {key} is "config.toml: defaults.terminal"; {program} a program's name.
        raise ConfigError(_('{key}: program "{program}" not found; use "auto" or install it').format(
            key=SETTING_KEY, program=setting[0]))
    return list(setting)


def _from_terminal_variable(value: str, which: Which, window: str = "normal") -> list[str] | None:
    """$TERMINAL as a prefix: a program name or path, or a command with arguments."""
    try:
        words = shlex.split(value)
    except ValueError:  # unbalanced quotes: unusable, so look further
        return None
    if not words:
        return None
    path = which(words[0])
    if path is None:
        return None
    emulator = EMULATORS.get(os.path.basename(words[0]), UNKNOWN)
    if len(words) == 1:
        return emulator.prefix(path, window)
    # The user wrote the options; add only the part of the run flag not already there,
    # so "alacritty -e" and "wezterm start" work as well as "kitty --single-instance".
    return [path, *words[1:], *emulator.run[_overlap(words[1:], emulator.run):]]


def _overlap(words: Sequence[str], flag: Sequence[str]) -> int:
    """How many leading items of `flag` the end of `words` already holds."""
    for n in range(min(len(words), len(flag)), 0, -1):
        if list(words[-n:]) == list(flag[:n]):
            return n
    return 0
