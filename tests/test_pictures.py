"""The picture of each position: which graphics a terminal is asked for and gets, where the
picture goes on a step's screen (never at the countdown's or the keys' cost), how it is drawn,
and the picture files a routine names."""

from __future__ import annotations

import os
import pty
import struct
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stretchd.routines import load_all, load_file
from stretchd.routines.plan import Timer, plan
from stretchd.walkthrough.pictures import (
    Figure,
    Mode,
    ask_terminal,
    between,
    cells,
    choose,
    escape,
    parse_answers,
    raster,
)
from stretchd.walkthrough.screen import PICTURE, View, fit
from stretchd.walkthrough.view import Rooms, framed, view

KITTY_ANSWER = b"\x1b_Gi=31;OK\x1b\\\x1b[?62;22c"
SIXEL_ANSWER = b"\x1b[?63;1;4;22c"
PLAIN_ANSWER = b"\x1b[?1;2c"  # tmux's


def routine(name: str = "hips-lower-back"):  # type: ignore[no-untyped-def]
    return load_all(None)[0][name]


@pytest.mark.parametrize(("answer", "mode"), [(KITTY_ANSWER, Mode.KITTY), (SIXEL_ANSWER, Mode.SIXEL),
                                              (PLAIN_ANSWER, Mode.BLOCKS), (b"\x1b_Gi=31;OK\x1b\\", None)])
def test_the_terminals_answers_say_which_graphics_it_shows(answer: bytes, mode: Mode | None) -> None:
    assert parse_answers(answer) is mode


@pytest.mark.parametrize(("answer", "mode"), [(KITTY_ANSWER, Mode.KITTY), (SIXEL_ANSWER, Mode.SIXEL),
                                              (b"", Mode.BLOCKS)])
def test_the_terminal_is_asked_through_its_own_queries_and_its_answer_never_read_as_keys(
        answer: bytes, mode: Mode) -> None:
    """A pty stands in for the terminal: it answers the queries as kitty, as a sixel terminal,
    or not at all (then blocks, after the short timeout)."""
    main, side = pty.openpty()
    heard = bytearray()

    def terminal() -> None:
        while b"\x1b[c" not in heard:
            heard.extend(os.read(main, 1024))
        if answer:
            os.write(main, answer)

    t = threading.Thread(target=terminal)
    t.start()
    try:
        import tty

        tty.setcbreak(side)
        assert ask_terminal(side, side) is mode
        t.join(5)
        assert bytes(heard).startswith(b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\")
        os.write(main, b"n")  # the next key read is the person's, not a leftover of the answer
        assert os.read(side, 16) == b"n"
    finally:
        os.close(main)
        os.close(side)


def test_no_colour_and_ascii_are_the_persons_choice_whatever_the_terminal() -> None:
    assert choose(Mode.BLOCKS, {"NO_COLOR": "1"}, ascii=False) is Mode.MONO
    assert choose(Mode.KITTY, {"NO_COLOR": "1"}, ascii=False) is Mode.MONO  # shapes, no colour
    assert choose(Mode.KITTY, {}, ascii=True) is Mode.ASCII
    assert choose(None, {}, ascii=False) is Mode.BLOCKS
    # Sixel is drawn at the cell size the terminal gives: unknown, it could cover the keys.
    assert choose(Mode.SIXEL, {}, ascii=False, cell=None) is Mode.BLOCKS
    assert choose(Mode.KITTY, {}, ascii=False, cell=None) is Mode.KITTY  # kitty fits it to cells


def test_a_terminal_that_shows_the_kitty_query_as_text_is_not_asked() -> None:
    from stretchd.walkthrough.pictures import may_ask

    assert may_ask({"TERM": "xterm-256color"})
    assert not may_ask({"TERM": "screen.xterm-256color", "STY": "1.pts"})
    assert not may_ask({"TERM": "linux"})


PICTURES = Path(__file__).parents[1] / "stretchd" / "routines" / "pictures"


def test_each_drawing_is_coloured_half_blocks_on_the_terminals_own_background() -> None:
    img = raster(PICTURES / "knee-to-chest-left.svg", 48, 20)
    drawn = cells(img, Mode.BLOCKS)
    assert len(drawn) == 10 and all(len(row) == 48 for row in drawn)
    chars = {c.char for row in drawn for c in row}
    assert chars <= {" ", "▀", "▄"} and {"▀", "▄"} & chars
    assert all(c.fg is None and c.bg is None for row in drawn for c in row if c.char == " ")
    colours = {c.fg for row in drawn for c in row if c.fg}
    assert any(r > b + 40 for r, _, b in colours) and any(b > r for r, _, b in colours)  # accent, body
    ascii = cells(img, Mode.ASCII)
    assert {c.char for row in ascii for c in row} == {" ", "#", "*"}
    mono = cells(img, Mode.MONO)
    assert all(c.fg is None for row in mono for c in row) and "▓" in {c.char for r in mono for c in r}


def test_pixels_go_as_the_terminals_own_graphics() -> None:
    img = raster(PICTURES / "shotgun.svg", 200, 84)
    kitty = escape(img, Mode.KITTY, 20, 4, (10, 21))
    assert kitty.startswith(b"\x1b_G") and b"a=T" in kitty[:40]
    sixel = escape(img, Mode.SIXEL, 20, 4, (10, 21))
    assert sixel.startswith(b"\x1bP") and b"q" in sixel[:12] and sixel.endswith(b"\x1b\\")


def test_during_a_get_ready_the_figure_moves_limb_by_limb_into_the_next_position() -> None:
    flat, knee = PICTURES / "lying-flat.svg", PICTURES / "knee-to-chest-left.svg"
    halfway = between(flat, knee, 0.5)
    assert isinstance(halfway, str)

    def knee_y(svg: str) -> float:
        import re

        m = re.search(r'id="leg-near-upper"[^>]*y2="([0-9.]+)"', svg)
        assert m
        return float(m[1])

    assert knee_y(knee.read_text()) < knee_y(halfway) < knee_y(flat.read_text())
    assert "side-L" not in halfway  # the side's letter comes with the position
    assert between(flat, knee, 1.0) == knee


def figure(mode: Mode = Mode.BLOCKS) -> Figure:
    return Figure(PICTURES / "lying-flat.svg", mode)


def timer_at(name: str, index: int) -> tuple[object, Timer]:
    r = routine(name)
    items = plan(r)
    clock = [0.0]
    t = Timer(items, lambda: clock[0])
    t.start()
    for _ in range(index):
        t.skip()
    return r, t


def drawn_rows(shown: object, width: int, height: int) -> list[str]:
    """The rows of a frame as text (the picture's half blocks in them)."""
    from rich.console import Console

    console = Console(width=width, height=height, color_system="truecolor", record=True,
                      file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(shown)
    return console.export_text().splitlines()


def pictured(rows: list[str]) -> list[int]:
    return [i for i, row in enumerate(rows) if "▀" in row or "▄" in row]


@pytest.mark.parametrize(("width", "height"), [(80, 24), (120, 40)])
def test_the_picture_is_large_while_getting_ready_and_smaller_during_the_hold(width: int, height: int) -> None:
    r, t = timer_at("hips-lower-back", 0)
    f = figure()

    def room() -> int:  # the cells given to the picture
        v = view(r, t, Rooms(t.items))  # type: ignore[arg-type]
        lines = fit(v, width, height, picture=f.wish(t.current.get_ready, height),
                    hold=not t.current.get_ready)
        return sum(width if line.style == PICTURE else width - line.beside
                   for line in lines if line.style == PICTURE or line.beside)

    def drawn() -> list[int]:
        shown, placed = framed(r, t, width, height, figure=f)  # type: ignore[arg-type]
        assert placed is None  # blocks are text
        return pictured(drawn_rows(shown, width, height))

    assert t.current.get_ready
    ready, ready_drawn = room(), drawn()
    t.skip()
    assert not t.current.get_ready
    assert ready > room() >= 4 * 16
    assert len(ready_drawn) >= 2 and len(drawn()) >= 2  # lying flat is two rows high


@pytest.mark.parametrize(("width", "height"), [(120, 40), (160, 50), (200, 30)])
def test_during_a_hold_the_picture_is_beside_the_countdown_where_there_is_room(
        width: int, height: int) -> None:
    r, t = timer_at("hips-lower-back", 1)  # holding the left knee
    assert not t.current.get_ready
    shown, _ = framed(r, t, width, height, figure=figure())  # type: ignore[arg-type]
    rows = drawn_rows(shown, width, height)
    digits = [i for i, row in enumerate(rows) if "██" in row]
    picture = pictured(rows)
    assert digits and picture
    # On the countdown's own rows, right of its last column: nothing under it moved down.
    assert set(picture) <= set(range(digits[0], digits[-1] + 2))  # its "1 of 3" line too
    right = max(row.rstrip().rfind("██") for row in rows if "██" in row)
    assert all(c not in "▀▄" for i in picture for c in rows[i][:right + 2])
    without, _ = framed(r, t, width, height)  # type: ignore[arg-type]
    plain = drawn_rows(without, width, height)
    assert [row[:right + 2].rstrip() for row in rows] == [row[:right + 2].rstrip() for row in plain]


@pytest.mark.parametrize(("width", "height"), [(60, 20), (80, 24), (100, 40)])
def test_during_a_hold_on_a_narrower_terminal_the_picture_is_above_the_countdown(
        width: int, height: int) -> None:
    r, t = timer_at("hips-lower-back", 1)
    shown, _ = framed(r, t, width, height, figure=figure())  # type: ignore[arg-type]
    rows = drawn_rows(shown, width, height)
    digits = [i for i, row in enumerate(rows) if "██" in row]
    picture = pictured(rows)
    assert digits and len(picture) >= 2
    assert max(picture) < digits[0]
    assert rows[-1].startswith("Space pause")
    without, _ = framed(r, t, width, height)  # type: ignore[arg-type]
    assert [row for row in rows if "██" in row] == [row for row in drawn_rows(without, width, height)
                                                    if "██" in row]  # the countdown, as big


@pytest.mark.parametrize("width", [80, 100, 120, 160])
def test_the_holds_picture_stays_in_one_place_from_side_to_side(width: int) -> None:
    def where(index: int) -> list[tuple[int, int]]:
        r, t = timer_at("hips-lower-back", index)
        lines = fit(view(r, t, Rooms(t.items)), width, 40, picture=12, hold=True)  # type: ignore[arg-type]
        return [(i, line.beside) for i, line in enumerate(lines) if line.style == PICTURE or line.beside]

    assert where(1) == where(3) == where(5)  # left, right, left: the picture does not move


@pytest.mark.parametrize(("width", "height"), [(62, 30), (70, 30), (120, 40), (160, 50)])
def test_pausing_a_hold_leaves_its_picture_where_it_is(width: int, height: int) -> None:
    r, t = timer_at("hips-lower-back", 3)  # the right side's hold: the widest words

    def where() -> list[tuple[int, int]]:
        lines = fit(view(r, t, Rooms(t.items)), width, height, picture=12, hold=True)  # type: ignore[arg-type]
        return [(i, line.beside) for i, line in enumerate(lines) if line.style == PICTURE or line.beside]

    holding = where()
    t.toggle_pause()
    assert holding and where() == holding


@settings(max_examples=150, deadline=None)
@given(st.integers(20, 220), st.integers(6, 70), st.integers(0, 60), st.sampled_from([0, 1, 5]),
       st.booleans(), st.booleans())
def test_the_picture_never_costs_the_countdown_its_size_nor_the_keys_their_line(
        width: int, height: int, wish: int, index: int, paused: bool, ascii: bool) -> None:
    r, t = timer_at("hips-lower-back", index)  # a get-ready, a hold, the other side's hold
    if paused:
        t.toggle_pause()
    hold = not t.current.get_ready
    v = view(r, t, Rooms(t.items))  # type: ignore[arg-type]
    without = fit(v, width, height, ascii=ascii)
    with_picture = fit(v, width, height, ascii=ascii, picture=wish, hold=hold)
    assert len(with_picture) == len(without) <= height
    assert with_picture[-1] == without[-1]  # the keys
    assert _big(with_picture) == _big(without)  # the countdown, at the same size
    beside = [line for line in with_picture if line.beside]
    if beside:  # beside the countdown: on its lines, right of them, and costing no line
        assert hold and len(beside) >= 4
        assert [(x.text, x.style) for x in with_picture] == [(x.text, x.style) for x in without]
        assert all(len(x.text) + 3 <= x.beside <= width - 16 for x in beside)
    rows = [line for line in with_picture if line.style == PICTURE]
    assert not rows or 4 <= len(rows) <= wish
    if rows:  # the instruction and the cautions are as they are without it
        kept = [line.text for line in without if line.text.startswith(("! ", v.instruction[:20]))]
        assert [line.text for line in with_picture if line.text in kept] == kept


def _big(lines: list) -> list[str]:  # type: ignore[type-arg]
    return [line.text for line in lines if "█" in line.text or "#" in line.text]


@pytest.mark.parametrize(("width", "height"), [(30, 8), (40, 10)])
def test_on_a_small_terminal_there_is_no_picture_and_the_countdown_and_keys_are_all_there(
        width: int, height: int) -> None:
    r, t = timer_at("hips-lower-back", 0)
    v: View = view(r, t, Rooms(t.items))  # type: ignore[arg-type]
    lines = fit(v, width, height, picture=figure().wish(True, height))
    assert not [line for line in lines if line.style == PICTURE]
    assert v.keys[-1] in lines[-1].text or lines[-1].text in v.keys
    assert _big(lines) or any(f" {v.big} " in line.text for line in lines)


class Ticking:
    """Keys on a fake clock: Enter at once, q at `quit_at`; what the screen got by each wake."""

    def __init__(self, out: object, quit_at: float) -> None:
        self.now, self.out, self.quit_at = 0.0, out, quit_at
        self.written: list[tuple[float, int]] = []
        self.entered = False

    def clock(self) -> float:
        return self.now

    def read(self, timeout: float) -> str | None:
        self.written.append((self.now, len(self.out.getvalue())))  # type: ignore[attr-defined]
        if not self.entered:
            self.entered = True
            return "\r"
        if self.now + timeout >= self.quit_at:
            self.now = self.quit_at
            return "q"
        self.now += timeout
        return None

    def between(self, start: float, end: float) -> str:
        """What was written to the terminal while the clock went from start to end: the frames
        drawn after the last wake before start, until the last wake by end."""
        before = [n for t, n in self.written if t < start]
        by = [n for t, n in self.written if t <= end]
        return self.out.getvalue()[before[-1]:by[-1]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", [Mode.BLOCKS, Mode.SIXEL])
def test_a_hold_draws_its_picture_once_then_only_the_rows_that_change(mode: Mode) -> None:
    import io
    import re

    from rich.console import Console

    from stretchd.walkthrough import walk

    r = routine()
    ready = plan(r)[0].seconds  # the first get-ready; then the first hold, 10 s or more
    out = io.StringIO()
    con = Console(file=out, width=120, height=40, force_terminal=True, color_system="truecolor")
    keys = Ticking(out, quit_at=ready + 8.5)
    walk(r, console=con, keys=keys, clock=keys.clock, chime=lambda: None, end_wait=0.0,
         ascii=False, figure=Figure(PICTURES / "lying-flat.svg", mode))
    first = keys.between(ready, ready + 1.0)  # the hold's first frame
    assert ("▀" in first or "▄" in first) if mode is Mode.BLOCKS else "\x1bP" in first
    later = keys.between(ready + 1.5, ready + 8.0)  # its seconds ticking down
    rows = {int(m[1]) for m in re.finditer(r"\x1b\[(\d+);(\d+)H", later)}
    assert rows, "the countdown was never drawn again"
    assert "▀" not in later and "▄" not in later and "\x1bP" not in later  # nor the picture
    # The rows drawn again: the header's time left and the countdown's digits, nothing under.
    assert max(rows) <= 17, sorted(rows)
    if mode is Mode.SIXEL:  # sixel pixels stay until text covers them: the get-ready's go
        r0, t0 = timer_at("hips-lower-back", 0)
        _, placed = framed(r0, t0, 120, 40, figure=Figure(PICTURES / "lying-flat.svg", mode))  # type: ignore[arg-type]
        assert placed is not None
        cleared = {int(m[1]) - 1 for m in re.finditer(r"\x1b\[(\d+);1H", first)}
        assert set(range(placed.row, placed.row + placed.rows)) <= cleared


def test_a_stopped_and_continued_walk_draws_its_whole_screen_again() -> None:
    """Ctrl-Z, then fg: the shell wrote over the screen; the next frame is drawn whole."""
    import io
    import re
    import signal

    from rich.console import Console

    from stretchd.walkthrough import walk

    r = routine()
    ready = plan(r)[0].seconds
    out = io.StringIO()
    con = Console(file=out, width=120, height=40, force_terminal=True, color_system="truecolor")
    keys = Ticking(out, quit_at=ready + 8.5)
    sent = []
    read = keys.read

    def read_and_continue(timeout: float) -> str | None:
        if keys.now >= ready + 4.0 and not sent:
            sent.append(keys.now)
            os.kill(os.getpid(), signal.SIGCONT)  # as the shell's fg sends it
        return read(timeout)

    keys.read = read_and_continue  # type: ignore[method-assign]
    walk(r, console=con, keys=keys, clock=keys.clock, chime=lambda: None, end_wait=0.0,
         ascii=False, figure=Figure(PICTURES / "lying-flat.svg", Mode.BLOCKS))
    before = keys.between(ready + 1.5, sent[0] - 0.1)
    after = keys.between(sent[0], sent[0] + 0.5)
    rows = lambda text: {int(m[1]) for m in re.finditer(r"\x1b\[(\d+);1H", text)}  # noqa: E731
    assert len(rows(before)) < 20  # the countdown's rows alone, until then
    assert rows(after) == set(range(1, 41)) and "▀" in after  # then every row, the picture too


def test_the_end_screen_is_drawn_from_the_top_left_after_a_hold() -> None:
    import io
    import re

    from rich.console import Console

    from stretchd.walkthrough import walk

    out = io.StringIO()
    con = Console(file=out, width=120, height=40, force_terminal=True, color_system="truecolor")

    class Skipping:  # Enter, then n through every step to the end screen
        now = 0.0

        def read(self, timeout: float) -> str | None:
            self.now += 0.3
            return "\r" if self.now < 0.5 else "n"

    keys = Skipping()
    walk(routine("shotgun"), console=con, keys=keys, clock=lambda: keys.now, chime=lambda: None,
         end_wait=0.0, ascii=False, figure=Figure(PICTURES / "lying-flat.svg", Mode.BLOCKS))
    text = out.getvalue()
    end = text.find("Well done")
    assert end > 0
    home = text.rfind("\x1b[H", 0, end)
    assert home > 0 and not re.search(r"\x1b\[\d+;\d+H", text[home:end])


def test_the_reminders_notification_shows_the_routines_first_position() -> None:
    from stretchd.config import Defaults, Reminder
    from stretchd.daemon.decisions import notice

    r = routine("si-joints")
    import datetime as dt

    n = notice(Reminder("evening", dt.time(21), "si-joints"), r, 0, Defaults(), late=False)
    assert n.image == (PICTURES / "si-joint-left.svg").resolve().as_uri()


def _png(width: int, height: int) -> bytes:
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize(("name", "make", "said"), [
    ("knee.svg", lambda d: None, "'knee.svg' not found"),
    ("knee.svg", lambda d: (d / "knee.svg").mkdir(), "'knee.svg' is not a file"),
    ("knee.svg", lambda d: (d / "knee.svg").write_text("hello, not a picture"),
     "'knee.svg' is not a PNG or SVG image"),
    ("knee.svg", lambda d: (d / "knee.svg").write_bytes(b"<svg" + b" " * (1024 * 1024)),
     "'knee.svg' is 1024 KiB; a picture is at most 1024 KiB"),
    ("knee.svg", lambda d: (d / "knee.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1e9" height="10"/>'),
     "'knee.svg' is 1e+09 x 10 units; a picture is from 1 to 4096 on a side"),
    ("knee.svg", lambda d: (d / "knee.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4000mm" height="10mm"/>'),
     "'knee.svg' gives its width in mm; give it in pixels, or give a viewBox alone"),
    ("knee.svg", lambda d: (d / "knee.svg").write_bytes(_png(64, 32)),
     "'knee.svg' is a PNG image named .svg: name it .png"),
    ("knee.png", lambda d: (d / "knee.png").write_bytes(_png(100000, 1)), "'knee.png' is 100000 x 1 pixels"),
])
def test_a_picture_that_cannot_be_drawn_is_said_and_the_routine_loads_without_it(
        tmp_path: Path, name: str, make, said: str) -> None:  # type: ignore[no-untyped-def]
    make(tmp_path)
    path = tmp_path / "mine.toml"
    path.write_text('title = "Mine"\n[[steps]]\ntitle = "Knee"\ninstruction = "Knee up."\n'
                    f'hold_seconds = 10\nimage = "{name}"\n')
    r = load_file(path)
    assert r.steps[0].image("both") is None
    (note,) = r.notes
    assert note.startswith(f"{path}: steps[0].image: {said}")
    assert note.endswith("the step shows without a picture")


def test_a_picture_that_passes_the_check_and_still_cannot_be_drawn_leaves_the_step_without_one(
        tmp_path: Path) -> None:
    """A PNG whose head is whole and whose pixels are not, an SVG resvg refuses: the walk goes
    on, its picture rows empty, and the file is not tried again every frame."""
    (tmp_path / "cut.png").write_bytes(_png(64, 32))  # no pixel data at all
    (tmp_path / "bad.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><g</svg>')
    for bad in ("cut.png", "bad.svg"):
        f = Figure(None, Mode.BLOCKS)
        assert f.rows_of_cells(tmp_path / bad, bad, 40, 10) is None
        assert tmp_path / bad in f.broken
        kitty = Figure(None, Mode.KITTY)
        assert kitty.pixels(tmp_path / bad, bad, 40, 10) is None


def test_a_good_picture_is_taken_relative_to_the_routine_file_and_drawn(tmp_path: Path) -> None:
    from PIL import Image

    (tmp_path / "pics").mkdir()
    Image.new("RGBA", (64, 32), (240, 120, 24, 255)).save(tmp_path / "pics" / "l.png")
    (tmp_path / "pics" / "r.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10">'
                                              '<rect width="20" height="10" fill="#4682c8"/></svg>')
    path = tmp_path / "mine.toml"
    path.write_text('title = "Mine"\n[[steps]]\ntitle = "Knee"\ninstruction = "Knee up."\n'
                    'hold_seconds = 10\nsides = ["left", "right"]\n'
                    'image = { left = "pics/l.png", right = "pics/r.svg" }\n')
    r = load_file(path)
    assert r.notes == ()
    assert r.steps[0].image("left") == tmp_path / "pics" / "l.png"
    assert r.steps[0].image("right") == tmp_path / "pics" / "r.svg"
    for side in ("left", "right"):
        image = r.steps[0].image(side)
        assert image is not None
        drawn = Figure(None, Mode.BLOCKS).rows_of_cells(image, side, 40, 10)
        assert drawn and any(c.fg for row in drawn for c in row)


def test_the_pictures_setting_is_checked() -> None:
    from stretchd.config import parse
    from stretchd.errors import ConfigError

    assert parse('[walkthrough]\npictures = "off"\n', "config.toml").walkthrough.pictures == "off"
    with pytest.raises(ConfigError) as e:
        parse('[walkthrough]\npictures = "of"\n', "config.toml")
    assert e.value.message == ('config.toml: walkthrough.pictures: "of" is not accepted; use "auto", '
                               '"on" or "off" (did you mean "off"?) (line 2)')


def test_the_image_libraries_load_only_when_a_picture_is_drawn() -> None:
    """`stretchd status` and the daemon never load them: their memory stays as it was."""
    import subprocess
    import sys

    probe = ("import sys, stretchd.cli, stretchd._run, stretchd.daemon.core, stretchd.walkthrough, "
             "stretchd.walkthrough.view, stretchd.routines\n"
             "stretchd.routines.load_all(None)\n"
             "print(sorted(m for m in ('PIL', 'resvg_py', 'chafa') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
