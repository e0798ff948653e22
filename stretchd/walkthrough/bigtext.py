"""Large block letters for the countdown, readable from the floor: a 3x5 pixel font, scaled."""

from __future__ import annotations

import functools

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
}
ROWS = 5


def drawable(text: str) -> bool:
    return all(ch in FONT for ch in text)


def width(text: str, scale: int) -> int:
    """Columns that text takes at this scale: 2 columns a pixel, half a pixel between glyphs."""
    if not text:
        return 0
    return sum(len(FONT[ch][0]) for ch in text) * 2 * scale + (len(text) - 1) * scale


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
            parts.append("".join((ink if px == "#" else " ") * 2 * scale for px in FONT[ch][row]))
        line = (" " * scale).join(parts)
        lines.extend([line] * scale)
    return tuple(lines)
