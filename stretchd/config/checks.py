"""config.toml checked key by key: every problem named with its file, key, line and what is
accepted, collected as values (errors.Problem), then raised together."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stretchd import bounds
from stretchd.config.values import (
    CONDITIONS,
    DAYS,
    DEFAULT_KEYS,
    DEVICE_RE,
    FULL_DAYS,
    HOLD_KEYS,
    NAME_RE,
    PICTURES,
    REMINDER_KEYS,
    STATS_KEYS,
    SYNC_KEYS,
    TOP_KEYS,
    URGENCIES,
    VOICES,
    WALKTHROUGH_KEYS,
    WINDOWS,
    Config,
    Defaults,
    Hold,
    Reminder,
    Stats,
    Sync,
    Walkthrough,
    parse_time,
)
from stretchd.errors import ConfigError, Problem, did_you_mean
from stretchd.i18n import _
from stretchd.text import clean, one_line


def _show(value: object) -> str:
    if isinstance(value, str):
        return '"' + clean(value, keep_newlines=False)[:60] + '"'
    if isinstance(value, dict):
        # TRANSLATORS: a value in config.toml that is a TOML table, as in "a table is not accepted; use ...".
        return _("a table")
    if isinstance(value, list):
        # TRANSLATORS: a value in config.toml that is a list, as in "a list is not accepted; use ...".
        return _("a list")
    return clean(repr(value), keep_newlines=False)[:60]


class _Checker:
    """Collects every problem in a file, each a Problem: 'FILE: KEY: what is wrong (line N)'."""

    def __init__(self, display: str, text: str) -> None:
        self.display = display
        self.lines = text.splitlines()
        self.found: list[Problem] = []
        self._where: dict[str | tuple[str, str], int] | None = None

    def line_of(self, table: str, key: str) -> int | None:
        # The lines are indexed once: a scan per problem took minutes on a file with
        # thousands of bad keys, and the daemon reloads the config on its event loop.
        if self._where is None:
            self._where = {}
            current = ""
            for number, line in enumerate(self.lines, 1):
                header = re.match(r"^\s*\[([^\[\]]+)\]", line)
                if header:
                    current = header[1].strip().replace('"', "").replace("'", "")
                    self._where.setdefault(current, number)
                elif assigned := re.match(r'\s*(?:"([^"]*)"|([^"=]*?))\s*=', line):
                    key_text = assigned[1] if assigned[1] is not None else assigned[2]
                    self._where.setdefault((current, key_text), number)
        found = (self._where.get(f"{table}.{key}" if table else key), self._where.get((table, key)))
        return min((n for n in found if n is not None), default=None)

    def add(self, table: str, key: str, problem: str) -> None:
        name = one_line(f"{table}.{key}" if table else key)
        self.found.append(Problem(f"{self.display}: {name}", problem, self.line_of(table, key)))

    def table(self, name: str, data: object, keys: Iterable[str]) -> dict[str, Any] | None:
        """data as the table [name] with only these keys (each unknown one named), else None."""
        if not isinstance(data, dict):
            # TRANSLATORS: {table} is a section's name in config.toml, e.g. [walkthrough].
            self.add("", name, _("must be a table: [{table}]").format(table=name))
            return None
        self.unknown(name, data, keys)
        return data

    def unknown(self, table: str, data: dict[str, Any], allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                if hint:
                    # TRANSLATORS: {hint} is ' (did you mean "x"?)'.
                    self.add(table, key, _("unknown key{hint}").format(hint=hint))
                else:
                    # TRANSLATORS: {keys} lists the key names config.toml accepts there.
                    self.add(table, key, _("unknown key; known keys: {keys}").format(keys=", ".join(allowed)))


def _routine(ck: _Checker, table: str, value: object, routines: Iterable[str] | None) -> str | None:
    if not isinstance(value, str) or not value:
        # TRANSLATORS: {value} is the value written in config.toml, quoted, or "a list", "a table".
        ck.add(table, "routine", _('{value} is not a routine name; use one of `stretchd routines list`, '
                                   'e.g. "hips-lower-back"').format(value=_show(value)))
        return None
    if routines is not None and value not in routines:
        known = sorted(routines)
        # TRANSLATORS: {hint} is ' (did you mean "x"?)' or nothing; {routines} lists routine names.
        ck.add(table, "routine", _("no routine named {value}{hint}; known: {routines}").format(
            value=_show(value), hint=did_you_mean(value, known), routines=", ".join(known)))
        return None
    return value


def _defaults(ck: _Checker, data: object, routines: Iterable[str] | None) -> Defaults:
    if not isinstance(data, dict):
        ck.add("", "defaults", _("must be a table: [{table}]").format(table="defaults"))
        return Defaults()
    ck.unknown("defaults", data, DEFAULT_KEYS)
    out: dict[str, Any] = {}
    if "routine" in data:
        out["routine"] = _routine(ck, "defaults", data["routine"], routines) or Defaults.routine
    for key, (low, high) in bounds.DEFAULTS.items():
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            ck.add("defaults", key, _whole(value, low, high))
        else:
            out[key] = value
    if "terminal" in data:
        value = data["terminal"]
        if value == "auto":
            out["terminal"] = "auto"
        elif (isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)):
            out["terminal"] = tuple(value)
        else:
            ck.add("defaults", "terminal", _('{value} is not accepted; use "auto" or a command as a list, '
                                             'e.g. ["kitty", "--"]').format(value=_show(value)))
    if "urgency" in data:
        if data["urgency"] in URGENCIES:
            out["urgency"] = data["urgency"]
        else:
            # TRANSLATORS: "normal" and "critical" are written in config.toml as they are.
            ck.add("defaults", "urgency", _('{value} is not accepted; use "normal" or "critical"{hint}')
                   .format(value=_show(data["urgency"]), hint=did_you_mean(str(data["urgency"]), URGENCIES)))
    if "language" in data:
        value = data["language"]
        from stretchd.i18n import ENGLISH, SHIPPED, normalize

        accepted = ("auto", ENGLISH, *SHIPPED)
        if value == "auto" or (isinstance(value, str) and normalize(value) is not None):  # "de_DE" too
            out["language"] = value
        else:
            # TRANSLATORS: {languages} lists the names config.toml accepts: auto, en, de, ...
            ck.add("defaults", "language", _("{value} is not a shipped language; use {languages}{hint}")
                   .format(value=_show(value), languages=", ".join(accepted),
                           hint=did_you_mean(str(value), accepted)))
    return Defaults(**out)


def _walkthrough(ck: _Checker, raw: object) -> Walkthrough:
    data = ck.table("walkthrough", raw, WALKTHROUGH_KEYS)
    if data is None:
        return Walkthrough()
    voice = data.get("voice", Walkthrough.voice)
    if voice not in VOICES:
        ck.add("walkthrough", "voice", _auto_on_off(voice, VOICES))
        voice = Walkthrough.voice
    window = data.get("window", Walkthrough.window)
    if window not in WINDOWS:
        # TRANSLATORS: "maximized", "fullscreen" and "normal" are written in config.toml as they are.
        ck.add("walkthrough", "window", _('{value} is not accepted; use "maximized", "fullscreen" or '
                                          '"normal"{hint}').format(value=_show(window),
                                                                   hint=did_you_mean(str(window), WINDOWS)))
        window = Walkthrough.window
    pictures = data.get("pictures", Walkthrough.pictures)
    if pictures not in PICTURES:
        ck.add("walkthrough", "pictures", _auto_on_off(pictures, PICTURES))
        pictures = Walkthrough.pictures
    return Walkthrough(voice=voice, window=window, pictures=pictures)


def _hold(ck: _Checker, raw: object) -> Hold:
    data = ck.table("hold", raw, HOLD_KEYS)
    if data is None:
        return Hold()
    out: dict[str, Any] = {}
    when = data.get("when", list(Hold.when))
    if not isinstance(when, list):
        # TRANSLATORS: {conditions} lists the names config.toml accepts, e.g. "meeting, dnd or away".
        ck.add("hold", "when", _('{value} is not accepted; use a list of {conditions}, '
                                 'e.g. ["meeting", "dnd"], or [] to hold never')
               .format(value=_show(when), conditions=_or(CONDITIONS)))
    else:
        for condition in when:
            if condition not in CONDITIONS:
                ck.add("hold", "when", _("{value} is not a condition; use {conditions}{hint}").format(
                    value=_show(condition), conditions=_or(CONDITIONS),
                    hint=did_you_mean(str(condition), CONDITIONS)))
                break
        else:
            out["when"] = tuple(dict.fromkeys(when))
    for key, (low, high) in bounds.HOLD.items():
        value = data.get(key, getattr(Hold, key))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            ck.add("hold", key, _whole(value, low, high))
        else:
            out[key] = value
    if "mako_modes" in data:
        modes = data["mako_modes"]
        if isinstance(modes, list) and all(isinstance(m, str) and m.strip() for m in modes):
            out["mako_modes"] = tuple(m.strip() for m in modes)
        else:
            ck.add("hold", "mako_modes", _('{value} is not accepted; use a list of mako mode names, '
                                           'e.g. ["do-not-disturb"]').format(value=_show(modes)))
    return Hold(**out)


def parse_weekly(value: object) -> tuple[int, dt.time] | None:
    """"sun 18:00" as (6, 18:00); ValueError if it is not a day and a time."""
    parts = value.split() if isinstance(value, str) else []
    day = parts[0].lower() if len(parts) == 2 else ""
    if day not in DAYS and day not in FULL_DAYS:
        raise ValueError(value)
    at = parse_time(parts[1])
    if at is None:
        raise ValueError(value)
    return (DAYS.index(day) if day in DAYS else FULL_DAYS.index(day)), at


def _stats(ck: _Checker, raw: object) -> Stats:
    data = ck.table("stats", raw, STATS_KEYS)
    if data is None:
        return Stats()
    out: dict[str, Any] = {}
    goal = data.get("streak_goal", Stats.streak_goal)
    low, high = bounds.STREAK_GOAL
    if isinstance(goal, bool) or not isinstance(goal, int) or not low <= goal <= high:
        ck.add("stats", "streak_goal", _("{value} is not accepted; use a whole number from {low} to {high} "
                                         "(walkthroughs completed for a day to count)").format(
            value=_show(goal), low=low, high=high))
    else:
        out["streak_goal"] = goal
    weekly = data.get("weekly_summary", False)
    if weekly not in (False, "", "off"):
        try:
            out["weekly_summary"] = parse_weekly(weekly)
        except ValueError:
            # TRANSLATORS: "sun 18:00" and false are written in config.toml as they are.
            ck.add("stats", "weekly_summary", _('{value} is not accepted; use a day and a time, '
                                                'e.g. "sun 18:00", or false for none')
                   .format(value=_show(weekly)))
    return Stats(**out)


def _sync(ck: _Checker, raw: object) -> Sync:
    data = ck.table("sync", raw, SYNC_KEYS)
    if data is None:
        return Sync()
    out: dict[str, Any] = {}
    if "folder" in data:
        value = data["folder"]
        folder = Path(value).expanduser() if isinstance(value, str) and value.strip() else None
        if folder is None or not folder.is_absolute() or "\0" in str(value):
            ck.add("sync", "folder", _('{value} is not accepted; use a folder\'s full path, '
                                       'e.g. "~/Sync/stretchd" (one a file-sync engine keeps the same '
                                       "on each computer)")
                   .format(value=_show(value)))
        else:
            out["folder"] = folder
    if "device" in data:
        value = data["device"]
        if isinstance(value, str) and DEVICE_RE.fullmatch(value):
            out["device"] = value
        else:
            ck.add("sync", "device", _('{value} is not accepted; use letters, digits, - and _ '
                                       '(at most 40, a letter or digit first), e.g. "laptop"')
                   .format(value=_show(value)))
    return Sync(**out)


def _or(words: Iterable[str]) -> str:
    words = list(words)
    # TRANSLATORS: a list of names config.toml accepts, its last one apart: "meeting, dnd or away".
    return _("{names} or {last}").format(names=", ".join(words[:-1]), last=words[-1])


def _whole(value: object, low: int, high: int) -> str:
    # TRANSLATORS: {value} is the value written in config.toml, quoted, or "a list", "a table".
    return _("{value} is not accepted; use a whole number from {low} to {high}").format(
        value=_show(value), low=low, high=high)


def _auto_on_off(value: object, accepted: tuple[str, ...]) -> str:
    # TRANSLATORS: "auto", "on" and "off" are written in config.toml as they are.
    return _('{value} is not accepted; use "auto", "on" or "off"{hint}').format(
        value=_show(value), hint=did_you_mean(str(value), accepted))


def _days(ck: _Checker, table: str, value: object) -> frozenset[int] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        # TRANSLATORS: mon..sun, ["mon", "wed", "fri"] and `days` are written in config.toml as they are.
        ck.add(table, "days", _('{value} is not accepted; use a list of mon..sun, '
                                'e.g. ["mon", "wed", "fri"], or leave days out for every day')
               .format(value=_show(value)))
        return None
    days = set()
    for day in value:
        key = day.strip().lower() if isinstance(day, str) else ""
        if key in DAYS or key in FULL_DAYS:
            days.add(DAYS.index(key) if key in DAYS else FULL_DAYS.index(key))
        else:
            hint = did_you_mean(key[:3], DAYS) if key else ""
            # TRANSLATORS: mon, tue, ... sun are written in config.toml as they are.
            ck.add(table, "days", _("{value} is not a day; use mon, tue, wed, thu, fri, sat or sun{hint}")
                   .format(value=_show(day), hint=hint))
            return None
    return frozenset(days)


def _reminders(ck: _Checker, data: object, default_routine: str,
               routines: Iterable[str] | None) -> tuple[Reminder, ...]:
    if not isinstance(data, dict):
        ck.add("", "reminders", _("must be tables like [reminders.morning]"))
        return ()
    out = []
    for name, raw in data.items():
        table = f"reminders.{name}"
        if not NAME_RE.fullmatch(name):
            ck.add("reminders", name, _("is not a reminder name; use letters, digits, - and _ (at most 40)"))
            continue
        if not isinstance(raw, dict):
            # TRANSLATORS: [reminders.{reminder}] and time = "07:30" are written in config.toml as they are.
            ck.add("reminders", name, _('must be a table like [reminders.{reminder}] with time = "07:30"')
                   .format(reminder=name))
            continue
        ck.unknown(table, raw, REMINDER_KEYS)
        if "time" not in raw:
            # TRANSLATORS: the reminder has no `time`; HH:MM is the format to write.
            ck.add(table, "time", _('missing; use HH:MM (24-hour), e.g. "07:30"'))
            continue
        time = parse_time(raw["time"])
        if time is None:
            ck.add(table, "time", _('{value} is not a time; use HH:MM (24-hour), e.g. "07:30"')
                   .format(value=_show(raw["time"])))
        days = _days(ck, table, raw["days"]) if "days" in raw else frozenset(range(7))
        routine = (_routine(ck, table, raw["routine"], routines) if "routine" in raw
                   else default_routine)
        hold = raw.get("hold", True)
        if not isinstance(hold, bool):
            # TRANSLATORS: true and false are written in config.toml as they are.
            ck.add(table, "hold", _("{value} is not accepted; use true or false (false: this reminder shows "
                                    "even when the person is busy)").format(value=_show(hold)))
            continue
        if time is not None and days is not None and routine is not None:
            out.append(Reminder(name=name, time=time, routine=routine, days=days, hold=hold))
    return tuple(out)


def parse(text: str, display: str, routines: Iterable[str] | None = None,
          path: Path | None = None) -> Config:
    """Validate config text; raise ConfigError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # TRANSLATORS: {error} is the TOML reader's own message, in English.
        what = _("invalid TOML: {error}").format(error=one_line(str(e), 200))
        raise ConfigError.of([Problem(display, what)]) from None
    except RecursionError:
        raise ConfigError.of([Problem(display, _("invalid TOML: nested too deeply"))]) from None
    routines = None if routines is None else set(routines)
    ck = _Checker(display, text)
    ck.unknown("", data, TOP_KEYS)
    defaults = _defaults(ck, data.get("defaults", {}), routines)
    reminders = _reminders(ck, data.get("reminders", {}), defaults.routine, routines)
    walkthrough = _walkthrough(ck, data.get("walkthrough", {}))
    hold = _hold(ck, data.get("hold", {}))
    stats = _stats(ck, data.get("stats", {}))
    sync = _sync(ck, data.get("sync", {}))
    if ck.found:
        raise ConfigError.of(ck.found)
    return Config(defaults=defaults, reminders=reminders, walkthrough=walkthrough, hold=hold,
                  stats=stats, sync=sync, path=path)
