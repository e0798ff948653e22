"""Reading a walkthrough screen as a person would from across the room: which words are drawn
in block letters, and where."""

from __future__ import annotations

from stretchd.walkthrough import bigtext


def big_rows(lines: list[str], word: str, *, ascii: bool = False) -> list[int]:
    """The rows where word is drawn in block letters (at any scale), or [] if it is not (or
    cannot be: a word with no glyphs, Chinese or Japanese)."""
    if not word.strip() or not bigtext.drawable(word):
        return []
    for scale in range(1, 12):
        rows = bigtext.render(word, scale, ascii=ascii)
        for top in range(len(lines) - len(rows) + 1):
            start = 0
            while (col := lines[top].find(rows[0].rstrip(), start)) >= 0:
                if all(lines[top + j][col:col + len(r)].rstrip() == r.rstrip()
                       for j, r in enumerate(rows)):
                    return list(range(top, top + len(rows)))
                start = col + 1
    return []


def shows_big(lines: list[str], word: str, *, ascii: bool = False) -> bool:
    return bool(big_rows(lines, word, ascii=ascii))
