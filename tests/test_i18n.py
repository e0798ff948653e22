"""stretchd in the person's language: which language, the catalogs complete and in step with
the source, plural forms, and the routines' numbers and warnings kept in every language."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stretchd import i18n
from stretchd.cli import cli
from stretchd.i18n import SHIPPED, chosen, ngettext
from stretchd.routines import load_all, safety_notice

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import catalogs  # noqa: E402


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


def cfg(xdg: Path, text: str) -> Path:
    path = xdg / "config" / "stretchd" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(("env", "language"), [
    ({"LANG": "de_DE.UTF-8"}, "de"),
    ({"LANG": "pt_BR.UTF-8"}, "pt_BR"),
    ({"LANG": "pt_PT.UTF-8"}, "pt_BR"),  # the one Portuguese there is
    ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "fr_CA.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"}, "ja"),  # LC_MESSAGES before LANG
    ({"LANG": "fr_FR.UTF-8", "LC_ALL": "it_IT.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"}, "it"),
    ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "sv:nl:de"}, "nl"),  # the first shipped of the list
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "POSIX"}, "en"),
    ({"LANG": "sv_SE.UTF-8"}, "en"),  # not shipped: English
    ({}, "en"),
])
def test_the_language_is_chosen_as_gettext_chooses(env: dict[str, str], language: str) -> None:
    assert chosen("auto", env) == language


def test_the_setting_wins_over_the_locale() -> None:
    assert chosen("fr", {"LANG": "de_DE.UTF-8", "LANGUAGE": "de"}) == "fr"
    assert chosen("en", {"LANG": "de_DE.UTF-8"}) == "en"
    assert chosen("pt-BR", {}) == "pt_BR"


def test_the_catalogs_are_complete_and_in_step_with_the_source() -> None:
    """What CI fails on: a text changed in the source and not extracted (`make catalogs`),
    an untranslated or fuzzy entry, a placeholder a translation lost or invented."""
    assert catalogs.problems() == []
    assert sorted(catalogs.languages()) == sorted(SHIPPED)


def test_the_check_finds_a_text_missing_from_the_catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    real = catalogs.extracted

    def more() -> object:
        catalog = real()
        catalog.add("A text added to the source and not to the catalogs")
        return catalog

    monkeypatch.setattr(catalogs, "extracted", more)
    assert any("out of date with the source" in p for p in catalogs.problems())


def test_a_placeholder_lost_in_a_translation_is_found() -> None:
    from babel.messages.catalog import Message

    assert catalogs.placeholders(Message("Snooze {n} min", "Später")) != []
    assert catalogs.placeholders(Message("Snooze {n} min", "{n} Min. später")) == []
    assert catalogs.placeholders(Message("Snooze {n} min", "{m} Min.")) != []
    assert catalogs.placeholders(Message("Snooze {n} min", "{n!x} Min.")) != []  # raises in format()
    assert catalogs.placeholders(Message("Snooze {n} min", "{n:>{w}} Min.")) != []


def test_the_built_in_routines_and_the_safety_notice_load_in_the_language_in_use() -> None:
    english = load_all(None)[0]
    english_notice = safety_notice()
    for language in SHIPPED:
        i18n.use(language)
        translated = load_all(None)[0]
        assert [r.title for r in translated.values()] != [r.title for r in english.values()], language
        assert safety_notice() != english_notice, language
        assert sorted(translated) == sorted(english)  # names stay: they are identifiers


def numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+", text))


def test_every_number_of_the_routines_and_their_warnings_is_kept_in_every_language() -> None:
    """A hold of 10 s, 2-3 times, 30 seconds: a translation that drops or changes one is
    caught here, in the routines' texts, their warnings and the safety notice."""
    english = load_all(None)[0]
    english_notice = safety_notice()
    for language in SHIPPED:
        i18n.use(language)
        translated = load_all(None)[0]
        for name, routine in english.items():
            other = translated[name]
            pairs = [(routine.summary, other.summary), *zip(routine.setup, other.setup, strict=True),
                     *zip(routine.warnings, other.warnings, strict=True)]
            for a, b in zip(routine.steps, other.steps, strict=True):
                pairs += [(a.title, b.title), (a.instruction, b.instruction),
                          *zip(a.tips, b.tips, strict=True), *zip(a.cautions, b.cautions, strict=True),
                          *zip((p for _, p in a.say), (p for _, p in b.say), strict=True)]
            pairs += list(zip(english_notice, safety_notice(), strict=True))
            for a_text, b_text in pairs:
                assert numbers(a_text) == numbers(b_text), (language, name, a_text, b_text)
        i18n.use("en")


@pytest.mark.parametrize(("language", "forms"), [
    ("pl", {1: "1 dzień", 2: "2 dni", 5: "5 dni", 22: "22 dni"}),
    ("ru", {1: "1 день", 2: "2 дня", 5: "5 дней", 22: "22 дня"}),
])
def test_polish_and_russian_count_days_in_their_plural_forms(language: str, forms: dict[int, str]) -> None:
    i18n.use(language)
    for n, words in forms.items():
        said = ngettext("on {n} day.", "on {n} days.", n).format(n=n)
        assert words in said, (n, said)


def test_config_check_counts_reminders_in_plural_forms(xdg: Path) -> None:
    one = cfg(xdg, '[reminders.morning]\ntime = "07:30"\n')
    code, out, _ = run("config", "check")
    assert code == 0 and out == f"{one}: ok, 1 reminder, 3 routines\n"  # not "1 reminders"
    code, out, _ = run("config", "check", env={"LANGUAGE": "ru"})
    assert code == 0 and out.startswith(f"{one}: ") and "1 напоминание" in out, out


def test_an_unknown_language_is_refused_with_the_shipped_ones(xdg: Path) -> None:
    path = cfg(xdg, '[defaults]\nlanguage = "xx"\n')
    before = path.read_bytes()
    code, _out, err = run("config", "check")
    assert code == 78 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f'{path}: defaults.language: "xx" is not a shipped language; use auto, en, ')
    assert all(lang in err for lang in SHIPPED)
    code, _, err = run("config", "set", "defaults.language", "klingon")  # a bad value given: usage
    assert code == 2 and '"klingon" is not a shipped language' in err and path.read_bytes() == before


def test_the_setting_is_set_from_the_cli_and_wins_over_the_locale(xdg: Path) -> None:
    path = cfg(xdg, "")
    assert run("config", "set", "defaults.language", "de")[0] == 0
    code, out, _ = run("config", "check", env={"LANGUAGE": "fr"})
    i18n.use("de")
    german = (ngettext("{file}: ok, {n} reminder", "{file}: ok, {n} reminders", 0).format(file=path, n=0)
              + ngettext(", {n} routine", ", {n} routines", 3).format(n=3))
    assert code == 0 and out == german + "\n" and "ok, 0 reminders" not in out


def test_a_locale_not_installed_on_the_machine_is_english_without_an_error(xdg: Path) -> None:
    code, out, err = run("config", "check", env={"LANGUAGE": "", "LANG": "xx_YY.UTF-8", "LC_ALL": ""})
    assert code == 0 and "ok, 2 reminders, 3 routines" in out and err == ""


def test_the_block_words_are_drawn_big_in_every_alphabetic_language() -> None:
    """GET READY, HOLD, LEFT ... read from the mat: in block letters wherever the language's
    letters have glyphs (accents dropped, Cyrillic drawn); Chinese and Japanese go in words."""
    import importlib

    from stretchd.walkthrough import bigtext

    view = importlib.import_module("stretchd.walkthrough.view")  # the package's `view` is a function

    for language in SHIPPED:
        i18n.use(language)
        pairs = [view.get_ready(), view._breathe("in"), view._breathe("out")]
        words = [*view.get_ready(), *view.hold(), *view.paused(), *view._breathe("in"),
                 *view._breathe("out"), i18n._("LEFT"), i18n._("RIGHT"), i18n._("DONE"), i18n._("DAY 1"),
                 *(ngettext("{n} DAY", "{n} DAYS", n).format(n=n) for n in (2, 5, 22))]
        if language not in ("ja", "zh_CN"):
            assert [w for w in words if not bigtext.drawable(w)] == [], language
        assert view.get_ready()[0] != view.hold()[0] and view.get_ready()[-1] != view.hold()[0], language
        for full, short in pairs:  # the short form is for when the full one does not fit
            assert bigtext.width(short, 1) <= bigtext.width(full, 1), (language, full, short)


def test_a_config_that_fails_to_reload_keeps_its_language(xdg: Path) -> None:
    """The daemon keeps the schedule an invalid config would replace, and its language too."""
    from stretchd.config.loading import load_everything
    from stretchd.errors import ConfigError

    path = cfg(xdg, '[defaults]\nlanguage = "fr"\n')
    load_everything(path, lambda level, text: None)
    assert i18n.setting() == "fr"
    for broken in ('[defaults]\nlanguage = "de"\nsnooze_minutes = "x"\n', "[defaults\n"):
        path.write_text(broken)
        with pytest.raises(ConfigError):
            load_everything(path, lambda level, text: None)
        assert i18n.setting() == "fr" and i18n.language() == "fr"


def test_output_the_terminal_cannot_encode_is_replaced_not_a_traceback(xdg: Path) -> None:
    import subprocess

    env = {**__import__("os").environ, "PYTHONIOENCODING": "iso-8859-1", "LANGUAGE": "ru"}
    done = subprocess.run([sys.executable, "-m", "stretchd", "config", "check"], env=env,
                          capture_output=True, text=True, encoding="iso-8859-1", check=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr and "?" in done.stdout


def test_a_space_the_terminal_cannot_encode_stays_a_space(xdg: Path) -> None:
    """CLDR writes "8:05 PM" with a narrow no-break space: on a Latin-1 terminal it is a space,
    not a "?" (anything else it cannot hold still is)."""
    import subprocess

    cfg(xdg, '[reminders.evening]\ntime = "20:05"\n')
    env = {**__import__("os").environ, "PYTHONIOENCODING": "iso-8859-1", "LANGUAGE": "en",
           "LC_TIME": "en_US.UTF-8"}
    done = subprocess.run([sys.executable, "-m", "stretchd", "status"], env=env,
                          capture_output=True, text=True, encoding="iso-8859-1", check=False)
    assert done.returncode == 69 and "Traceback" not in done.stderr
    assert re.search(r"\b8:05 PM\b", done.stdout) and "?" not in done.stdout, done.stdout
