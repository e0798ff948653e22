"""`stretchd walk` in a real terminal (tmux): the screen a user sees, the keys they press,
and what a stand-in speech program is asked to say, and when."""

from __future__ import annotations

import contextlib
import glob
import re
import sqlite3
import time
from pathlib import Path

import pytest

from harness.clock import libfaketime, without_clock
from harness.history import database
from harness.kit import Tmux, stretchd_command, unavailable, wait_for
from harness.screens import big_rows, shows_big
from stretchd.routines import SAFETY_LINE

UTF8 = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_CTYPE": "", "TERM": "xterm-256color"}
HOLD_KEYS = ("Space pause/resume · n skip to the next · q quit", "Space pause · n skip · q quit")
BLOCK = "█"
# SGR codes that set a foreground colour: 30-37, 90-97, and 38 (256 colours, RGB).
COLOURS = {str(c) for c in (*range(30, 38), *range(90, 98), 38)}


def walks(xdg: Path) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(database())) as c:
        return c.execute("SELECT routine, outcome, step, steps, ended FROM walks").fetchall()


def last_line(tmux: Tmux) -> str:
    return tmux.screen().rstrip("\n").split("\n")[-1].rstrip()


def test_walk_in_a_terminal_counts_down_pauses_and_quits(
        tmux: Tmux, xdg: Path, xdg_env: dict[str, str]) -> None:
    tmux.start([*stretchd_command(), "walk", "shotgun"], {**xdg_env, **UTF8})
    intro = tmux.wait_screen("Press Enter to begin")
    assert "Shotgun (SI joints)" in intro and "40 s" in intro
    assert SAFETY_LINE in intro and "do not treat an injury" in intro  # the safety notice first
    assert "You need a belt." in intro

    tmux.keys("Enter")
    ready = tmux.wait_screen("n start it now")  # the keys: the frame's last line
    assert "step 1 of 4" in ready and "Next: Push your knees out against the belt. Hold for 5 seconds." in ready

    hold = tmux.wait_screen("n skip to the next", timeout=8)
    assert "Push your knees out against the belt. Hold for 5 seconds." in hold
    assert sum(1 for line in hold.splitlines() if BLOCK in line) >= 5  # the big countdown
    tmux.keys("Space")
    paused = tmux.wait_screen("Space resume")  # the keys: the frame's last line
    assert shows_big(paused.splitlines(), "PAUSED"), paused  # in block letters, seen from afar
    digits = [line for line in paused.splitlines() if BLOCK in line]
    time.sleep(1.5)  # paused means the countdown stands still
    assert [line for line in tmux.screen().splitlines() if BLOCK in line] == digits

    tmux.keys("Space")
    wait_for(lambda: "Space pause/resume" in tmux.screen(), what="the pause to end")
    tmux.keys("q")
    done = tmux.wait_screen("Stopped at step 1 of 4", scrollback=True)
    assert "Traceback" not in done
    wait_for(tmux.dead, what="the walkthrough to exit")
    ((routine, outcome, step, steps, ended),) = walks(xdg)
    assert (routine, outcome, step, steps) == ("shotgun", "quit", 1, 4) and ended


def test_n_skips_to_the_end_screen_which_stays_until_a_key(
        tmux: Tmux, xdg: Path, xdg_env: dict[str, str]) -> None:
    tmux.start([*stretchd_command(), "walk", "shotgun"], {**xdg_env, **UTF8})
    tmux.wait_screen("Press Enter to begin")
    tmux.keys("Enter")
    for k in range(1, 5):
        tmux.wait_screen(f"step {k} of 4")
        ready = tmux.wait_screen("n start it now").splitlines()
        tmux.keys("n")
        hold = tmux.wait_screen("n skip to the next").splitlines()
        tmux.keys("n")
        # From across the room: GET READY and HOLD are told apart in block letters beside
        # digits of one size; the repetition is words on a line of its own; one "Next:".
        assert shows_big(ready, "READY") and not shows_big(ready, "HOLD"), ready
        assert shows_big(hold, "HOLD") and not shows_big(hold, "READY"), hold
        assert len(big_rows(ready, "5")) == len(big_rows(hold, "5")) >= 5, (ready, hold)
        for screen in (ready, hold):
            assert f"{k} of 4" in [line.strip() for line in screen], screen
            assert " ".join(screen).count("Next:") == 1, screen
    tmux.wait_screen("Done: Shotgun (SI joints)")
    end = tmux.wait_screen("Any key closes this screen")  # its last line: the whole frame is drawn
    assert "Done: Shotgun (SI joints)" in end and "A streak starts today." in end
    assert shows_big(end.splitlines(), "DONE") and shows_big(end.splitlines(), "DAY 1"), end
    ((_, outcome, step, steps, _),) = walks(xdg)
    assert (outcome, step, steps) == ("completed", 4, 4)  # recorded before the end screen
    time.sleep(2)
    assert "Done: Shotgun (SI joints)" in tmux.screen() and not tmux.dead()
    tmux.keys("x")
    tmux.wait_screen("Well done: Shotgun (SI joints) completed", scrollback=True)
    wait_for(tmux.dead, what="the walkthrough to exit")


def test_from_a_notification_the_end_screen_closes_by_itself_after_60_s(
        tmux: Tmux, xdg: Path, xdg_env: dict[str, str]) -> None:
    # Ten times fast (libfaketime): the 60 s of the end screen pass in 6. The walkthrough is no
    # daemon and nothing here acts within its time: the test only watches it end by itself.
    lib = libfaketime()
    if lib is None:
        unavailable("libfaketime not installed (apt-get install faketime; .ci/run does)")
    fast = {"LD_PRELOAD": lib, "FAKETIME": "+0 x10", "FAKETIME_NO_CACHE": "1"}
    tmux.start([*stretchd_command(), "walk", "shotgun", "--reminder", "morning", "--no-voice"],
               {**without_clock(xdg_env), **UTF8, **fast})
    tmux.wait_screen("Press Enter to begin")
    tmux.keys("Enter")
    end = tmux.wait_screen("closes by itself in", timeout=60)  # 40 s at x10; the frame's last line
    assert "Done: Shotgun (SI joints)" in end
    seconds = re.search(r"closes by itself in (\d+)", end)
    assert seconds and 0 < int(seconds.group(1)) <= 60, end  # it waits, it does not just go
    wait_for(tmux.dead, 60, "the end screen to close by itself")
    ((_, outcome, _, _, _),) = walks(xdg)
    assert outcome == "completed"


def hold_screen(tmux: Tmux, env: dict[str, str], width: int, height: int) -> str:
    tmux.width, tmux.height = width, height
    tmux.start([*stretchd_command(), "walk", "hips-lower-back"], env)
    tmux.wait_screen("q")
    tmux.keys("Enter")
    wait_for(lambda: "n start" in tmux.screen() or "n go" in tmux.screen(), what="get ready")
    tmux.keys("n")  # straight into the 10 s hold
    def holding() -> str:
        screen = tmux.screen()
        return screen if "n skip" in screen else ""

    return str(wait_for(holding, what="the hold"))


@pytest.mark.parametrize(("width", "height"), [(30, 8), (40, 10), (80, 24), (120, 40)])
def test_during_a_hold_the_countdown_and_the_keys_are_on_screen_at_any_size(
        tmux: Tmux, xdg_env: dict[str, str], width: int, height: int) -> None:
    screen = hold_screen(tmux, {**xdg_env, **UTF8}, width, height)
    lines = screen.rstrip("\n").split("\n")
    assert len(lines) <= height and all(len(line) <= width for line in lines)
    assert lines[-1].rstrip() in HOLD_KEYS, screen
    rows = [line for line in lines if BLOCK in line]
    if height >= 24:
        assert len(rows) >= 5, screen  # block digits, at least 5 rows tall
    else:
        assert any(re.fullmatch(r"\d{1,2}", line.strip()) for line in lines), screen
        assert "LEFT · 1 of 3" in screen
    assert "Left knee to your chest. Hold for 10 seconds." in " ".join(screen.split())


def test_a_resize_mid_hold_redraws_to_the_new_size(tmux: Tmux, xdg_env: dict[str, str]) -> None:
    hold_screen(tmux, {**xdg_env, **UTF8}, 80, 24)
    tmux.cmd("resize-window", "-x", "40", "-y", "10")

    def small() -> bool:
        lines = tmux.screen().rstrip("\n").split("\n")
        return (not any(BLOCK in line for line in lines) and lines[-1].rstrip() in HOLD_KEYS
                and any(re.fullmatch(r"\d{1,2}", line.strip()) for line in lines))

    wait_for(small, 5, "the hold redrawn for 40x10: plain digits, keys at the bottom")
    tmux.cmd("resize-window", "-x", "120", "-y", "40")
    wait_for(lambda: sum(1 for line in tmux.screen().splitlines() if BLOCK in line) >= 10, 5,
             "the countdown redrawn large for 120x40")


def test_with_term_xterm_and_lang_c_the_screen_is_plain_ascii_without_colour(
        tmux: Tmux, xdg_env: dict[str, str]) -> None:
    env = {**xdg_env, "TERM": "xterm", "LANG": "C", "LC_ALL": "", "LC_CTYPE": ""}
    screens = [hold_screen(tmux, env, 80, 24)]
    coloured = tmux.cmd("capture-pane", "-p", "-e")
    tmux.keys("Space")
    screens.append(tmux.wait_screen("Space resume"))
    assert shows_big(screens[1].splitlines(), "PAUSED", ascii=True), screens[1]
    assert all(s.isascii() for s in screens), screens
    assert sum(1 for line in screens[0].splitlines() if "#" in line) >= 5
    codes = {c for seq in re.findall(r"\x1b\[([0-9;]*)m", coloured) for c in seq.split(";")}
    assert codes and not codes & COLOURS, codes  # no yellow, no colour at all (39 is the default)


def test_no_yellow_in_256_colours_either(tmux: Tmux, xdg_env: dict[str, str]) -> None:
    tmux.start([*stretchd_command(), "walk", "si-joints"], {**xdg_env, **UTF8})
    tmux.wait_screen("Press Enter")
    intro = tmux.cmd("capture-pane", "-p", "-e")
    tmux.keys("Enter")
    tmux.wait_screen("n start it now")
    ready = tmux.cmd("capture-pane", "-p", "-e")
    tmux.wait_screen("n skip to the next", timeout=8)
    hold = tmux.cmd("capture-pane", "-p", "-e")
    for screen in (intro, ready, hold):
        # The words: bold for emphasis, no colour. (The picture of the position is in colour:
        # its own lines, of half blocks.)
        words = "\n".join(line for line in screen.splitlines() if "▀" not in line and "▄" not in line)
        codes = {c for seq in re.findall(r"\x1b\[([0-9;]*)m", words) for c in seq.split(";")}
        assert "1" in codes and not codes & COLOURS, codes


CUES_ROUTINE = """\
title = "Cue test"
breath_seconds = 2
transition_seconds = 2

[[steps]]
title = "Knee"
say = { left = "Left knee.", right = "Right knee." }
instruction = "Knee up."
sides = ["left", "right"]
hold_seconds = 4

[[steps]]
title = "Breathe"
say = "Breathe slowly."
instruction = "Slowly."
breaths = 2
"""
STAND_IN = """#!/bin/sh
# A stand-in for speech-dispatcher's spd-say: notes when it was asked to say what.
for last; do :; done
printf '%s\\t%s\\n' "$(date +%s.%N)" "$last" >> "$SPOKEN"
"""


def test_the_voice_says_each_cue_in_order_and_on_time(
        tmux: Tmux, xdg: Path, xdg_env: dict[str, str], tmp_path: Path) -> None:
    routines = xdg / "config" / "stretchd" / "routines"
    routines.mkdir(parents=True)
    (routines / "cues.toml").write_text(CUES_ROUTINE)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "spd-say").write_text(STAND_IN)
    (bin_dir / "spd-say").chmod(0o755)
    spoken = tmp_path / "spoken.tsv"
    env = {**xdg_env, **UTF8, "PATH": f"{bin_dir}:{xdg_env.get('PATH', '/usr/bin:/bin')}",
           "SPOKEN": str(spoken)}
    tmux.start([*stretchd_command(), "walk", "cues", "--voice"], env)
    tmux.wait_screen("Press Enter to begin")
    tmux.keys("Enter")
    tmux.wait_screen("Done: Cue test", timeout=30)
    time.sleep(1.2)  # a key in the end screen's first second is taken for a late one, ignored
    tmux.keys("x")
    wait_for(tmux.dead, what="the walkthrough to exit")

    said = [(float(t), p) for t, p in (line.split("\t", 1) for line in spoken.read_text().splitlines())]
    assert said[0][1] == SAFETY_LINE
    expected = [(0, "Left knee. Hold for 4 seconds."), (3, "3"), (4, "2"), (5, "1"),
                (6, "Switch sides. Right knee. Hold for 4 seconds."), (9, "3"), (10, "2"), (11, "1"),
                (12, "Release. Breathe slowly. 2 deep breaths."),
                (14, "Breathe in."), (15, "Breathe out."), (16, "Breathe in."), (17, "Breathe out."),
                (18, "Done.")]
    assert [p for _, p in said[1:]] == [p for _, p in expected]
    start = said[1][0]
    late = [round(t - start - at, 3) for (t, _), (at, _) in zip(said[1:], expected, strict=True)]
    assert all(abs(x) <= 0.3 for x in late), late  # each cue within 0.3 s of its moment
    assert abs(late[-1]) <= 0.1, late  # and the walkthrough ends within 0.1 s of its plan


def test_with_no_speech_program_one_line_says_so_and_the_walk_runs_silently(
        tmux: Tmux, xdg_env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    tmux.start([*stretchd_command(), "walk", "shotgun", "--voice"],
               {**xdg_env, **UTF8, "PATH": str(empty)})
    intro = tmux.wait_screen("Press Enter to begin")
    assert "No speech program found (spd-say or espeak-ng): the walkthrough runs silently." in (
        " ".join(intro.split()))
    tmux.keys("Enter")
    tmux.wait_screen("n start it now")
    tmux.keys("q")
    wait_for(tmux.dead, what="the walkthrough to exit")


def speaking_env(tmp_path: Path, xdg_env: dict[str, str]) -> dict[str, str]:
    """The stand-in spd-say on PATH: a speech program is there, whether or not it is heard."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "spd-say").write_text(STAND_IN)
    (bin_dir / "spd-say").chmod(0o755)
    return {**xdg_env, **UTF8, "PATH": f"{bin_dir}:{xdg_env.get('PATH', '/usr/bin:/bin')}",
            "SPOKEN": str(tmp_path / "spoken.tsv")}


CANNOT_BE_HEARD = ("The voice cannot be heard here: no sound server (PipeWire or PulseAudio) is "
                   "running and there is no sound card.")


def test_a_voice_that_cannot_be_heard_says_so_on_the_first_screen(
        tmux: Tmux, xdg_env: dict[str, str], tmp_path: Path) -> None:
    """espeak-ng exits 0 where nothing plays its sound, and pw-play says only "Host is down"
    where no PipeWire runs: the person is told before they lie down waiting for a voice."""
    if glob.glob("/dev/snd/pcmC*D*p"):
        unavailable("this machine has a sound card: no machine without sound to show")
    tmux.start([*stretchd_command(), "walk", "shotgun", "--voice"], speaking_env(tmp_path, xdg_env))
    intro = " ".join(tmux.wait_screen("Press Enter to begin").split())
    assert CANNOT_BE_HEARD in intro, intro
    tmux.keys("q")
    wait_for(tmux.dead, what="the walkthrough to exit")


def test_with_pipewire_and_a_speaker_nothing_is_said_about_sound(
        tmux: Tmux, xdg_env: dict[str, str], tmp_path: Path, pipewire: dict[str, str]) -> None:
    env = {**speaking_env(tmp_path, xdg_env),
           "PIPEWIRE_REMOTE": str(Path(pipewire["XDG_RUNTIME_DIR"]) / "pipewire-0")}
    tmux.start([*stretchd_command(), "walk", "shotgun", "--voice"], env)
    intro = " ".join(tmux.wait_screen("Press Enter to begin").split())
    assert "Shotgun (SI joints)" in intro and "cannot be heard" not in intro, intro
    tmux.keys("q")
    wait_for(tmux.dead, what="the walkthrough to exit")
