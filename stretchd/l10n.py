"""Times, dates, weekdays and numbers as the person's locale writes them, through Babel:
"08:05" in German, "8:05 AM" in American English, "Mo." for Monday in German.

The locale is the language in use (i18n) with the region of LC_ALL, LC_TIME or LANG where it
is the same language (de_AT, en_GB). English with no region, the C locale or none keep the
forms config.toml uses (24-hour HH:MM, ISO dates) without loading Babel at all. Times are
given as the clock on the wall reads them (naive, or aware and shown in their own zone)."""

from __future__ import annotations

import os
from datetime import date, datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from stretchd import i18n

if TYPE_CHECKING:
    from babel import Locale


def locale_name(language: str | None = None, environ: dict[str, str] | None = None) -> str | None:
    """The Babel locale for `language` (default: the one in use) and the environment's region,
    or None for the plain forms."""
    env = os.environ if environ is None else environ
    language = language or i18n.language()
    spoken = language.split("_")[0]
    name = next((env[k] for k in ("LC_ALL", "LC_TIME", "LANG") if env.get(k)), "")
    name = name.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    lang, _, region = name.partition("_")
    if lang.lower() == spoken and region.isalpha() and len(region) == 2:
        return f"{spoken}_{region.upper()}"
    return None if spoken == i18n.ENGLISH else language


@lru_cache(maxsize=8)
def _locale(name: str) -> Locale | None:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return None


def _current() -> Locale | None:
    name = locale_name()
    return _locale(name) if name else None


def _wall(t: datetime | time) -> time:
    """The time of day a clock shows (Babel would move an aware time into the machine's zone)."""
    return t.time() if isinstance(t, datetime) else t.replace(tzinfo=None)


def time_of_day(t: datetime | time) -> str:
    """"08:05", "8:05 AM": hours and minutes, 24- or 12-hour as the locale has it."""
    loc = _current()
    if loc is None:
        return f"{t:%H:%M}"
    from babel.dates import format_time

    return format_time(_wall(t), "short", locale=loc)


def day(d: date, width: Literal["short", "medium"] = "medium") -> str:
    """A date: "2026-12-07" plain; "07.12.2026", "Dec 7, 2026" (medium) or "12/7/26" (short)."""
    loc = _current()
    if loc is None:
        return d.isoformat()
    from babel.dates import format_date

    return format_date(d, width, locale=loc)


def moment(dt: datetime) -> str:
    """A date and a time of day, as the clock showed them."""
    return f"{day(dt.date())} {time_of_day(dt)}"


def weekday(d: date, width: Literal["abbreviated", "wide"] = "abbreviated") -> str:
    """The day of the week: "Mon", "Mo.", "月"."""
    loc = _current()
    if loc is None:
        return f"{d:%a}" if width == "abbreviated" else f"{d:%A}"
    from babel.dates import format_date

    return format_date(d, "EEE" if width == "abbreviated" else "EEEE", locale=loc)


def month(d: date) -> str:
    """The month's short name, standing alone: "Dec", "Dez", "12月"."""
    loc = _current()
    if loc is None:
        return f"{d:%b}"
    from babel.dates import format_date

    return format_date(d, "LLL", locale=loc)


def short_day(d: date) -> str:
    """A day near today in a line of text: "Wed 25 Nov", "Mi., 25. Nov.", "11月25日(水)"."""
    loc = _current()
    if loc is None:
        return f"{d:%a %d %b}"
    from babel.dates import format_skeleton

    return format_skeleton("MMMEd", d, locale=loc)


def number(n: int | float) -> str:
    """A number with the locale's separators: "12,345", "12.345", "12 345"."""
    loc = _current()
    if loc is None:
        return str(n)
    from babel.numbers import format_decimal

    return format_decimal(n, locale=loc)


def percent(fraction: float) -> str:
    """A share: "73%", "73 %"."""
    loc = _current()
    if loc is None:
        return f"{fraction:.0%}"
    from babel.numbers import format_percent

    return format_percent(fraction, locale=loc)
