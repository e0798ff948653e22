"""Every command in the person's language: --help (stretchd's texts and click's own words),
errors, the lines of `status`, and `stats` in Japanese lining up at 80 columns."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.history import walked_every
from stretchd import i18n
from stretchd.cli import cli
from stretchd.cli.common import english
from stretchd.store.history import History, Kind, Status
from stretchd.text import columns


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


def tr(language: str, text: str) -> str:
    """text as the catalog of `language` has it."""
    i18n.use(language)
    try:
        return i18n._(text)
    finally:
        i18n.use("auto")


def flat(text: str) -> str:
    """Help text as one line: click wraps it to the terminal."""
    return " ".join(text.split())


def cfg(xdg: Path, text: str) -> None:
    path = xdg / "config" / "stretchd" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize("language", ["de", "ja"])
def test_help_is_in_the_locales_language_click_words_and_all(language: str) -> None:
    code, out, _ = run("--help", env={"LANGUAGE": language})
    assert code == 0
    for text in ("Usage:", "Commands", "Show the version and exit.",
                 english(cli.commands["walk"], "short_help"), english(cli, "help")):
        assert text is not None
        translated = tr(language, text)
        assert translated != text and flat(translated) in flat(out), text
    assert "Usage:" not in out and "A routine, step by step" not in out


def test_a_commands_options_are_explained_in_the_language() -> None:
    walk = cli.commands["walk"]
    texts = [english(p, "help") for p in walk.params
             if english(p, "help") and not getattr(p, "hidden", False)]
    assert len(texts) >= 3
    code, out, _ = run("walk", "--help", env={"LANGUAGE": "fr"})
    assert code == 0
    for text in texts:
        assert text is not None
        assert flat(tr("fr", text)) in flat(out), text
    assert flat(tr("fr", "Show this message and exit.")) in flat(out)


def test_a_mistyped_option_is_told_in_the_language_with_the_usage_exit_code() -> None:
    code, out, err = run("walk", "--nope", env={"LANGUAGE": "fr"})
    assert code == 2 and out == ""
    said = tr("fr", "No such option {name!r}.").format(name="--nope")
    assert said in err and tr("fr", "Error: {message}").format(message=said) in err
    assert "No such option" not in err


def test_the_setting_in_config_toml_speaks_for_click_too_and_leaves_the_locale_as_it_was(
        xdg: Path) -> None:
    cfg(xdg, '[defaults]\nlanguage = "es"\n')
    assert os.environ["LANGUAGE"] == "en"
    code, out, _ = run("--help")
    assert code == 0
    assert out.startswith(tr("es", "Usage:") + " ")
    assert flat(tr("es", "Print the completion script for bash, zsh or fish.")) in flat(out)
    assert os.environ["LANGUAGE"] == "en"  # what `stretchd run` hands the daemon it becomes


def test_a_mistyped_command_is_told_in_the_configured_language(xdg: Path) -> None:
    cfg(xdg, '[defaults]\nlanguage = "de"\n')
    code, _, err = run("statsu")
    assert code == 2
    assert tr("de", "No such command {name!r}.").format(name="statsu") in err


def test_stretchds_own_errors_are_in_the_language(xdg: Path) -> None:
    code, _, err = run("walk", "no-such-routine", env={"LANGUAGE": "es"})
    assert code == 2
    start = tr("es", 'no routine named "{name}"{did_you_mean}; known: {routines}').split("{name}")[0]
    assert err.startswith("stretchd: " + start) and "no routine named" not in err


@pytest.mark.parametrize(("lc_time", "language", "clock"), [
    ("de_DE.UTF-8", "de", r"\b20:05\b"),
    ("en_US.UTF-8", "en", r"\b8:05\sPM\b"),
    ("en_GB.UTF-8", "en", r"\b20:05\b"),
])
def test_status_says_times_as_the_locale_writes_them(xdg: Path, lc_time: str, language: str,
                                                      clock: str) -> None:
    cfg(xdg, '[reminders.evening]\ntime = "20:05"\n')
    code, out, _ = run("status", env={"LANGUAGE": language, "LC_TIME": lc_time})
    assert code == 69  # no daemon: the next reminders all the same
    line = next(x for x in out.splitlines() if x.strip().startswith("evening"))
    assert re.search(clock, line), line
    assert tr(language, "Next reminders:") in out


def test_stats_in_japanese_lines_up_at_80_columns(xdg: Path) -> None:
    walked_every(xdg / "state" / "stretchd" / "stretchd.sqlite3", days=40, every=3)
    code, out, _ = run("stats", env={"LANGUAGE": "ja", "COLUMNS": "80"})
    assert code == 0
    lines = out.splitlines()
    assert all(columns(line) <= 80 for line in lines), [columns(x) for x in lines]
    # The calendar: a row a weekday, each named in Japanese (two columns wide), its cells in
    # the same columns as every other row's: a week two columns, after a label column of 4.
    rows = [line for line in lines if line[:1] and line[0] in "月火水木金土日"]
    assert [row[0] for row in rows] == list("月火水木金土日")
    cells = [(columns(row[:j]), c) for row in rows for j, c in enumerate(row) if c in ".-+#"]
    assert cells and all(col >= 4 and col % 2 == 0 for col, _ in cells), rows
    # The tables: the numbers right-aligned under their heading, in columns, not characters.
    i18n.use("ja")
    try:
        due, done = i18n.pgettext("stats", "due"), i18n.pgettext("stats", "done")
    finally:
        i18n.use("auto")
    head = next(line for line in lines if due in line and done in line)
    row = next(line for line in lines[lines.index(head) + 1:] if line.startswith("morning"))
    assert columns(head[:head.index(done) + len(done)]) == columns(row[:row.index("%") + 1])


@pytest.mark.parametrize("language", ["ja", "zh_CN"])
@pytest.mark.parametrize("command", [[], ["walk"], ["status"], ["config", "set"]])
def test_help_in_chinese_and_japanese_fits_the_terminal_by_columns(language: str, command: list[str]) -> None:
    """A wide character takes two columns, and the lines join with no space between two."""
    result = CliRunner().invoke(cli, [*command, "--help"], env={"LANGUAGE": language},
                                catch_exceptions=False, terminal_width=60)
    code, out = result.exit_code, result.stdout
    assert code == 0
    assert all(columns(line) <= 60 for line in out.splitlines()), out
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff] [\u3040-\u30ff\u4e00-\u9fff]", out), out


def test_history_writes_each_rows_date_and_time_as_the_locale_does(xdg: Path) -> None:
    from babel.dates import format_date

    at = dt.datetime.now().astimezone().replace(hour=20, minute=5, second=0, microsecond=0)
    at -= dt.timedelta(days=1)
    with History(xdg / "state" / "stretchd" / "stretchd.sqlite3") as h:
        h.record("evening", at.date().isoformat(), at, Kind.SHOWN, at, status=Status.SHOWING)
    code, out, _ = run("history", env={"LANGUAGE": "de", "LC_TIME": "de_DE.UTF-8"})
    assert code == 0
    assert out.startswith(f"{format_date(at.date(), 'short', locale='de')} 20:05  evening"), out
    code, out, _ = run("history", env={"LANGUAGE": "en", "LC_TIME": "C.UTF-8"})
    assert out.startswith(f"{at.date().isoformat()} 20:05  evening"), out  # as stored


@pytest.mark.parametrize(("stored", "english_again"), [
    ("in advance", "in advance"),
    ("again: stretchd restarted, 5 min late", "again: stretchd restarted, 5 min late"),
    ("held 12 min: microphone in use", "held 12 min: microphone in use"),
    ("after 2 snoozes", "after 2 snoozes"),
    ("after 1 snooze", "after 1 snooze"),
    ("by evening", "by evening"),
    ("something a newer stretchd wrote", "something a newer stretchd wrote"),
])
def test_a_history_detail_is_stored_in_english_and_read_in_the_language(stored: str, english_again: str) -> None:
    from stretchd.store.details import detail_text

    assert detail_text(stored) == english_again  # English: as stored
    i18n.use("de")
    german = detail_text(stored)
    if stored.startswith("something"):
        assert german == stored  # not known here: as it is
    else:
        assert german != stored and german
    assert "12" in german if "12" in stored else True
    assert ("evening" in german) == ("evening" in stored)  # a name stays itself
