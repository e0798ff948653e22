"""`stretchd status --follow`: the daemon's state as a line for a status bar, re-drawn when the
daemon pushes a change and once a minute while a countdown shows. Stdlib only: it starts fast
and stays small beside the bar."""

from __future__ import annotations

import json
import math
import select
import socket
import string
import sys
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any

from stretchd import paths

FORMATS = ("text", "json", "waybar", "polybar", "i3blocks")
FIELDS = ("state", "next", "next_in", "next_at", "routine", "done", "streak", "goal", "held",
          "paused_until", "text", "tooltip")
RECONNECT = 1.0  # seconds between tries while the daemon is not running


class BadFormat(ValueError):
    pass


def check_template(template: str) -> None:
    """A --format template names known fields and renders, the daemon up or not; BadFormat
    says what is accepted."""
    accepted = ", ".join("{" + f + "}" for f in FIELDS)
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as e:
        raise BadFormat(f"{template!r}: {e}") from None
    if not names:
        raise BadFormat(f"{template!r} is not a format; use {', '.join(FORMATS)}, or a template "
                        f"of {accepted}")
    for name in names:
        if name not in FIELDS:
            raise BadFormat(f"{{{name}}} is not a field; use {accepted}")
    now = datetime.now().astimezone()
    sample = {"running": True, "state": "waiting", "next": {"reminder": "morning", "at": now.isoformat(),
                                                            "routine": "shotgun"}}
    for state in (sample, {"running": False}):
        try:
            template.format(**fields(state, now))
        except (ValueError, KeyError, IndexError, TypeError) as e:
            raise BadFormat(f"{template!r} does not render ({e}); give fields plainly, "
                            "e.g. '{next} {next_in}'") from None


def minutes_until(at: datetime, now: datetime) -> int:
    """Whole minutes left, rounded up: "in 1 min" until the moment itself."""
    return max(0, math.ceil((at - now).total_seconds() / 60))


def in_words(minutes: int) -> str:
    if minutes <= 0:
        return "now"
    if minutes < 60:
        return f"in {minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"in {hours} h {rest} min" if rest else f"in {hours} h"


def fields(state: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The values a line is made of."""
    if not state.get("running"):
        error = state.get("error")
        return {"state": "error" if error else "stopped", "next": "", "next_in": "", "next_at": "",
                "routine": "", "done": "", "streak": "", "goal": "", "held": "", "paused_until": "",
                "text": f"stretchd: {error}" if error else "stretchd not running",
                "tooltip": error or "stretchd is not running; start it with `stretchd run` or "
                "`stretchd service install`"}
    nxt = state.get("next") or {}
    at = datetime.fromisoformat(nxt["at"]) if nxt.get("at") else None
    left = minutes_until(at, now) if at else None
    streak, done, goal = state.get("streak", 0), state.get("done_today", 0), state.get("streak_goal", 1)
    held = ", ".join(f"{h['reminder']} ({h['reason']})" for h in state.get("held") or ())
    paused = datetime.fromisoformat(state["paused_until"]) if state.get("paused_until") else None
    what = state.get("state", "")
    if what == "showing":
        text = f"stretch now: {state.get('showing')}"
    elif what == "held":
        text = f"held: {held}"
    elif what == "paused" and paused:
        text = f"paused until {paused.astimezone():%H:%M}"
    elif at is not None and left is not None:
        text = f"{nxt['reminder']} {in_words(left)}" + (" (snoozed)" if nxt.get("snoozed") else "")
    else:
        text = "no reminders"
    text += f" · {done} today · streak {streak}"
    tooltip = [f"Next: {nxt['reminder']} ({nxt.get('routine', '')}) at {at.astimezone():%a %H:%M}"
               if at else "No reminder scheduled",
               f"Today: {done} walkthrough{'s' if done != 1 else ''} completed (goal {goal})",
               f"Streak: {streak} day{'s' if streak != 1 else ''}"]
    if held:
        tooltip.append(f"Held: {held}")
    if paused:
        tooltip.append(f"Paused until {paused.astimezone():%a %H:%M}")
    return {"state": what, "next": nxt.get("reminder", ""), "next_in": in_words(left) if left is not None
            else "", "next_at": f"{at.astimezone():%H:%M}" if at else "", "routine": nxt.get("routine", ""),
            "done": done, "streak": streak, "goal": goal, "held": held,
            "paused_until": f"{paused.astimezone():%H:%M}" if paused else "", "text": text,
            "tooltip": "\n".join(tooltip)}


def render(state: dict[str, Any], fmt: str, now: datetime) -> str:
    """One line: `fmt` one of FORMATS, or a template like '{next_in} {streak}'."""
    f = fields(state, now)
    if fmt == "json":
        return json.dumps({**state, "next_in": f["next_in"], "text": f["text"]})
    if fmt == "waybar":
        goal = f["goal"] or 1
        percentage = min(100, round(100 * (f["done"] or 0) / goal)) if state.get("running") else 0
        return json.dumps({"text": f["text"], "tooltip": f["tooltip"], "class": f["state"],
                           "percentage": percentage})
    if fmt in ("text", "polybar", "i3blocks"):
        return str(f["text"])
    return fmt.format(**f)


def countdown_wait(state: dict[str, Any], now: datetime) -> float | None:
    """Seconds until the countdown's minute changes (None: no countdown shows)."""
    nxt = state.get("next") if state.get("running") else None
    if not nxt or state.get("state") in ("showing", "held", "paused"):
        return None
    left = (datetime.fromisoformat(nxt["at"]) - now).total_seconds()
    if left <= 0:
        return None
    return (left % 60 or 60.0) + 0.05


def follow(fmt: str, out: IO[str] = sys.stdout, now: Callable[[], datetime] | None = None,
           reconnect: float = RECONNECT, done: Callable[[], bool] = lambda: False) -> None:
    """Print a line each time the state changes, until interrupted; survive the daemon going
    and coming back (a bar module must not die with it)."""
    clock = now or (lambda: datetime.now().astimezone())
    last = ""

    def emit(state: dict[str, Any]) -> None:
        nonlocal last
        line = render(state, fmt, clock())
        if line != last:
            out.write(line + "\n")
            out.flush()
            last = line

    while not done():
        sock = _connect()
        if sock is None:
            emit({"running": False})
            select.select([], [], [], reconnect)
            continue
        with sock:
            state: dict[str, Any] = {"running": False}
            buffer = b""
            heard = False  # a state from the daemon on this connection
            while True:
                wait = countdown_wait(state, clock())
                ready, _, _ = select.select([sock], [], [], wait)
                if not ready:
                    emit(state)  # the countdown's minute
                    continue
                try:
                    chunk = sock.recv(65536)
                except OSError:
                    chunk = b""
                if not chunk:  # the daemon stopped, or refused (an older one, an error)
                    emit(state if state.get("error") else {"running": False})
                    break
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    try:
                        got = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(got, dict) and got.get("running"):
                        state, heard = got, True
                        emit(state)
                    elif isinstance(got, dict) and got.get("error"):
                        state = {"running": False, "error": str(got["error"])}
        if not heard:  # it answered but sent no state: not again at once
            select.select([], [], [], reconnect)


def _connect() -> socket.socket | None:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(2.0)
        s.connect(str(paths.socket_file()))
        s.sendall(b'{"cmd": "follow"}\n')
        s.settimeout(None)
    except OSError:
        s.close()
        return None
    return s
