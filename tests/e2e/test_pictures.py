"""The picture of each position in real terminals: tmux (coloured half blocks, ASCII, sizes and
a resize), a pty that answers as kitty or as a sixel terminal does (the raw output carries
their graphics), and xterm drawing sixel on Xvfb (a screenshot of the hold)."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

import pytest

from harness.desktop import Desktop
from harness.kit import Tmux, require, stretchd_command, wait_for

UTF8 = {"LANG": "C.UTF-8", "LC_ALL": "", "LC_CTYPE": "", "TERM": "xterm-256color", "COLORTERM": "truecolor"}
HALF = ("▀", "▄")
COLOUR = re.compile(r"\x1b\[[0-9;]*(?:38;[25];[0-9;]+)[0-9;]*m([▀▄]+)")


def picture_cells(screen: str) -> int:
    """Half-block cells drawn in a colour: the picture (the countdown is full blocks)."""
    return sum(len(m[1]) for m in COLOUR.finditer(screen))


def start(tmux: Tmux, env: dict[str, str], routine: str = "hips-lower-back") -> None:
    tmux.start([*stretchd_command(), "walk", routine], env)
    tmux.wait_screen("q quit" if tmux.width < 32 else "q to quit")  # the first screen's keys
    tmux.keys("Enter")


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40)])
def test_the_position_is_drawn_in_coloured_blocks_while_getting_ready_and_holding(
        tmp_path: Path, xdg_env: dict[str, str], width: int, height: int) -> None:
    tmux = Tmux(tmp_path / "tmux.sock", width, height)
    try:
        start(tmux, {**xdg_env, **UTF8})
        ready = str(wait_for(lambda: (s := tmux.cmd("capture-pane", "-p", "-e")) and "n start it now" in s
                             and picture_cells(s) > 8 and s, 10, "the picture during the get-ready"))
        assert "Next: Left knee to your chest" in ready  # what to move into, above its picture
        tmux.keys("n")
        hold = str(wait_for(lambda: (s := tmux.cmd("capture-pane", "-p", "-e")) and "n skip to the next" in s
                            and picture_cells(s) > 8 and s, 10, "the picture during the hold"))
        plain = tmux.screen().splitlines()
        assert plain[-1].strip().startswith("Space pause")  # the keys, on the last line
        digits = [i for i, line in enumerate(plain) if "█" in line]
        assert len(digits) >= 5  # the big countdown, still there
        assert picture_cells(hold) > 8
        right = max(plain[i].rfind("█") for i in digits)
        drawn = [(i, j) for i, line in enumerate(plain) for j, c in enumerate(line) if c in HALF]
        if width >= 120:  # beside the countdown: on its rows, right of its blocks
            assert drawn and all(digits[0] <= i <= digits[-1] + 1 and j > right for i, j in drawn)
        else:  # above it
            assert drawn and all(i < digits[0] for i, _ in drawn)
    finally:
        tmux.kill()


@pytest.mark.parametrize(("width", "height"), [(30, 8), (40, 10)])
def test_on_a_small_terminal_the_countdown_and_keys_are_there_and_no_picture(
        tmp_path: Path, xdg_env: dict[str, str], width: int, height: int) -> None:
    tmux = Tmux(tmp_path / "tmux.sock", width, height)
    try:
        start(tmux, {**xdg_env, **UTF8})
        for key in ("start", "skip"):
            screen = str(wait_for(lambda k=key: (s := tmux.cmd("capture-pane", "-p", "-e")) and k in s
                                  and s, 10, f"the {key} screen"))
            assert not any(c in screen for c in HALF), screen
            assert key in screen.splitlines()[-1]  # the keys, on the last line
            assert "█" in screen or re.search(r"\b[0-9]+\b", screen)  # the countdown
            tmux.keys("n")
    finally:
        tmux.kill()


def test_a_resize_takes_the_picture_away_and_brings_it_back(tmp_path: Path, xdg_env: dict[str, str]) -> None:
    tmux = Tmux(tmp_path / "tmux.sock", 80, 24)
    try:
        start(tmux, {**xdg_env, **UTF8})
        tmux.keys("n")  # the hold: 10 s
        wait_for(lambda: picture_cells(tmux.cmd("capture-pane", "-p", "-e")) > 8, 10, "the picture")
        tmux.cmd("resize-window", "-x", "40", "-y", "10")
        wait_for(lambda: (s := tmux.cmd("capture-pane", "-p", "-e")) and not any(c in s for c in HALF)
                 and "skip" in s.splitlines()[-1], 10, "the small screen, without the picture")
        tmux.cmd("resize-window", "-x", "100", "-y", "30")
        wait_for(lambda: picture_cells(tmux.cmd("capture-pane", "-p", "-e")) > 8, 10, "the picture again")
    finally:
        tmux.kill()


def test_under_lang_c_the_picture_is_ascii(tmp_path: Path, xdg_env: dict[str, str]) -> None:
    tmux = Tmux(tmp_path / "tmux.sock", 80, 24)
    try:
        start(tmux, {**xdg_env, "LANG": "C", "LC_ALL": "", "LC_CTYPE": "", "TERM": "xterm-256color"})
        tmux.keys("n")
        screen = str(wait_for(lambda: (s := tmux.screen()) and "n skip" in s and "*" in s and s, 10,
                              "the hold's ASCII picture"))
        assert screen.isascii()
        assert "*" in screen  # the working leg: the accent, as ASCII
    finally:
        tmux.kill()


# A pty that answers as a terminal would -------------------------------------------------------

def run_in_pty(env: dict[str, str], answer: bytes | None, until: bytes, routine: str = "shotgun",
               timeout: float = 20.0) -> bytes:
    """`stretchd walk ROUTINE` on a pty we hold: answer its queries as told, press Enter at the
    first screen, and return what it wrote once `until` is in it."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the walkthrough
        os.execvpe(stretchd_command()[0], [*stretchd_command(), "walk", routine], env)
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 1200, 840))
    out = bytearray()
    answered = entered = False
    deadline = time.monotonic() + timeout
    try:
        while until not in out:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {until!r} in {bytes(out[-3000:])!r}")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    break
            if not answered and b"\x1b[c" in out:
                answered = True
                if answer:
                    os.write(fd, answer)
            if not entered and b"Press Enter to begin" in out:
                entered = True
                os.write(fd, b"\r")
        return bytes(out)
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def pty_env(xdg_env: dict[str, str]) -> dict[str, str]:
    return {**xdg_env, **UTF8, "PATH": os.environ["PATH"]}


def test_a_terminal_that_answers_as_kitty_gets_kitty_graphics(xdg_env: dict[str, str]) -> None:
    out = run_in_pty(pty_env(xdg_env), b"\x1b_Gi=31;OK\x1b\\\x1b[?62;22c", b"\x1b_Ga=T")
    assert out.index(b"\x1b_Gi=31,s=1,v=1,a=q") < out.index(b"\x1b_Ga=T")


def test_a_terminal_that_announces_sixel_gets_sixel(xdg_env: dict[str, str]) -> None:
    out = run_in_pty(pty_env(xdg_env), b"\x1b[?63;1;4;22c", b"\x1bP0;1;0q")
    assert b"\x1b_Ga=T" not in out


def test_a_terminal_that_answers_nothing_gets_blocks(xdg_env: dict[str, str]) -> None:
    out = run_in_pty(pty_env(xdg_env), None, "▄".encode())
    assert b"\x1b_Ga=T" not in out and b"\x1bP0;1;0q" not in out


# xterm drawing sixel on Xvfb -----------------------------------------------------------------

def screenshot(display: str) -> tuple[int, int, bytes]:
    """The root window's pixels (python-xlib, as stretchd reads X11 already): width, height, BGRX."""
    from Xlib import X
    from Xlib import display as xdisplay

    d = xdisplay.Display(display)
    try:
        root = d.screen().root
        geometry = root.get_geometry()
        image = root.get_image(0, 0, geometry.width, geometry.height, X.ZPixmap, 0xFFFFFFFF)
        return geometry.width, geometry.height, bytes(image.data)
    finally:
        d.close()


def orange(shot: tuple[int, int, bytes]) -> list[tuple[int, int]]:
    """Where the screen is the pictures' accent (the working limb): (x, y) of each pixel."""
    width, _, data = shot
    return [((i // 4) % width, (i // 4) // width) for i in range(0, len(data), 4)
            if data[i + 2] > 200 and 80 < data[i + 1] < 160 and data[i] < 80]


def beside_area(width: int, height: int) -> tuple[int, int, int]:
    """Where stretchd puts the first hold's picture of hips-lower-back at this size: beside the
    countdown, as (first row, last row, first column) in cells."""
    from stretchd.routines import load_all
    from stretchd.routines.plan import Timer, plan
    from stretchd.walkthrough.screen import fit
    from stretchd.walkthrough.view import Rooms, view

    r = load_all(None)[0]["hips-lower-back"]
    t = Timer(plan(r), lambda: 0.0)
    t.start()
    t.skip()
    lines = fit(view(r, t, Rooms(t.items)), width, height, picture=12, hold=True)
    rows = [i for i, line in enumerate(lines) if line.beside]
    assert rows, "no room beside the countdown at this size"
    return rows[0], rows[-1], lines[rows[0]].beside


COLS, ROWS = 120, 40  # xterm's size: wide enough for the picture beside the countdown


def test_xterm_with_sixel_draws_the_position_during_a_hold(desktop: Desktop, xdg_env: dict[str, str]) -> None:
    require("xterm", "xdotool")
    display = desktop.env["DISPLAY"]
    env = {**xdg_env, **UTF8, "DISPLAY": display, "PATH": os.environ["PATH"]}
    env.pop("COLORTERM")
    assert not orange(screenshot(display))
    xterm = subprocess.Popen(
        ["xterm", "-ti", "vt340", "-xrm", "XTerm*numColorRegisters: 256", "-geometry", f"{COLS}x{ROWS}+0+0",
         "-bg", "white", "-fg", "black", "-e", *stretchd_command(), "walk", "hips-lower-back"], env=env)
    try:
        # Enter once the first screen is up: pressed until the steps start (the walkthrough
        # reads no key while it asks the terminal what it can show; Enter means nothing after).
        wait_for(lambda: len(orange(screenshot(display))) > 500 or (_send_key(display, "Return") and False),
                 60, "the sixel picture's orange limbs on xterm's screen")
        _send_key(display, "n")  # the hold (10 s): the picture goes beside the countdown
        top, bottom, col = beside_area(COLS, ROWS)
        cell_w, cell_h = _cell(display)
        box = ((col - 1) * cell_w, (top - 1) * cell_h, (COLS + 1) * cell_w, (bottom + 2) * cell_h)

        def inside(points: list[tuple[int, int]]) -> int:
            return sum(1 for x, y in points if box[0] <= x < box[2] and box[1] <= y < box[3])

        wait_for(lambda: (p := orange(screenshot(display))) and inside(p) > 150 and inside(p) == len(p),
                 10, "the picture beside the countdown, and nowhere else")
        # A second later the countdown was drawn again: the picture is still all there.
        def countdown(shot: tuple[int, int, bytes]) -> bytes:  # the pixels left of the picture
            width, _, data = shot
            return b"".join(data[y * width * 4: y * width * 4 + box[0] * 4] for y in range(box[1], box[3]))

        before = countdown(screenshot(display))
        wait_for(lambda: countdown(screenshot(display)) != before, 5, "the countdown's next second")
        shot = orange(screenshot(display))
        assert inside(shot) > 150 and inside(shot) == len(shot)
    finally:
        xterm.kill()
        xterm.wait()


def _cell(display: str) -> tuple[int, int]:
    """xterm's cell in pixels: its window's size (at +0+0, with its 2-pixel border) over its cells."""
    found = subprocess.run(["xdotool", "search", "--class", "xterm"], env={"DISPLAY": display},
                           capture_output=True, text=True, check=True).stdout.split()
    shape = subprocess.run(["xdotool", "getwindowgeometry", "--shell", found[0]],
                           env={"DISPLAY": display}, capture_output=True, text=True, check=True).stdout
    size = dict(line.split("=", 1) for line in shape.split())
    return (int(size["WIDTH"]) - 4) // COLS, (int(size["HEIGHT"]) - 4) // ROWS


def _send_key(display: str, key: str) -> bool:
    """A key to the xterm window (xdotool), once it is up."""
    require("xdotool")
    found = subprocess.run(["xdotool", "search", "--class", "xterm"], env={"DISPLAY": display},
                           capture_output=True, text=True, check=False).stdout.split()
    if not found:
        return False
    # xterm ignores keys sent to a window (SendEvent): focus it, then type through XTEST.
    subprocess.run(["xdotool", "windowfocus", "--sync", found[0], "key", key],
                   env={"DISPLAY": display}, check=False, timeout=10, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # a look at the screen between presses, not a press every 50 ms
    return True


def test_no_pictures_draws_none(tmp_path: Path, xdg_env: dict[str, str]) -> None:
    tmux = Tmux(tmp_path / "tmux.sock", 80, 24)
    try:
        tmux.start([*stretchd_command(), "walk", "hips-lower-back", "--no-pictures"], {**xdg_env, **UTF8})
        tmux.wait_screen("Press Enter to begin")
        tmux.keys("Enter")
        screen = str(wait_for(lambda: (s := tmux.cmd("capture-pane", "-p", "-e")) and "n start" in s and s,
                              10, "the get-ready"))
        assert not any(c in screen for c in HALF) and "step 1 of 10" in screen  # room for the header
    finally:
        tmux.kill()
