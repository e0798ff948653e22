"""stretchd in the person's language on real programs: a French notification on dunst, and
German and Japanese walkthroughs in tmux that still fit the terminal.

The expected words are read from the catalogs (po/*.po) the build compiles, so these tests
hold whatever a translator changes, and fail if a text reaches the screen untranslated."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from harness.desktop import Desktop
from harness.kit import DaemonProcess, Tmux, require, stretchd_command, wait_for
from harness.screens import shows_big

pytestmark = pytest.mark.clock  # the daemon under a fake date

PO = Path(__file__).resolve().parents[2] / "po"
UTF8 = {"LC_ALL": "", "LC_CTYPE": "", "TERM": "xterm-256color"}
BLOCK = "█"


def catalog(language: str) -> dict[Any, Any]:
    """msgid (or (context, msgid)) -> msgstr, as po/LANG.po has it."""
    from babel.messages.pofile import read_po

    with (PO / f"{language}.po").open("rb") as f:
        return {(m.context, m.id) if m.context else m.id: m.string for m in read_po(f) if m.id}


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def flat(screen: str) -> str:
    """The screen's text with its line breaks and indents gone (a wrapped sentence joined)."""
    return re.sub(r"\s+", "", screen)


def test_a_reminder_on_dunst_speaks_the_configured_language(
        tmp_path: Path, desktop: Desktop, daemons: list[Any], write_config: Any) -> None:
    """`[defaults] language = "fr"` wins over the locale (LANGUAGE=en here): title, body and
    buttons in French."""
    require("faketime")
    fr = catalog("fr")
    write_config('[defaults]\nlanguage = "fr"\n[reminders.morning]\ntime = "07:30"\nroutine = "shotgun"\n')
    d = DaemonProcess(tmp_path, {**desktop.env, "LANGUAGE": "en"}, faketime="2026-11-24 07:29:57")
    daemons.append(d)
    d.wait_ready()
    n = desktop.wait_notify(fr["Time to stretch"], timeout=20)
    assert n["summary"] == fr["Time to stretch"] != "Time to stretch"
    assert [label for key, label in n["actions"].items() if key != "default"] == [
        fr["Start"], fr["Snooze {n} min"].format(n=10), fr["Skip"]]
    assert fr["Shotgun (SI joints)"] in n["body"] and fr["a belt"] in n["body"]
    assert fr[("reminder", "morning")].capitalize() in n["body"]
    assert "stretch:" not in n["body"] and "you need" not in n["body"]


READY_KEYS = ("Space pause/resume · n start it now · q quit", "Space pause · n start now · q quit",
              "Spc pause n start q quit")
HOLD_KEYS = ("Space pause/resume · n skip to the next · q quit", "Space pause · n skip · q quit",
             "Spc pause n skip q quit")


def walk_to_the_hold(tmux: Tmux, env: dict[str, str], routine: str,
                     words: dict[Any, Any]) -> tuple[str, str]:
    """The intro screen, then the first hold's screen (words: the language's catalog)."""
    tmux.start([*stretchd_command(), "walk", routine], env)
    intro = tmux.wait_screen("Enter")

    def showing(keys: tuple[str, ...]) -> str:
        screen = tmux.screen()
        return screen if any((words.get(k) or k) in screen for k in keys) else ""

    tmux.keys("Enter")
    wait_for(lambda: showing(READY_KEYS), what="get ready")
    tmux.keys("n")
    return intro, str(wait_for(lambda: showing(HOLD_KEYS), what="the hold"))


@pytest.mark.parametrize(("language", "lang"), [("de", "de_DE.UTF-8"), ("ja", "ja_JP.UTF-8")])
@pytest.mark.parametrize(("width", "height"), [(80, 24), (30, 8)])
def test_a_walk_in_the_locales_language_fits_the_terminal(
        tmux: Tmux, xdg_env: dict[str, str], language: str, lang: str, width: int, height: int) -> None:
    """LANG=de_DE.UTF-8 (long German words) or ja_JP.UTF-8 (characters two columns wide):
    the routine, its safety notice and what to do now in that language, every line within
    the terminal's columns, and the countdown and the keys on screen at 30x8 too."""
    words = catalog(language)
    tmux.width, tmux.height = width, height
    intro, hold = walk_to_the_hold(tmux, {**xdg_env, **UTF8, "LANG": lang, "LANGUAGE": ""}, "shotgun", words)
    if height >= 24:
        assert flat(words["Shotgun (SI joints)"]) in flat(intro), intro
        assert flat(words["Stop if anything hurts."]) in flat(intro), intro
        assert sum(1 for line in hold.splitlines() if BLOCK in line) >= 5, hold  # the big countdown
    else:
        assert any(re.fullmatch(r"\d{1,2}", line.strip()) or BLOCK in line for line in hold.splitlines()), hold
    said = words["Push your knees out against the belt."]
    assert flat(said)[:8] in flat(hold), hold  # what to do now, in that language
    lines = hold.rstrip("\n").split("\n")
    assert len(lines) <= height and all(columns(line.rstrip()) <= width for line in lines), hold
    keys = [words[k] for k in HOLD_KEYS]
    assert lines[-1].strip() in keys, hold  # the keys, in that language, on the last line
    cue = words["HOLD"]  # the block word: drawn big (German), or said in words (Japanese)
    assert shows_big(lines, cue) or flat(cue) in flat(hold), hold
    if language == "de" and height >= 24:
        assert shows_big(lines, cue), hold  # German's letters have glyphs: read from the mat


def test_a_language_setting_for_the_walk_wins_over_the_locale(
        tmux: Tmux, xdg: Path, xdg_env: dict[str, str]) -> None:
    config = xdg / "config" / "stretchd" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[defaults]\nlanguage = "pl"\n')
    pl = catalog("pl")
    intro, _ = walk_to_the_hold(tmux, {**xdg_env, **UTF8, "LANG": "de_DE.UTF-8", "LANGUAGE": ""}, "shotgun",
                                pl)
    assert flat(pl["Shotgun (SI joints)"]) in flat(intro), intro
    assert json.dumps(pl["Shotgun (SI joints)"]) != json.dumps(catalog("de")["Shotgun (SI joints)"])


def test_a_language_no_voice_here_speaks_is_said_once_and_the_walk_runs_silently(
        tmux: Tmux, xdg_env: dict[str, str]) -> None:
    """Japanese with --voice: Debian's espeak-ng has no dictionary for its characters, so the
    first screen says (in Japanese) that no voice speaks it, and the walk goes on."""
    require("espeak-ng")
    from stretchd.walkthrough.voice import espeak_speaks

    assert not espeak_speaks("espeak-ng", "ja")
    ja = catalog("ja")
    tmux.width, tmux.height = 100, 30
    tmux.start([*stretchd_command(), "walk", "--voice", "shotgun"],
               {**xdg_env, **UTF8, "LANG": "ja_JP.UTF-8", "LANGUAGE": "", "PATH": "/usr/bin:/bin"})
    intro = tmux.wait_screen("Enter")
    note = ja["No voice speaks this language here: the walkthrough runs silently."]
    assert flat(note) in flat(intro), intro
    tmux.keys("Enter")
    ready = [ja[k] for k in READY_KEYS]
    wait_for(lambda: any(k in tmux.screen() for k in ready), what="the walk to go on")


def test_stats_in_japanese_lines_up_in_an_80_column_terminal(tmux: Tmux, xdg_env: dict[str, str]) -> None:
    """`stretchd stats` in colour in tmux at 80x24, LANG=ja_JP.UTF-8: weekdays and months in
    Japanese (two columns a character), every row's cells in the same columns, the numbers
    right under their headings, no line past the 80th column."""
    from harness.history import walked_every
    from stretchd import paths

    walked_every(paths.database_file(), days=60, every=2)
    ja = catalog("ja")
    tmux.width, tmux.height = 80, 24
    tmux.start([*stretchd_command(), "stats", "--wait"],
               {**xdg_env, **UTF8, "LANG": "ja_JP.UTF-8", "LANGUAGE": ""})
    screen = tmux.wait_screen(ja["Press Enter to close"])
    lines = screen.rstrip("\n").split("\n")
    assert all(columns(line.rstrip()) <= 80 for line in lines), screen
    rows = [line for line in lines if line[:1] and line[0] in "月火水木金土日"]
    assert [row[0] for row in rows] == list("月火水木金土日"), screen
    cells = [columns(row[:j]) for row in rows for j, c in enumerate(row) if c == "■"]
    assert cells and all(col >= 4 and col % 2 == 0 for col in cells), screen  # a week: 2 columns
    head = next(line for line in lines if ja[("stats", "due")] in line and ja[("stats", "done")] in line)
    row = next(line for line in lines[lines.index(head) + 1:] if line.lstrip().startswith("morning"))
    done = ja[("stats", "done")]
    assert columns(head[:head.index(done) + len(done)]) == columns(row[:row.index("%") + 1]), screen
    assert ja[("calendar", "today")] in screen
    tmux.keys("Enter")
