"""Speech and chimes for the walkthrough: programs started without waiting, found when needed.

Nothing here blocks the walkthrough's clock: a phrase is handed to its program and the
walkthrough goes on; a new phrase cuts the one before it (espeak-ng's process is stopped;
speech-dispatcher cancels an older message of priority "text" itself).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

VOICE_PROGRAMS = ("spd-say", "espeak-ng")
SOUNDS = ("/usr/share/sounds/freedesktop/stereo/bell.oga",
          "/usr/share/sounds/freedesktop/stereo/complete.oga")

Which = Callable[[str], str | None]


def _start(argv: list[str]) -> subprocess.Popen[bytes] | None:
    try:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, close_fds=True)
    except OSError:
        return None


def _finish(procs: list[subprocess.Popen[bytes]], wait: float) -> None:
    """Wait for each process up to wait seconds, then stop it, and reap it either way."""
    for proc in procs:
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait()


class Voice(Protocol):
    def say(self, phrase: str) -> None:
        """Start saying phrase now, cutting what is still being said."""

    def close(self, wait: float = 2.0) -> None:
        """Let the last phrase finish, up to wait seconds; stop the rest."""


class Speaker:
    """Says one phrase at a time through a speech program."""

    def __init__(self, program: str, argv: Callable[[str], list[str]], *,
                 cuts_itself: bool = False) -> None:
        self.program = program
        self.argv = argv
        self.cuts_itself = cuts_itself
        self.said: list[str] = []
        self.running: list[subprocess.Popen[bytes]] = []

    def say(self, phrase: str) -> None:
        self.reap()
        if not self.cuts_itself:
            for proc in self.running:
                proc.terminate()
        started = _start(self.argv(phrase))
        if started is not None:
            self.running.append(started)
        self.said.append(phrase)

    def reap(self) -> None:
        self.running = [p for p in self.running if p.poll() is None]

    def close(self, wait: float = 2.0) -> None:
        """Let the last phrase ("Done") finish, up to wait seconds, then stop whatever is left."""
        _finish(self.running, wait)
        self.running = []


def find_speaker(which: Which = shutil.which) -> Speaker | None:
    """speech-dispatcher's spd-say if it is on PATH, else espeak-ng, else None."""
    spd = which("spd-say")
    if spd:
        # Priority "text": a newer message cancels an older one still being spoken.
        return Speaker("spd-say", lambda phrase: [spd, "-P", "text", "-N", "stretchd", "--", phrase],
                       cuts_itself=True)
    espeak = which("espeak-ng")
    if espeak:
        return Speaker("espeak-ng", lambda phrase: [espeak, "--", phrase])
    return None


class Chime:
    """Marks a transition: a real sound where a player and a sound exist, else the bell."""

    def __init__(self, argv: list[str] | None, bell: Callable[[], None]) -> None:
        self.argv = argv
        self.bell = bell
        self.running: list[subprocess.Popen[bytes]] = []

    def __call__(self) -> None:
        self.running = [p for p in self.running if p.poll() is None]
        proc = _start(self.argv) if self.argv else None
        if proc is None:
            self.bell()
        else:
            self.running.append(proc)

    def close(self) -> None:
        _finish(self.running, 1.0)
        self.running = []


def find_chime(bell: Callable[[], None], which: Which = shutil.which,
               sounds: tuple[str, ...] = SOUNDS) -> Chime:
    canberra = which("canberra-gtk-play")
    if canberra and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):  # a GTK program
        return Chime([canberra, "-i", "bell", "-d", "stretchd"], bell)
    player = which("pw-play")
    sound = next((s for s in sounds if Path(s).is_file()), None)
    if player and sound:
        return Chime([player, sound], bell)
    return Chime(None, bell)
