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

from stretchd import l10n, paths
from stretchd.i18n import _, ngettext

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
        # TRANSLATORS: --format's value was refused; {template} is what was given, {formats} the
        # formats' names and {fields} the fields a template takes ({state}, {next}...): as they are.
        raise BadFormat(_("{template} is not a format; use {formats}, or a template of {fields}").format(
            template=repr(template), formats=", ".join(FORMATS), fields=accepted))
    for name in names:
        if name not in FIELDS:
            # TRANSLATORS: {field} is the unknown field as given ({streek}); {fields} the fields a
            # --format template takes, as they are.
            raise BadFormat(_("{field} is not a field; use {fields}").format(
                field="{" + name + "}", fields=accepted))
    now = datetime.now().astimezone()
    sample = {"running": True, "state": "waiting", "next": {"reminder": "morning", "at": now.isoformat(),
                                                            "routine": "shotgun"}}
    for state in (sample, {"running": False}):
        try:
            template.format(**fields(state, now))
        except (ValueError, KeyError, IndexError, TypeError) as e:
            # TRANSLATORS: {template} is --format's value; {error} Python's reason; {example} a
            # template that works, as it is.
            raise BadFormat(_("{template} does not render ({error}); give fields plainly, e.g. "
                              "{example}").format(template=repr(template), error=e,
                                                  example="'{next} {next_in}'")) from None


def minutes_until(at: datetime, now: datetime) -> int:
    """Whole minutes left, rounded up: "in 1 min" until the moment itself."""
    return max(0, math.ceil((at - now).total_seconds() / 60))


def in_words(minutes: int) -> str:
    """How soon, in the status bar: "now", "in 23 min", "in 1 h 5 min"."""
    if minutes <= 0:
        # TRANSLATORS: when the next reminder shows, in the status bar.
        return _("now")
    if minutes < 60:
        # TRANSLATORS: when the next reminder shows, in the status bar; min: minutes.
        return _("in {minutes} min").format(minutes=minutes)
    hours, rest = divmod(minutes, 60)
    if rest:
        # TRANSLATORS: when the next reminder shows, in the status bar; h: hours, min: minutes.
        return _("in {hours} h {minutes} min").format(hours=hours, minutes=rest)
    # TRANSLATORS: when the next reminder shows, in the status bar; h: hours.
    return _("in {hours} h").format(hours=hours)


def _weekday_time(moment: datetime) -> str:
    """ "Mon 07:30": the day of the week and the time, in this machine's zone."""
    local = moment.astimezone()
    return f"{l10n.weekday(local)} {l10n.time_of_day(local)}"


def fields(state: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The values a line is made of."""
    if not state.get("running"):
        error = state.get("error")
        return {"state": "error" if error else "stopped", "next": "", "next_in": "", "next_at": "",
                "routine": "", "done": "", "streak": "", "goal": "", "held": "", "paused_until": "",
                # TRANSLATORS: the status bar's text when the daemon is not running.
                "text": f"stretchd: {error}" if error else _("stretchd not running"),
                "tooltip": error or _("stretchd is not running; start it with `stretchd run` or "
                                      "`stretchd service install`")}
    nxt = state.get("next") or {}
    at = datetime.fromisoformat(nxt["at"]) if nxt.get("at") else None
    left = minutes_until(at, now) if at else None
    streak, done, goal = state.get("streak", 0), state.get("done_today", 0), state.get("streak_goal", 1)
    held = ", ".join(f"{h['reminder']} ({_(h['reason'])})" for h in state.get("held") or ())
    paused = datetime.fromisoformat(state["paused_until"]) if state.get("paused_until") else None
    what = state.get("state", "")
    # The status bar's text: what comes next, then today's count and the streak.
    if what == "showing":
        # TRANSLATORS: in the status bar; {reminder} is the reminder showing now.
        text = _("stretch now: {reminder}").format(reminder=state.get("showing"))
    elif what == "held":
        # TRANSLATORS: in the status bar; {held} lists reminders held, each with why:
        # "morning (microphone in use)".
        text = _("held: {held}").format(held=held)
    elif what == "paused" and paused:
        # TRANSLATORS: in the status bar; {time} is 09:00.
        text = _("paused until {time}").format(time=l10n.time_of_day(paused.astimezone()))
    elif at is not None and left is not None:
        # TRANSLATORS: in the status bar; {reminder} is a reminder's name, {when} "in 23 min" or "now".
        text = (_("{reminder} {when} (snoozed)") if nxt.get("snoozed") else _("{reminder} {when}")).format(
            reminder=nxt["reminder"], when=in_words(left))
    else:
        # TRANSLATORS: in the status bar: none is scheduled.
        text = _("no reminders")
    # TRANSLATORS: the status bar's text: {state} is what comes next ("morning in 23 min"),
    # {done} the walkthroughs completed today, {streak} the days in a row with enough of them.
    text = _("{state} · {done} today · streak {streak}").format(state=text, done=done, streak=streak)
    # TRANSLATORS: the status bar's tooltip; {time} is "Mon 07:30".
    tooltip = [_("Next: {reminder} ({routine}) at {time}").format(
                   reminder=nxt["reminder"], routine=nxt.get("routine", ""),
                   time=_weekday_time(at)) if at else _("No reminder scheduled"),
               # TRANSLATORS: the status bar's tooltip; {goal} is how many make a day count for the streak.
               ngettext("Today: {n} walkthrough completed (goal {goal})",
                        "Today: {n} walkthroughs completed (goal {goal})", done).format(n=done, goal=goal),
               # TRANSLATORS: the status bar's tooltip: {n} days in a row with the goal met.
               ngettext("Streak: {n} day", "Streak: {n} days", streak).format(n=streak)]
    if held:
        # TRANSLATORS: in the status bar's tooltip; {held} lists reminders held, each with why.
        tooltip.append(_("Held: {held}").format(held=held))
    if paused:
        # TRANSLATORS: in the status bar's tooltip; {time} is "Mon 09:00".
        tooltip.append(_("Paused until {time}").format(time=_weekday_time(paused)))
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
