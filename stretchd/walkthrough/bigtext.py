"""Large block letters for the countdown, readable from the floor: a 3x5 pixel font, scaled."""

from __future__ import annotations

import functools
import unicodedata

# Each glyph is 5 rows of pixels ("#" on, "." off). A pixel is drawn 2 columns wide and 1 row
# tall at scale 1 (terminal cells are about twice as tall as wide), 2s by s at scale s.
FONT: dict[str, tuple[str, ...]] = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    ":": (".", "#", ".", "#", "."),
    "/": ("..#", "..#", ".#.", "#..", "#.."),
    " ": (".", ".", ".", ".", "."),
    "A": (".#.", "#.#", "###", "#.#", "#.#"),
    "B": ("##.", "#.#", "##.", "#.#", "##."),
    "D": ("##.", "#.#", "#.#", "#.#", "##."),
    "E": ("###", "#..", "##.", "#..", "###"),
    "F": ("###", "#..", "##.", "#..", "#.."),
    "G": ("###", "#..", "#.#", "#.#", "###"),
    "H": ("#.#", "#.#", "###", "#.#", "#.#"),
    "I": ("###", ".#.", ".#.", ".#.", "###"),
    "L": ("#..", "#..", "#..", "#..", "###"),
    "N": ("##.", "#.#", "#.#", "#.#", "#.#"),
    "O": (".#.", "#.#", "#.#", "#.#", ".#."),
    "P": ("##.", "#.#", "##.", "#..", "#.."),
    "R": ("##.", "#.#", "##.", "#.#", "#.#"),
    "S": (".##", "#..", ".#.", "..#", "##."),
    "T": ("###", ".#.", ".#.", ".#.", ".#."),
    "U": ("#.#", "#.#", "#.#", "#.#", "###"),
    "Y": ("#.#", "#.#", ".#.", ".#.", ".#."),
    # The rest of A-Z, and what the translated block words use.
    "C": ("###", "#..", "#..", "#..", "###"),
    "J": ("..#", "..#", "..#", "#.#", "###"),
    "K": ("#.#", "#.#", "##.", "#.#", "#.#"),
    "M": ("#...#", "##.##", "#.#.#", "#...#", "#...#"),
    "Q": ("###", "#.#", "#.#", "###", "..#"),
    "V": ("#.#", "#.#", "#.#", "#.#", ".#."),
    "W": ("#...#", "#...#", "#.#.#", "##.##", "#...#"),
    "X": ("#.#", "#.#", ".#.", "#.#", "#.#"),
    "Z": ("###", "..#", ".#.", "#..", "###"),
    "-": ("...", "...", "###", "...", "..."),
    "'": ("#", "#", ".", ".", "."),
    ".": (".", ".", ".", ".", "#"),
    "!": ("#", "#", "#", ".", "#"),
    # Cyrillic capitals (those that look like Latin ones are drawn as those).
    "Б": ("###", "#..", "###", "#.#", "###"),
    "Г": ("###", "#..", "#..", "#..", "#.."),
    "Д": (".##.", ".#.#", ".#.#", "####", "#..#"),
    "Ж": ("#.#.#", "#.#.#", ".###.", "#.#.#", "#.#.#"),
    "З": ("##.", "..#", ".#.", "..#", "##."),
    "И": ("#..#", "#..#", "#.##", "##.#", "#..#"),
    "Й": ("#.##", "#..#", "#.##", "##.#", "#..#"),
    "Л": (".##", "#.#", "#.#", "#.#", "#.#"),
    "П": ("###", "#.#", "#.#", "#.#", "#.#"),
    "У": ("#.#", "#.#", "###", "..#", "##."),
    "Ф": (".###.", "#.#.#", "#.#.#", ".###.", "..#.."),
    "Ц": ("#.#.", "#.#.", "#.#.", "####", "...#"),
    "Ч": ("#.#", "#.#", "###", "..#", "..#"),
    "Ш": ("#.#.#", "#.#.#", "#.#.#", "#.#.#", "#####"),
    "Щ": ("#.#.#.", "#.#.#.", "#.#.#.", "######", ".....#"),
    "Ъ": ("##..", ".#..", ".##.", ".#.#", ".##."),
    "Ы": ("#...#", "#...#", "##..#", "#.#.#", "##..#"),
    "Ь": ("#..", "#..", "##.", "#.#", "##."),
    "Э": ("##.", "..#", ".##", "..#", "##."),
    "Ю": ("#.##.", "#.#.#", "###.#", "#.#.#", "#.##."),
    "Я": (".##", "#.#", ".##", "#.#", "#.#"),
}
ROWS = 5
# Letters drawn as another's glyph: Cyrillic ones that look like Latin ones, and Latin
# letters whose mark cannot be drawn in 5 rows (an accented capital is drawn without it).
SAME = {"А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "Ł": "L", "Ø": "O", "Đ": "D"}


@functools.lru_cache(maxsize=512)
def glyph(ch: str) -> tuple[str, ...] | None:
    """The glyph a character is drawn with, or None if it has none (a CJK character)."""
    if ch in FONT:
        return FONT[ch]
    if ch in SAME:
        return FONT[SAME[ch]]
    bare = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return FONT.get(bare) if len(bare) == 1 else None


def drawable(text: str) -> bool:
    return all(glyph(ch) is not None for ch in text)


def width(text: str, scale: int) -> int:
    """Columns that text takes at this scale: 2 columns a pixel, half a pixel between glyphs."""
    if not text:
        return 0
    return sum(len((glyph(ch) or FONT[" "])[0]) for ch in text) * 2 * scale + (len(text) - 1) * scale


def render(text: str, scale: int, *, ascii: bool = False) -> list[str]:
    """text in block letters: 5 * scale lines, each width(text, scale) columns."""
    return list(_render(text, scale, ascii))


@functools.lru_cache(maxsize=256)  # a walk draws the same few words and digits five times a second
def _render(text: str, scale: int, ascii: bool) -> tuple[str, ...]:
    ink = "#" if ascii else "█"
    lines = []
    for row in range(ROWS):
        parts = []
        for ch in text:
            parts.append("".join((ink if px == "#" else " ") * 2 * scale
                                 for px in (glyph(ch) or FONT[" "])[row]))
        line = (" " * scale).join(parts)
        lines.extend([line] * scale)
    return tuple(lines)
