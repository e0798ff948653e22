"""Times, dates, weekdays and numbers as the person's locale writes them (stretchd/l10n.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stretchd import i18n, l10n

MONDAY = date(2026, 12, 7)  # a fixed date only formatted, never compared with the clock
EVENING = time(20, 5)


def spaced(text: str) -> str:
    """CLDR's narrow and no-break spaces as plain ones (their choice varies by Babel release)."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize(("language", "env", "locale"), [
    ("en", {}, None),
    ("en", {"LANG": "C.UTF-8"}, None),
    ("en", {"LANG": "en_US.UTF-8"}, "en_US"),
    ("en", {"LANG": "de_DE.UTF-8", "LC_TIME": "en_GB.UTF-8"}, "en_GB"),
    ("en", {"LC_ALL": "en_AU.UTF-8", "LC_TIME": "en_GB.UTF-8"}, "en_AU"),
    ("de", {"LANG": "de_AT.UTF-8"}, "de_AT"),
    ("de", {"LANG": "en_US.UTF-8"}, "de"),
    ("pt_BR", {"LANG": "pt_PT.UTF-8"}, "pt_PT"),
    ("zh_CN", {}, "zh_CN"),
])
def test_the_locale_is_the_language_with_the_environments_region(
        language: str, env: dict[str, str], locale: str | None) -> None:
    assert l10n.locale_name(language, env) == locale


@pytest.mark.parametrize(("lc_time", "language", "clock"), [
    ("C.UTF-8", "en", "20:05"),
    ("en_US.UTF-8", "en", "8:05 PM"),
    ("en_GB.UTF-8", "en", "20:05"),
    ("de_DE.UTF-8", "de", "20:05"),
    ("ja_JP.UTF-8", "ja", "20:05"),
])
def test_a_time_of_day_is_24_or_12_hour_as_the_locale_has_it(
        monkeypatch: pytest.MonkeyPatch, lc_time: str, language: str, clock: str) -> None:
    monkeypatch.setenv("LC_TIME", lc_time)
    i18n.use(language)
    assert spaced(l10n.time_of_day(EVENING)) == clock


def test_an_aware_time_is_shown_as_its_own_clock_reads_not_moved_into_the_machines_zone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_TIME", "de_DE.UTF-8")
    monkeypatch.setenv("TZ", "America/New_York")
    i18n.use("de")
    assert l10n.time_of_day(datetime(2026, 12, 7, 20, 5, tzinfo=ZoneInfo("Asia/Tokyo"))) == "20:05"


@pytest.mark.parametrize(("language", "weekday", "day", "number"), [
    ("en", "Mon", "2026-12-07", "12345"),
    ("de", "Mo.", "07.12.2026", "12.345"),
    ("fr", "lun.", "7 déc. 2026", "12 345"),
    ("ja", "月", "2026/12/07", "12,345"),
    ("ru", "пн", "7 дек. 2026 г.", "12 345"),
])
def test_weekdays_dates_and_numbers_are_the_locales(
        language: str, weekday: str, day: str, number: str) -> None:
    i18n.use(language)
    assert l10n.weekday(MONDAY) == weekday
    assert spaced(l10n.day(MONDAY)) == day
    assert spaced(l10n.number(12345)) == number


LOCALES = ["de", "es", "fr", "it", "ja", "nl", "pl", "pt_BR", "ru", "zh_CN",
           "en_US", "en_GB", "en_AU", "de_AT", "de_CH", "fr_CA", "es_MX", "pt_PT", "nl_BE"]


@settings(max_examples=300)
@given(st.sampled_from(LOCALES), st.dates(date(1990, 1, 1), date(2100, 12, 31)),
       st.times().map(lambda t: t.replace(second=0, microsecond=0)))
def test_the_kept_forms_write_what_babel_writes(name: str, d: date, t: time) -> None:
    """Times, weekdays, months and dates from the cached forms are Babel's own, locale for locale."""
    from babel.dates import format_date, format_skeleton, format_time

    words = l10n.forms(name)
    assert words is not None
    assert words["times"][t.hour * 60 + t.minute] == format_time(t, "short", locale=name)
    for width in ("short", "medium"):
        assert l10n._written(words[width], d, words) == format_date(d, width, locale=name)
    assert l10n._written(words["MMMEd"], d, words) == format_skeleton("MMMEd", d, locale=name)
    assert words["E"][d.weekday()] == format_date(d, "EEE", locale=name)
    assert words["LLL"][d.month - 1] == format_date(d, "LLL", locale=name)


def test_the_forms_are_made_once_and_then_read_without_babel(xdg: Path) -> None:
    code = ("import sys; from datetime import time, date; from stretchd import l10n; "
            "print(l10n.time_of_day(time(20, 5)), l10n.short_day(date(2026, 11, 25)), "
            "'babel' in sys.modules)")
    env = {"LANGUAGE": "de", "LANG": "de_DE.UTF-8", "PATH": "/usr/bin:/bin",
           "XDG_CACHE_HOME": str(xdg / "cache")}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert first.stdout.split() == ["20:05", "Mi.,", "25.", "Nov.", "True"]
    assert again.stdout.split() == ["20:05", "Mi.,", "25.", "Nov.", "False"]
    assert (xdg / "cache" / "stretchd" / "locale-de_DE.json").is_file()


def test_an_unwritable_cache_costs_babels_time_and_nothing_else(xdg: Path) -> None:
    (xdg / "blocked").write_text("a file where the cache directory would be")
    code = "from datetime import time; from stretchd import l10n; print(l10n.time_of_day(time(20, 5)))"
    env = {"LANGUAGE": "en", "LANG": "en_US.UTF-8", "PATH": "/usr/bin:/bin",
           "XDG_CACHE_HOME": str(xdg / "blocked")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert spaced(done.stdout.strip()) == "8:05 PM" and done.stderr == ""


def test_babel_is_not_loaded_for_english_under_the_c_locale() -> None:
    code = ("import sys; from stretchd import l10n; from datetime import time; "
            "print(l10n.time_of_day(time(8, 5)), l10n.weekday(__import__('datetime').date(2026, 12, 7)), "
            "'babel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"LANGUAGE": "en", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    assert out.stdout.split() == ["08:05", "Mon", "False"]


@pytest.mark.parametrize(("language", "env", "locale"), [
    ("zh_CN", {"LANG": "zh_TW.UTF-8"}, "zh_CN"),  # Simplified text: not Taiwan's Traditional forms
    ("zh_CN", {"LANG": "zh_SG.UTF-8"}, "zh_SG"),
])
def test_chinese_takes_a_regions_forms_only_in_its_own_script(
        language: str, env: dict[str, str], locale: str) -> None:
    assert l10n.locale_name(language, env) == locale


def test_a_region_babel_does_not_know_gives_the_languages_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_TIME", "de_US.UTF-8")
    i18n.use("de")
    assert l10n.weekday(MONDAY) == "Mo." and l10n.day(MONDAY) == "07.12.2026"


def test_a_cache_cut_short_is_made_again(xdg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg / "cache"))
    path = xdg / "cache" / "stretchd" / "locale-de.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"version": 1, "babel": "x", "times": ["08:00"]}')
    l10n.forms.cache_clear()
    try:
        assert l10n.forms("de")["E"][0] == "Mo."  # type: ignore[index]
        assert len(json.loads(path.read_text())["times"]) == 1440
    finally:
        l10n.forms.cache_clear()
