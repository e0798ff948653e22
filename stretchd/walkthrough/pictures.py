"""The picture of each position, drawn in the terminal: real pixels where the terminal says it
can show them (the kitty graphics protocol, or sixel), coloured half blocks elsewhere,
shapes without colour under NO_COLOR, ASCII where the walkthrough is ASCII.

Imported by the walkthrough's process only: resvg (SVG), Pillow (PNG, pixels) and chafa
(kitty and sixel) never reach `stretchd status` or the daemon. During a get-ready the figure
moves from the last position into the next: stretchd's own drawings name each limb (an SVG
element id), and a frame puts each limb part of the way between the two."""

from __future__ import annotations

import enum
import functools
import io
import math
import os
import re
import select
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image

ASPECT = 84 / 200  # height / width of stretchd's drawings
ALPHA = 96  # a pixel this opaque or more is part of the figure
QUERY_TIMEOUT = 0.09  # seconds a terminal has to answer: no visible delay (under 0.1 s)
KITTY_QUERY = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
DEVICE_ATTRIBUTES = b"\x1b[c"  # every terminal answers this one: the end of the answers
FRAMES_PER_SECOND = 4  # the figure's motion during a get-ready
MAX_PIXELS = 800  # a kitty picture's width at most: kitty scales it up to its cells
KITTY_DELETE = "\x1b_Ga=d,d=A,q=2\x1b\\"  # every image of ours, and its data


class Mode(enum.Enum):
    KITTY = "kitty"
    SIXEL = "sixel"
    BLOCKS = "blocks"  # half blocks in colour
    MONO = "mono"  # half blocks, no colour (NO_COLOR): the working limb in a lighter shade
    ASCII = "ascii"

    @property
    def pixels(self) -> bool:
        return self in (Mode.KITTY, Mode.SIXEL)


def parse_answers(data: bytes) -> Mode | None:
    """What a terminal's answers to KITTY_QUERY and DEVICE_ATTRIBUTES say it can show; None if
    the answer to the last is not there yet."""
    attributes = re.search(rb"\x1b\[\?([0-9;]*)c", data)
    if attributes is None:
        return None
    if re.search(rb"\x1b_Gi=31;OK\x1b\\", data):
        return Mode.KITTY
    if "4" in attributes[1].decode().split(";"):
        return Mode.SIXEL
    return Mode.BLOCKS


def ask_terminal(fd_in: int, fd_out: int, timeout: float = QUERY_TIMEOUT) -> Mode:
    """Ask the terminal (in cbreak mode) which graphics it shows: its answers are read here,
    never taken for keys. One that answers nothing within the timeout gets blocks."""
    try:
        os.write(fd_out, KITTY_QUERY + DEVICE_ATTRIBUTES)
    except OSError:
        return Mode.BLOCKS
    data = b""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd_in], [], [], left)
        if not ready:
            break
        chunk = os.read(fd_in, 1024)
        if not chunk:
            break
        data += chunk
        found = parse_answers(data)
        if found is not None:
            return found
    return Mode.BLOCKS


def choose(asked: Mode | None, environ: Mapping[str, str], *, ascii: bool,
           cell: tuple[int, int] | None = (10, 20)) -> Mode:
    """ASCII where the walkthrough is; plain shapes under NO_COLOR (pixels too have colour);
    the terminal's own pixels where it answered it shows them (sixel only where it says how
    large a cell is: drawn too large, it would cover the keys); coloured blocks elsewhere."""
    if ascii:
        return Mode.ASCII
    if environ.get("NO_COLOR"):
        return Mode.MONO
    if asked is Mode.KITTY or (asked is Mode.SIXEL and cell is not None):
        return asked
    return Mode.BLOCKS


def may_ask(environ: Mapping[str, str]) -> bool:
    """Whether the graphics queries are safe to write: GNU screen shows an APC string (the
    kitty query) as its status line, the Linux console prints it."""
    term = environ.get("TERM", "")
    return not environ.get("STY") and term != "linux" and not term.startswith("screen")


def cell_pixels(fd: int) -> tuple[int, int] | None:
    """A character cell's size in pixels, as the terminal says (None if it does not)."""
    import fcntl
    import struct
    import termios

    try:
        rows, cols, xpix, ypix = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    except OSError:
        return None
    if cols and rows and xpix and ypix:
        return max(1, xpix // cols), max(1, ypix // rows)
    return None


# Drawing --------------------------------------------------------------------------------------

_LINE = re.compile(r'<line id="(?P<id>[a-z-]+)" x1="(?P<x1>[-0-9.]+)" y1="(?P<y1>[-0-9.]+)" '
                   r'x2="(?P<x2>[-0-9.]+)" y2="(?P<y2>[-0-9.]+)"')
_CIRCLE = re.compile(r'<circle id="(?P<id>[a-z-]+)" cx="(?P<cx>[-0-9.]+)" cy="(?P<cy>[-0-9.]+)"')
_MARK = re.compile(r"<(?:polyline|polygon|line) class=\"mark\"[^>]*/>")


@functools.lru_cache(maxsize=64)
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def between(first: Path | None, second: Path, t: float) -> str | Path:
    """The drawing part of the way (t from 0 to 1) from one position to the next: stretchd's
    own drawings move limb by limb; any other picture simply shows (the next one)."""
    if first is None or t >= 1 or first.suffix != ".svg" or second.suffix != ".svg":
        return second
    try:
        a, b = _text(first), _text(second)
    except OSError:
        return second
    start = {m["id"]: m for m in _LINE.finditer(a)} | {m["id"]: m for m in _CIRCLE.finditer(a)}
    if not start or not _LINE.search(b):
        return second
    t = max(0.0, t)
    ease = t * t * (3 - 2 * t)

    def move(m: re.Match[str]) -> str:
        old = start.get(m["id"])
        if old is None:
            return m[0]
        keys = [k for k in ("x1", "y1", "x2", "y2", "cx", "cy") if m.groupdict().get(k) is not None]
        out = m[0]
        for k in keys:
            value = float(old[k]) + (float(m[k]) - float(old[k])) * ease
            out = out.replace(f'{k}="{m[k]}"', f'{k}="{value:.1f}"', 1)
        return out

    moved = _CIRCLE.sub(move, _LINE.sub(move, b))
    return _MARK.sub("", moved)  # the belt, arrows and side letter come with the position


def raster(picture: str | Path, width: int, height: int) -> Image:
    """The picture as RGBA pixels fitted (aspect kept) and centred in width x height."""
    from PIL import Image as PILImage

    width, height = max(1, width), max(1, height)
    if isinstance(picture, Path) and picture.suffix.lower() == ".png":
        with PILImage.open(picture) as found:
            img = found.convert("RGBA")
        img.thumbnail((width, height))
    else:
        import resvg_py

        w, h = _fitted(width, height)
        kwargs: dict[str, Any] = {"svg_path": str(picture)} if isinstance(picture, Path) else {
            "svg_string": picture}
        png = bytes(resvg_py.svg_to_bytes(width=w, height=h, skip_system_fonts=True, **kwargs))
        img = PILImage.open(io.BytesIO(png)).convert("RGBA")
        img.thumbnail((width, height))
    canvas = PILImage.new("RGBA", (width, height), (0, 0, 0, 0))
    canvas.paste(img, ((width - img.width) // 2, (height - img.height) // 2))
    return canvas


def _fitted(width: int, height: int) -> tuple[int, int]:
    if height / width > ASPECT:
        return width, max(1, round(width * ASPECT))
    return max(1, round(height / ASPECT)), height


def size_in_cells(cols: int, rows: int) -> tuple[int, int]:
    """The cells the drawing takes in an area of cols x rows (a cell: one pixel wide, two
    high, in half blocks; about twice as high as wide in pixels too)."""
    used_cols = min(cols, math.floor(rows * 2 / ASPECT))
    return max(1, used_cols), max(1, min(rows, math.ceil(used_cols * ASPECT / 2)))


@dataclass(frozen=True)
class Cell:
    char: str
    fg: tuple[int, int, int] | None = None
    bg: tuple[int, int, int] | None = None


def _lit(pixel: Any) -> tuple[int, int, int] | None:
    """An RGBA pixel's colour where it is part of the figure."""
    return (pixel[0], pixel[1], pixel[2]) if pixel[3] >= ALPHA else None


def _accent(rgb: tuple[int, int, int]) -> bool:
    r, _, b = rgb
    return r > b + 40  # stretchd's accent is orange, its body blue-grey


def cells(img: Image, mode: Mode) -> list[list[Cell]]:
    """Rows of cells from pixels two rows a cell: the empty half stays the terminal's own
    background, so the figure reads on light and on dark ones alike."""
    px = img.load()
    assert px is not None
    out: list[list[Cell]] = []
    for y in range(0, img.height - 1, 2):
        row = []
        for x in range(img.width):
            top, bottom = _lit(px[x, y]), _lit(px[x, y + 1])
            if mode is Mode.ASCII:
                lit = top or bottom
                row.append(Cell(" " if lit is None else "*" if _accent(lit) else "#"))
            elif mode is Mode.MONO:
                lit = top or bottom
                shade = "▓" if lit is not None and _accent(lit) else "█"
                row.append(Cell(" " if lit is None else shade if top and bottom
                                else "▀" if top else "▄"))
            elif top is None and bottom is None:
                row.append(Cell(" "))
            elif bottom is None:
                row.append(Cell("▀", fg=top))
            elif top is None:
                row.append(Cell("▄", fg=bottom))
            else:
                row.append(Cell("▀", fg=top, bg=bottom))
        out.append(row)
    return out


def escape(img: Image, mode: Mode, cols: int, rows: int, cell: tuple[int, int]) -> bytes:
    """The picture as the terminal's own graphics (kitty or sixel), cols x rows cells, drawn
    at the cursor. kitty gets a PNG (a few tens of KiB where raw pixels would be megabytes);
    chafa encodes sixel, its palette and transparency included."""
    if mode is Mode.KITTY:
        return kitty(img, cols, rows)
    from chafa import Canvas, CanvasConfig, PixelMode, PixelType, TermDb

    config = CanvasConfig()
    config.width, config.height = cols, rows
    config.cell_width, config.cell_height = cell
    config.pixel_mode = PixelMode.CHAFA_PIXEL_MODE_SIXELS
    canvas = Canvas(config)
    canvas.draw_all_pixels(PixelType.CHAFA_PIXEL_RGBA8_UNASSOCIATED, img.tobytes(), img.width,
                           img.height, img.width * 4)
    return bytes(canvas.print(TermDb().get_fallback_info()))


def kitty(img: Image, cols: int, rows: int) -> bytes:
    """The kitty graphics protocol's transmit-and-show of a PNG over cols x rows cells, the
    cursor left where it was (C=1), no answer asked for (q=2), in chunks of 4096."""
    import base64

    png = io.BytesIO()
    img.save(png, "PNG", compress_level=1)
    data = base64.standard_b64encode(png.getvalue())
    chunks = [data[i:i + 4096] for i in range(0, len(data), 4096)] or [b""]
    out = []
    for i, chunk in enumerate(chunks):
        more = int(i < len(chunks) - 1)
        head = (f"a=T,f=100,q=2,C=1,c={cols},r={rows},m={more}" if i == 0 else f"m={more}").encode()
        out.append(b"\x1b_G" + head + b";" + chunk + b"\x1b\\")
    return b"".join(out)


# The walkthrough's figure --------------------------------------------------------------------

GET_READY_SHARE = 0.45  # of the rows, wished for the picture while getting into position
SMALLEST = 16  # rows: on a smaller terminal the text and the countdown take them all
HOLD_SHARE = 0.3  # while holding it: the countdown matters more


class Figure:
    """The picture for where the walk is: during a get-ready the figure on its way from the
    last position to the next, during a hold the position, still (drawn once)."""

    def __init__(self, start: Path | None, mode: Mode, cell: tuple[int, int] = (10, 20)) -> None:
        self.start = start  # the routine's starting position (lying flat)
        self.mode = mode
        self.cell = cell
        self._cache: dict[tuple[object, ...], Any] = {}
        self.broken: set[Path] = set()  # pictures that could not be drawn: not tried again

    def wish(self, get_ready: bool, height: int) -> int:
        if height < SMALLEST:
            return 0
        return int(height * (GET_READY_SHARE if get_ready else HOLD_SHARE))

    def source(self, items: list[Any], index: int, elapsed: float) -> tuple[str | Path | None, object]:
        """What to draw now, and a key that changes only when the drawing does."""
        item = items[index]
        target = item.step.image(item.side)
        if target is None or target in self.broken:
            return None, None
        if not item.get_ready:
            return target, target
        before = next((i.step.image(i.side) for i in reversed(items[:index]) if not i.get_ready),
                      self.start)
        moving = max(0.5, item.seconds - 1.0)  # in place a second before the hold starts
        frame = min(FRAMES_PER_SECOND * moving, math.floor(elapsed * FRAMES_PER_SECOND))
        drawn = between(None if before in self.broken else before, target,
                        frame / (FRAMES_PER_SECOND * moving))
        # A picture that does not move (not stretchd's own) is drawn once, not each frame.
        return drawn, (before, target, frame) if isinstance(drawn, str) else target

    def area(self, cols: int, rows: int) -> tuple[int, int]:
        """The cells the picture takes in an area of cols x rows."""
        if self.mode.pixels:
            used = min(cols, math.floor(rows * self.cell[1] / ASPECT / self.cell[0]))
            return max(1, used), max(1, min(rows, math.ceil(used * self.cell[0] * ASPECT / self.cell[1])))
        return size_in_cells(cols, rows)

    def rows_of_cells(self, source: str | Path, key: object, cols: int,
                      rows: int) -> list[list[Cell]] | None:
        """The picture as cells (blocks, shapes, ASCII) filling cols x rows; None if it cannot
        be drawn (a user's file that looked like a picture and is not one)."""
        try:
            return self.kept(("cells", key, cols, rows),  # type: ignore[no-any-return]
                             lambda: cells(raster(source, cols, rows * 2), self.mode))
        except Exception:  # any decoder's error: the step goes on without it
            self._broken(source)
            return None

    def pixels(self, source: str | Path, key: object, cols: int, rows: int) -> bytes | None:
        """The picture in the terminal's own graphics, cols x rows cells, at the cursor; None
        if it cannot be drawn. Rendered at most MAX_PIXELS wide: kitty scales it to its cells."""
        def encoded() -> bytes:
            w, h = cols * self.cell[0], rows * self.cell[1]
            if self.mode is Mode.KITTY and w > MAX_PIXELS:
                w, h = MAX_PIXELS, max(1, h * MAX_PIXELS // w)
            return escape(raster(source, w, h), self.mode, cols, rows, self.cell)

        try:
            return self.kept(("pixels", key, cols, rows), encoded)  # type: ignore[no-any-return]
        except Exception:  # any decoder's error: the step goes on without it
            self._broken(source)
            return None

    def kept(self, key: tuple[object, ...], make: Callable[[], Any]) -> Any:
        """make(), made once for key while the figure's cache keeps it (e.g. its rows as text)."""
        found = self._cache.get(key)
        if found is None:
            found = make()
            self._keep(key, found)
        return found

    def _broken(self, source: str | Path) -> None:
        if isinstance(source, Path):
            self.broken.add(source)

    def _keep(self, key: tuple[object, ...], value: object) -> None:
        if len(self._cache) > 160:  # the frames of a get-ready or two (cells and their rows)
            self._cache.clear()
        self._cache[key] = value
