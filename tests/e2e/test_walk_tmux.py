"""`stretchd walk` in a real terminal (tmux): the screen a user sees and the keys they press."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tests.e2e.harness import Tmux, stretchd_command, wait_for


def walks(xdg: Path) -> list[tuple[object, ...]]:
    db = xdg / "state" / "stretchd" / "stretchd.sqlite3"
    with sqlite3.connect(db) as c:
        return c.execute("SELECT routine, outcome, step, steps, ended FROM walks").fetchall()


def test_walk_in_a_terminal_counts_down_pauses_and_quits(
        tmux: Tmux, xdg: Path, xdg_env: dict[str, str]) -> None:
    tmux.start([*stretchd_command(), "walk", "shotgun"], {**xdg_env, "TERM": "xterm-256color"})
    intro = tmux.wait_screen("Press Enter to begin")
    assert "Shotgun (SI joints)" in intro and "40 s" in intro
    assert "aren't meant to help heal an injury" in intro  # the safety notice comes first
    assert "belt around your thighs" in intro

    tmux.keys("Enter")
    ready = tmux.wait_screen("Get ready: Push your knees out against the belt (1 of 4)")
    assert "step 1 of 4" in ready and "Next:" in ready

    hold = tmux.wait_screen("╭─ Push your knees out against the belt (1 of 4)", timeout=8)
    assert "0:0" in hold  # a countdown of the 5 s hold
    tmux.keys("Space")
    paused = tmux.wait_screen("PAUSED")
    countdown = [line for line in paused.splitlines() if "0:0" in line]
    assert countdown
    # Paused means the countdown stands still.
    time.sleep(1.5)
    assert tmux.wait_screen("PAUSED") and [
        line for line in tmux.screen().splitlines() if "0:0" in line] == countdown

    tmux.keys("Space")
    wait_for(lambda: "PAUSED" not in tmux.screen(), what="the pause to end")
    tmux.keys("q")
    done = tmux.wait_screen("Stopped at step 1 of 4", scrollback=True)
    assert "Traceback" not in done
    wait_for(tmux.dead, what="the walkthrough to exit")
    ((routine, outcome, step, steps, ended),) = walks(xdg)
    assert (routine, outcome, step, steps) == ("shotgun", "quit", 1, 4) and ended


def test_n_skips_through_the_whole_routine_to_completed(
        tmux: Tmux, xdg: Path, xdg_env: dict[str, str]) -> None:
    tmux.start([*stretchd_command(), "walk", "shotgun"], {**xdg_env, "TERM": "xterm-256color"})
    tmux.wait_screen("Press Enter to begin")
    tmux.keys("Enter")
    for k in range(1, 5):
        tmux.wait_screen(f"Get ready: Push your knees out against the belt ({k} of 4)")
        tmux.keys("n")
        tmux.wait_screen(f"╭─ Push your knees out against the belt ({k} of 4)")
        tmux.keys("n")
    tmux.wait_screen("Well done", scrollback=True)
    ((_, outcome, step, steps, _),) = walks(xdg)
    assert (outcome, step, steps) == ("completed", 4, 4)


def test_the_screen_redraws_to_the_new_size_when_the_terminal_is_resized(
        tmux: Tmux, xdg: Path, xdg_env: dict[str, str]) -> None:
    tmux.start([*stretchd_command(), "walk", "si-joints"], {**xdg_env, "TERM": "xterm-256color"})
    tmux.wait_screen("Press Enter to begin")
    tmux.keys("Enter")
    tmux.wait_screen("Get ready:")
    tmux.cmd("resize-window", "-x", "60", "-y", "30")

    def fits() -> bool:
        lines = [line for line in tmux.screen().splitlines() if line.startswith("│")]
        # (a "⚠" takes two columns, so its line has one character less)
        return bool(lines) and all(len(line) in (59, 60) and line.endswith("│") for line in lines)

    wait_for(fits, 5, "the panel to be redrawn 60 columns wide")
    tmux.keys("q")
