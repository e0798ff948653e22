"""What the person is doing now: in a call, in do-not-disturb, locked, away, fullscreen.

Each condition (conditions.py) is read from the desktop's own sources, asked once when wanted
(nothing runs between reminders). A source that is not there reads as unknown, never as an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import sys
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from stretchd.config.conditions import Reading
from stretchd.desktop.dbus import NOTIFICATIONS, Bus
from stretchd.i18n import N_

T = TypeVar("T")
CAPTURE_CLASSES = ("Stream/Input/Audio", "Stream/Input/Video")
# Seconds a program that reads a source has to answer (pw-dump, makoctl, gsettings, the X11
# reader). The X11 reader, a Python program, answers in 70 ms on an idle machine and in
# 1.5 s beside 24 CPU-bound programs on 2 cores; a source that does not answer reads as not
# busy, and the reminder would show to a person away from the desk. The look 2 s ahead of a
# reminder keeps it on the dot on an idle machine; a slow one shows it a moment late rather
# than wrongly.
TIMEOUT = 6.0


# A reading's reason (what a held reminder is held for: "microphone in use") is marked with N_
# and kept in English: it is recorded in the history, keys conditions.AFTER, and is a value in
# `status --json`; what shows it to the person translates it. Sources and details stay English:
# they are read in the log and in `stretchd doctor` as the desktop's own terms.


# meeting ---------------------------------------------------------------------------------

def _is_monitor(props: dict[str, Any]) -> bool:
    """A capture of what a sink plays (level meters, visualizers), not of a microphone."""
    if props.get("stream.capture.sink") in (True, "true") or props.get("stream.monitor") in (True, "true"):
        return True
    target = str(props.get("target.object") or props.get("node.target") or "")
    return target.endswith(".monitor")


def pw_dump_objects(text: str) -> list[Any]:
    """The objects in `pw-dump`'s output. It prints the graph as one JSON array, and a change
    that arrives before it exits as one more array (a client leaving: its id with "info":
    null), so the output is read as a stream of arrays, later ones updating earlier ones.
    Raises ValueError when it is not that."""
    decoder = json.JSONDecoder()
    objects: dict[Any, Any] = {}
    at, arrays = 0, 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            break
        array, at = decoder.raw_decode(text, at)
        if not isinstance(array, list):
            raise ValueError("pw-dump printed something other than an array")
        arrays += 1
        for n, obj in enumerate(array):
            key = obj.get("id", f"#{arrays}.{n}") if isinstance(obj, dict) else f"#{arrays}.{n}"
            old = objects.get(key)
            if isinstance(obj, dict) and "info" in obj and obj["info"] is None and arrays > 1:
                objects.pop(key, None)  # removed
            elif isinstance(old, dict) and isinstance(obj, dict) and isinstance(old.get("info"), dict) \
                    and isinstance(obj.get("info"), dict):
                objects[key] = {**old, **obj, "info": {**old["info"], **obj["info"]}}
            else:
                objects[key] = obj
    if not arrays:
        raise ValueError("pw-dump printed nothing")
    return list(objects.values())


def meeting_from_pw_dump(objects: Iterable[Any]) -> Reading:
    """From `pw-dump`'s JSON: running capture streams of a microphone or a camera."""
    audio = video = 0
    for obj in objects:
        if not isinstance(obj, dict) or not isinstance(obj.get("info"), dict):
            continue
        info = obj["info"]
        props = info.get("props") if isinstance(info.get("props"), dict) else {}
        if info.get("state") != "running" or props.get("media.class") not in CAPTURE_CLASSES:
            continue
        if _is_monitor(props):
            continue
        if props["media.class"] == "Stream/Input/Video":
            video += 1
        else:
            audio += 1
    count = audio + video
    # TRANSLATORS: why a reminder is held, shown by `stretchd status` and the status bar.
    reason = (N_("camera or screen share in use") if video else
              # TRANSLATORS: why a reminder is held, shown by `stretchd status` and the status bar.
              N_("microphone in use") if audio else "")
    return Reading("meeting", count > 0, "PipeWire",
                   f"{count} capture stream{'s' if count != 1 else ''}", reason)


def meeting_from_proc(proc: Path = Path("/proc")) -> Reading:
    """Without PipeWire: an ALSA capture device running, or a camera held open."""
    recording = 0
    for status in proc.glob("asound/card*/pcm*c/sub*/status"):
        try:
            if re.search(r"^state:\s*RUNNING", status.read_text(), re.MULTILINE):
                recording += 1
        except OSError:
            continue
    cameras = 0
    # Names joined as strings, not Paths: pathlib interns every part, and the interpreter's
    # table of interned strings grows to the most names alive at once and keeps that size (the
    # soak saw the daemon's memory step up by 0.9 MB on a machine with many open files).
    for pid in _entries(str(proc), str.isdigit):
        # A process may end, or not be ours, between two reads: skipped, never an error.
        fds = os.path.join(proc, pid, "fd")
        for fd in _entries(fds):
            try:
                if os.readlink(os.path.join(fds, fd)).startswith("/dev/video"):
                    cameras += 1
            except OSError:
                continue
    # TRANSLATORS: why a reminder is held, shown by `stretchd status` and the status bar.
    reason = N_("camera in use") if cameras else N_("microphone in use") if recording else ""
    detail = f"{recording} ALSA capture running, {cameras} camera open"
    return Reading("meeting", bool(recording or cameras), "/proc", detail, reason)


def _entries(folder: str, keep: Callable[[str], bool] = bool) -> Iterator[str]:
    """The names in folder that `keep` keeps, one at a time (a process may hold thousands of
    files: a list of them all would stay in the daemon's memory as freed space it keeps); none
    where it cannot be read (gone meanwhile)."""
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if keep(entry.name):
                    yield entry.name
    except OSError:
        return


async def _run(argv: list[str]) -> bytes | None:
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL)
    except OSError:
        return None
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), TIMEOUT)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):  # it may have ended meanwhile
            proc.kill()
        await proc.wait()
        return None
    return out if proc.returncode == 0 else None


async def meeting(proc: Path = Path("/proc")) -> Reading:
    pw_dump = shutil.which("pw-dump")
    if pw_dump:
        out = await _run([pw_dump])
        if out:
            try:
                return meeting_from_pw_dump(pw_dump_objects(out.decode("utf-8", "replace")))
            except ValueError:
                pass
    return meeting_from_proc(proc)


# D-Bus -----------------------------------------------------------------------------------

Call = Callable[[str, str, str, str, str, list[Any]], Awaitable[list[Any] | None]]


SERVER = NOTIFICATIONS[:2]  # its name and object; interfaces vary by what is asked


@dataclass(frozen=True)
class Server:
    name: str
    vendor: str
    version: str
    capabilities: tuple[str, ...]

    @property
    def buttons(self) -> bool:
        return "actions" in self.capabilities


async def server(session: Bus) -> Server | None:
    info = await session.call(*SERVER, "org.freedesktop.Notifications", "GetServerInformation")
    if not info:
        return None
    caps = await session.call(*SERVER, "org.freedesktop.Notifications", "GetCapabilities")
    return Server(str(info[0]), str(info[1]), str(info[2]), tuple(caps[0]) if caps else ())


async def dnd(session: Bus, found: Server | None,
              mako_modes: tuple[str, ...] = ("do-not-disturb",)) -> Reading:
    """The notification server's own do-not-disturb."""
    if found is None:
        return Reading("dnd", None, session.failed or "no notification server")
    name = found.name.lower()
    value: Any = None
    if name == "dunst":
        value = await session.prop(*SERVER, "org.dunstproject.cmd0", "paused")
    elif "swaync" in name or "swaynotificationcenter" in name or "swaync" in found.vendor.lower():
        got = await session.call("org.erikreider.swaync.cc", "/org/erikreider/swaync/cc",
                                 "org.erikreider.swaync.cc", "GetDnd")
        value = got[0] if got else None
    elif name == "mako":
        makoctl = shutil.which("makoctl")
        out = await _run([makoctl, "mode"]) if makoctl else None
        value = None if out is None else bool(set(out.decode().split()) & set(mako_modes))
    elif name == "gnome-shell":
        gsettings = shutil.which("gsettings")
        out = (await _run([gsettings, "get", "org.gnome.desktop.notifications", "show-banners"])
               if gsettings else None)
        value = None if out is None else out.strip() == b"false"
    else:  # KDE Plasma, and any server that implements the Inhibited property
        value = await session.prop(*SERVER, "org.freedesktop.Notifications", "Inhibited")
    if not isinstance(value, bool):
        return Reading("dnd", None, found.name, "its do-not-disturb state is not readable")
    # TRANSLATORS: why a reminder is held, shown by `stretchd status` and the status bar.
    return Reading("dnd", value, found.name, "", N_("do not disturb") if value else "")


LOGIN1 = ("org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager")


async def login_session(system: Bus) -> str | None:
    """The object path of this user's graphical session in logind."""
    sid = os.environ.get("XDG_SESSION_ID")
    if sid:
        got = await system.call(*LOGIN1, "GetSession", "s", [sid])
        if got:
            return str(got[0])
    user = await system.call(*LOGIN1, "GetUser", "u", [os.getuid()])
    if user:
        display = await system.prop(LOGIN1[0], str(user[0]), "org.freedesktop.login1.User", "Display")
        if display and str(display[1]) != "/":
            return str(display[1])
    sessions = await system.call(*LOGIN1, "ListSessions")
    for row in (sessions[0] if sessions else []):
        if int(row[1]) == os.getuid():
            return str(row[4])
    return None


async def locked(system: Bus, session: Bus) -> Reading:
    path = await login_session(system)
    if path:
        hint = await system.prop(LOGIN1[0], path, "org.freedesktop.login1.Session", "LockedHint")
        if isinstance(hint, bool):
            # TRANSLATORS: why a reminder is held, shown by `stretchd status` and the status bar.
            return Reading("locked", hint, "logind", "", N_("screen locked") if hint else "")
    active = await session.call("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                                "org.freedesktop.ScreenSaver", "GetActive")
    if active and isinstance(active[0], bool):
        return Reading("locked", active[0], "ScreenSaver", "", N_("screen locked") if active[0] else "")
    return Reading("locked", None, system.failed or "no logind session")


# X11 -------------------------------------------------------------------------------------

async def x11() -> dict[str, Any]:
    """X11 idle time and fullscreen state, read in a child process (stretchd/desktop/x11.py)."""
    out = await _run([sys.executable, "-m", "stretchd.desktop.x11"]) if os.environ.get("DISPLAY") else None
    try:
        got = json.loads(out) if out else None
    except ValueError:
        got = None
    return got if isinstance(got, dict) else {"display": False, "idle": None, "fullscreen": None}


async def away(system: Bus, session: Bus, minutes: int, idle: float | None = None) -> Reading:
    """idle: X11's idle seconds, if there is an X display."""
    source = "X11"
    if idle is None:
        got = await session.call("org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
                                 "org.gnome.Mutter.IdleMonitor", "GetIdletime")
        if got:
            idle, source = float(got[0]) / 1000, "Mutter"
    if idle is not None:
        busy = idle >= minutes * 60
        return Reading("away", busy, source, f"idle {_span(idle)}, away after {minutes} min",
                       # TRANSLATORS: why a reminder is held, shown by `stretchd status` and the status bar.
                       N_("away from the desk") if busy else "")
    path = await login_session(system)
    if path:
        hint = await system.prop(LOGIN1[0], path, "org.freedesktop.login1.Session", "IdleHint")
        if isinstance(hint, bool):
            return Reading("away", hint, "logind", "IdleHint", N_("away from the desk") if hint else "")
    return Reading("away", None, "no idle time (no X display, Mutter or logind)")


def _span(seconds: float) -> str:
    return f"{int(seconds)} s" if seconds < 120 else f"{int(seconds // 60)} min"


def fullscreen(state: dict[str, Any]) -> Reading:
    """From x11()'s state."""
    if not state.get("display"):
        return Reading("fullscreen", None, "no X display")
    on = state.get("fullscreen")
    if on == "no active window":
        return Reading("fullscreen", False, "X11", on)
    if not isinstance(on, bool):
        return Reading("fullscreen", None, "X11", "the active window is not readable")
    # TRANSLATORS: why a reminder is held, shown by `stretchd status` and the status bar.
    return Reading("fullscreen", on, "X11", "", N_("a fullscreen window") if on else "")


@dataclass
class Sources:
    """What one read() asks its readers to share: the buses, the settings, and what several
    conditions read from one source, asked once (X11's state for away and fullscreen)."""

    session: Bus
    system: Bus
    away_minutes: int
    mako_modes: tuple[str, ...]
    found: Server | None = None  # the notification server, if the caller asked it already
    _asked: dict[str, Any] = field(default_factory=dict, init=False)
    _asking: dict[str, asyncio.Lock] = field(default_factory=dict, init=False)

    async def _once(self, key: str, ask: Callable[[], Awaitable[T]]) -> T:
        async with self._asking.setdefault(key, asyncio.Lock()):  # readers run together
            if key not in self._asked:
                self._asked[key] = await ask()
        return cast(T, self._asked[key])

    async def notification_server(self) -> Server | None:
        if self.found is not None:
            return self.found
        return await self._once("server", lambda: server(self.session))

    async def screen(self) -> dict[str, Any]:
        return await self._once("x11", x11)


async def _dnd(s: Sources) -> Reading:
    return await dnd(s.session, await s.notification_server(), s.mako_modes)


async def _away(s: Sources) -> Reading:
    idle = (await s.screen()).get("idle")
    return await away(s.system, s.session, s.away_minutes, idle if isinstance(idle, float) else None)


async def _fullscreen(s: Sources) -> Reading:
    return fullscreen(await s.screen())


# How each condition in conditions.py is read, by its name.
READERS: dict[str, Callable[[Sources], Awaitable[Reading]]] = {
    "meeting": lambda s: meeting(),
    "dnd": _dnd,
    "locked": lambda s: locked(s.system, s.session),
    "away": _away,
    "fullscreen": _fullscreen,
}


async def read(names: Iterable[str], *, away_minutes: int = 5,
               mako_modes: tuple[str, ...] = ("do-not-disturb",),
               session: Bus | None = None, system: Bus | None = None,
               found: Server | None = None) -> list[Reading]:
    """Each condition as it is now, in the order asked (found: the notification server, if
    the caller asked it already)."""
    sources = Sources(session or Bus(), system or Bus(system=True), away_minutes, mako_modes, found)
    # Asked together: a reminder waits for the slowest source, not for the sum of them.
    return list(await asyncio.gather(*(READERS[c](sources) for c in names if c in READERS)))
