"""Speech and chimes for the walkthrough: programs started without waiting, found when needed.

Nothing here blocks the walkthrough's clock: a phrase is handed to its program and the
walkthrough goes on; a new phrase cuts the one before it (espeak-ng's process is stopped;
speech-dispatcher cancels an older message of priority "text" itself).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from stretchd.i18n import N_

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


# Each language's voice: espeak-ng's (`espeak-ng --voices`) and speech-dispatcher's language
# code (`spd-say -l`), by stretchd.i18n's names.
ESPEAK_VOICES = {"en": "en", "de": "de", "es": "es", "fr": "fr-fr", "it": "it", "ja": "ja", "nl": "nl",
                 "pl": "pl", "pt_BR": "pt-br", "ru": "ru", "zh_CN": "cmn"}
SPD_LANGUAGES = {"en": "en", "de": "de", "es": "es", "fr": "fr", "it": "it", "ja": "ja", "nl": "nl",
                 "pl": "pl", "pt_BR": "pt-BR", "ru": "ru", "zh_CN": "zh"}
# A word in a script espeak-ng reads only with that language's dictionary: Debian's espeak-ng
# has none for Japanese or Chinese, and says "Chinese letter" in English for each character.
PROBES = {"ja": "膝", "zh_CN": "膝"}


def espeak_speaks(espeak: str, language: str) -> bool:
    """Whether this espeak-ng has a voice that reads the language's text."""
    voice = ESPEAK_VOICES.get(language)
    if voice is None:
        return False
    if language not in PROBES:
        return True
    try:
        out = subprocess.run([espeak, "-v", voice, "-q", "-x", PROBES[language]], capture_output=True,
                             text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.strip()) and "(en)" not in out


def find_speaker(which: Which = shutil.which, language: str = "en",
                 speaks: Callable[[str, str], bool] = espeak_speaks) -> Speaker | None:
    """speech-dispatcher's spd-say if it is on PATH, else espeak-ng, else None; speaking
    `language` (stretchd.i18n's name), or None if the program has no voice for it."""
    spd = which("spd-say")
    if spd:
        code = SPD_LANGUAGES.get(language, "en")
        # Priority "text": a newer message cancels an older one still being spoken.
        return Speaker("spd-say", lambda phrase: [spd, "-P", "text", "-N", "stretchd", "-l", code, "--",
                                                  phrase], cuts_itself=True)
    espeak = which("espeak-ng")
    if espeak:
        if language != "en" and not speaks(espeak, language):
            return None
        voice = ESPEAK_VOICES.get(language, "en")
        return Speaker("espeak-ng", lambda phrase: [espeak, "-v", voice, "--", phrase])
    return None


def can_speak(which: Which = shutil.which) -> bool:
    """Whether a speech program is here at all (whatever its languages)."""
    return any(which(p) for p in VOICE_PROGRAMS)


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
               sounds: tuple[str, ...] = SOUNDS, *, audible: bool = True) -> Chime:
    """A sound through canberra-gtk-play or pw-play; the terminal's bell where nothing would
    be heard (audible=False) or neither is there."""
    if not audible:
        return Chime(None, bell)
    canberra = which("canberra-gtk-play")
    if canberra and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):  # a GTK program
        return Chime([canberra, "-i", "bell", "-d", "stretchd"], bell)
    player = which("pw-play")
    sound = next((s for s in sounds if Path(s).is_file()), None)
    if player and sound:
        return Chime([player, sound], bell)
    return Chime(None, bell)


NO_SOUND = N_("no sound server (PipeWire or PulseAudio) is running and there is no sound card")
NO_OUTPUT = N_("PipeWire has no output device")


def cannot_be_heard(env: Mapping[str, str] | None = None, which: Which = shutil.which,
                    cards: str = "/dev/snd/pcmC*D*p") -> str:
    """Why speech and chimes would not be heard here, or "" if they would (or cannot be known):
    espeak-ng and pw-play exit without a sound where no server listens and no card plays."""
    env = os.environ if env is None else env
    runtime = env.get("XDG_RUNTIME_DIR", "")
    pipewire = env.get("PIPEWIRE_REMOTE") or (os.path.join(runtime, "pipewire-0") if runtime else "")
    if pipewire and _listening(pipewire):
        return NO_OUTPUT if _pipewire_sinks(env, which) == 0 else ""
    pulse = env.get("PULSE_SERVER", "")
    if pulse and not pulse.startswith("unix:"):
        return ""  # a server over the network: nothing to tell from here
    pulse = pulse.removeprefix("unix:") or (os.path.join(runtime, "pulse", "native") if runtime else "")
    if (pulse and _listening(pulse)) or glob.glob(cards):
        return ""
    return NO_SOUND


def _listening(path: str) -> bool:
    """A server listens on this Unix socket (a socket file left by one that died does not)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        try:
            s.connect(path)
        except OSError:
            return False
    return True


def _pipewire_sinks(env: Mapping[str, str], which: Which) -> int | None:
    """How many audio outputs PipeWire has; None if that cannot be read (no pw-dump)."""
    dump = which("pw-dump")
    if dump is None:
        return None
    try:
        out = subprocess.run([dump], env=dict(env), capture_output=True, timeout=3.0, check=True).stdout
        objects = json.loads(out or b"[]")
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return sum(1 for o in objects if isinstance(o, dict)
               and ((o.get("info") or {}).get("props") or {}).get("media.class") == "Audio/Sink")
