"""Times, dates, weekdays and numbers as the person's locale writes them, through Babel:
"08:05" in German, "8:05 AM" in American English, "Mo." for Monday in German.

The locale is the language in use (i18n) with the region of LC_ALL, LC_TIME or LANG where it
is the same language (de_AT, en_GB). English with no region, the C locale or none keep the
forms config.toml uses (24-hour HH:MM, ISO dates) without loading Babel at all. Times are
given as the clock on the wall reads them (naive, or aware and shown in their own zone).

Babel takes some 40 ms to load its data, more than `stretchd status` takes in all; so the
forms a locale writes times, weekdays, months and dates with are made with Babel once and
kept in the cache directory (forms()), and dates are written from its patterns (_written()).
Numbers, which only `stats` writes, go to Babel each time."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any, Literal

from stretchd import i18n
from stretchd.i18n import _

# A cache made by an older stretchd is made again (its forms may be fewer, or other).
FORMS_VERSION = 1
# The date patterns kept, by what they write: a short or medium date, a day near today.
PATTERNS = ("short", "medium", "MMMEd")


def locale_name(language: str | None = None, environ: dict[str, str] | None = None) -> str | None:
    """The Babel locale for `language` (default: the one in use) and the environment's region,
    or None for the plain forms."""
    env = os.environ if environ is None else environ
    language = language or i18n.language()
    spoken = language.split("_")[0]
    name = next((env[k] for k in ("LC_ALL", "LC_TIME", "LANG") if env.get(k)), "")
    name = name.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    lang, _, region = name.partition("_")
    region = region.upper()
    # The region's forms where they are the language's own: not Taiwan's or Hong Kong's
    # (Traditional characters) beside Simplified Chinese.
    if lang.lower() == spoken and region.isalpha() and len(region) == 2 and (
            spoken != "zh" or region in ("CN", "SG")):
        return f"{spoken}_{region}"
    return None if spoken == i18n.ENGLISH else language


def made(name: str) -> dict[str, Any] | None:
    """With Babel: every time of day as the locale writes it, its weekday and month names and
    its date patterns; None for a locale Babel does not know."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_time

    try:
        loc = Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return None
    days, months = loc.days, loc.months
    return {
        "version": FORMS_VERSION,
        "times": [format_time(time(h, m), "short", locale=loc) for h in range(24) for m in range(60)],
        "E": [days["format"]["abbreviated"][i] for i in range(7)],
        "EEEE": [days["format"]["wide"][i] for i in range(7)],
        "ccc": [days["stand-alone"]["abbreviated"][i] for i in range(7)],
        "MMM": [months["format"]["abbreviated"][i] for i in range(1, 13)],
        "LLL": [months["stand-alone"]["abbreviated"][i] for i in range(1, 13)],
        **{p: str(loc.date_formats[p].pattern if p in ("short", "medium")
                  else loc.datetime_skeletons[p].pattern) for p in PATTERNS},
    }


def _babel_stamp() -> str:
    """Which Babel made a cache (its package's mtime, found without importing it): CLDR's forms
    change between releases, so an upgrade makes them again."""
    from importlib.util import find_spec

    spec = find_spec("babel")
    try:
        return str(os.stat(spec.origin).st_mtime_ns) if spec and spec.origin else ""
    except OSError:
        return ""


def _whole(kept: object) -> bool:
    """A cache made by this version, with every form: a file cut short or edited is made again."""
    if not isinstance(kept, dict) or kept.get("version") != FORMS_VERSION or "babel" not in kept:
        return False
    lengths = {"times": 1440, "E": 7, "EEEE": 7, "ccc": 7, "MMM": 12, "LLL": 12}
    return (all(isinstance(kept.get(k), list) and len(kept[k]) == n
                and all(isinstance(x, str) for x in kept[k]) for k, n in lengths.items())
            and all(isinstance(kept.get(p), str) for p in PATTERNS))


@lru_cache(maxsize=8)
def forms(name: str) -> dict[str, Any] | None:
    """made(name), from the cache when it is there; written there when it can be."""
    from stretchd import paths

    path = paths.cache_dir() / f"locale-{name}.json"
    babel = _babel_stamp()
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if _whole(kept) and kept["babel"] == babel:
            return dict(kept)
    except (OSError, ValueError):
        pass
    fresh = made(name)
    if fresh is not None:
        fresh["babel"] = babel
        try:  # a cache that cannot be written costs Babel's time, nothing else
            from stretchd.files import write_atomic

            write_atomic(path, json.dumps(fresh, ensure_ascii=False))
        except Exception:  # StretchdError, or anything else: the cache is optional
            pass
    return fresh


def _in_use() -> str | None:
    """The locale whose forms are in use: locale_name(), else its language alone (Babel has
    no de_US), else None for the plain forms."""
    name = locale_name()
    if name is None or forms(name) is not None:
        return name
    language = i18n.language()
    return language if language not in (name, i18n.ENGLISH) and forms(language) else None


def plain() -> bool:
    """Whether the plain forms are in use (C, or English with no region): ISO dates, HH:MM."""
    return _in_use() is None


def _current() -> dict[str, Any] | None:
    name = _in_use()
    return forms(name) if name else None


def _wall(t: datetime | time) -> time:
    """The time of day a clock shows (Babel would move an aware time into the machine's zone)."""
    return t.time() if isinstance(t, datetime) else t.replace(tzinfo=None)


def _written(pattern: str, d: date, words: dict[str, Any]) -> str:
    """d as a CLDR date pattern writes it ("dd.MM.yy", "E, d. MMM", "y/MM/dd"): the fields a
    date pattern of a locale here uses (tests hold it to Babel's own for every locale shipped)."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "'":  # a quoted literal; '' is a quote
            end = pattern.find("'", i + 1)
            end = len(pattern) if end < 0 else end
            out.append(pattern[i + 1:end] or "'")
            i = end + 1
            continue
        if not c.isascii() or not c.isalpha():  # only ASCII letters are fields: 月 is itself
            out.append(c)
            i += 1
            continue
        n = 1
        while i + n < len(pattern) and pattern[i + n] == c:
            n += 1
        i += n
        if c == "y":
            out.append(f"{d.year % 100:02d}" if n == 2 else f"{d.year:0{n}d}")
        elif c in "ML" and n <= 2:
            out.append(f"{d.month:0{n}d}")
        elif c in "ML" and n == 3:
            out.append(words["MMM" if c == "M" else "LLL"][d.month - 1])
        elif c == "d" and n <= 2:
            out.append(f"{d.day:0{n}d}")
        elif c == "E" and n <= 3:
            out.append(words["E"][d.weekday()])
        elif c == "E" and n == 4:
            out.append(words["EEEE"][d.weekday()])
        elif c == "c" and n == 3:
            out.append(words["ccc"][d.weekday()])
        else:
            raise KeyError(c * n)  # a field no locale here has: Babel writes it
    return "".join(out)


def _date(d: date, pattern: str) -> str:
    words = _current()
    if words is None:
        raise LookupError
    try:
        return _written(words[pattern], d, words)
    except KeyError:
        from babel.dates import format_date, format_skeleton

        name = str(_in_use())
        return (format_skeleton(pattern, d, locale=name) if pattern == "MMMEd"
                else format_date(d, pattern, locale=name))


def time_of_day(t: datetime | time, *, seconds: bool = False) -> str:
    """"08:05", "8:05 AM": hours and minutes, 24- or 12-hour as the locale has it; with
    `seconds`, a time set to the second keeps them ("23:59:59")."""
    wall = _wall(t)
    words = _current()
    if seconds and wall.second:  # a reminder set to the second, rare: Babel's medium form
        if words is None:
            return f"{wall:%H:%M:%S}"
        from babel.dates import format_time

        return format_time(wall, "medium", locale=str(_in_use()))
    if words is None:
        return f"{wall:%H:%M}"
    return str(words["times"][wall.hour * 60 + wall.minute])


def day(d: date, width: Literal["short", "medium"] = "medium") -> str:
    """A date: "2026-12-07" plain; "07.12.2026", "Dec 7, 2026" (medium) or "12/7/26" (short)."""
    try:
        return _date(d, width)
    except LookupError:
        return d.isoformat()


def short_day(d: date) -> str:
    """A day near today in a line of text: "Wed 25 Nov", "Mi., 25. Nov.", "11月25日(水)"."""
    try:
        return _date(d, "MMMEd")
    except LookupError:
        return f"{d:%a %d %b}"


def weekday(d: date, width: Literal["abbreviated", "wide"] = "abbreviated") -> str:
    """The day of the week: "Mon", "Mo.", "月"."""
    words = _current()
    if words is None:
        return f"{d:%a}" if width == "abbreviated" else f"{d:%A}"
    return str(words["E" if width == "abbreviated" else "EEEE"][d.weekday()])


def month(d: date) -> str:
    """The month's short name, standing alone: "Dec", "Dez", "12月"."""
    words = _current()
    return f"{d:%b}" if words is None else str(words["LLL"][d.month - 1])


def number(n: int | float) -> str:
    """A number with the locale's separators: "12,345", "12.345", "12 345"."""
    name = _in_use()
    if name is None:
        return str(n)
    from babel.numbers import format_decimal

    return format_decimal(n, locale=name)


def percent(fraction: float) -> str:
    """A share: "73%", "73 %"."""
    name = _in_use()
    if name is None:
        return f"{fraction:.0%}"
    from babel.numbers import format_percent

    return format_percent(fraction, locale=name)


# A moment near now, in words -----------------------------------------------------------

def _day_and_clock(moment: datetime, now: datetime, tz: tzinfo) -> tuple[str | None, str]:
    """The day (None for today, "" for tomorrow, else "Wed 25 Nov") and the clock time of a moment."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = time_of_day(local, seconds=True)
    if local.date() == today:
        return None, clock
    if local.date() == today + timedelta(days=1):
        return "", clock
    return short_day(local.date()), clock


def describe_time(moment: datetime, now: datetime, tz: tzinfo) -> str:
    """For a table: "07:30", "tomorrow 07:30", "Wed 25 Nov 07:30"."""
    day, clock = _day_and_clock(moment, now, tz)
    if day is None:
        return clock
    if not day:
        # TRANSLATORS: a time in `stretchd status`'s table; {time} is 07:30.
        return _("tomorrow {time}").format(time=clock)
    return f"{day} {clock}"


def at_phrase(moment: datetime, now: datetime, tz: tzinfo) -> str:
    """For a sentence: "at 07:30", "tomorrow at 07:30", "on Wed 25 Nov at 07:30"."""
    day, clock = _day_and_clock(moment, now, tz)
    if day is None:
        # TRANSLATORS: ends a sentence such as "skipped morning at 07:30"; {time} is 07:30.
        return _("at {time}").format(time=clock)
    if not day:
        # TRANSLATORS: ends a sentence such as "skipped morning tomorrow at 07:30"; {time} is 07:30.
        return _("tomorrow at {time}").format(time=clock)
    # TRANSLATORS: ends a sentence such as "skipped morning on Wed 25 Nov at 07:30"; {date} is
    # "Wed 25 Nov", {time} 07:30.
    return _("on {date} at {time}").format(date=day, time=clock)
