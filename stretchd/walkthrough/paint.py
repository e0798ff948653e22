"""A frame on a terminal, drawn as a terminal program does: only the rows that changed.

A hold's frame changes once a second in a few rows (the countdown, the time left); drawing
only those keeps a hold's cost the same with a picture on screen as without, and leaves a
terminal's own pixels (sixel) under rows that did not change alone.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.text import Text

from stretchd.walkthrough.view import Beside


def _same(a: object, b: object) -> bool:
    if a is b:
        return True
    if isinstance(a, Text) and isinstance(b, Text):  # Text's == leaves out the line's own style
        return a.plain == b.plain and a.style == b.style and a.spans == b.spans
    if isinstance(a, Beside) and isinstance(b, Beside):
        return a.at == b.at and _same(a.text, b.text) and _same(a.picture, b.picture)
    return False


class Painter:
    """Draws frames of one Text per row on a console in the alternate screen."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.rows: list[object] | None = None
        self.size: tuple[int, int] | None = None

    def forget(self) -> None:
        """The screen was drawn otherwise: the next frame is drawn whole."""
        self.rows = None

    def paint(self, frame: Group, size: tuple[int, int]) -> list[tuple[int, int, int]]:
        """Draw the rows of frame that differ from the last frame's; what was drawn, as
        (row, first column, column after the last)."""
        width, height = size
        rows: list[object] = [*frame.renderables[:height]]
        rows += [Text("")] * (height - len(rows))
        old = self.rows if self.size == size else None
        changed = [i for i, row in enumerate(rows) if old is None or not _same(row, old[i])]
        drawn: list[tuple[int, int, int]] = []
        for i in changed:
            row, was = rows[i], None if old is None else old[i]
            if isinstance(row, Beside) and isinstance(was, Beside) and row.at == was.at:
                # The countdown's part and the picture's part of the line, each if it changed.
                if not _same(row.text, was.text):
                    drawn.append(self._draw(row.text, 0, i, row.at))
                if not _same(row.picture, was.picture):
                    drawn.append(self._draw(row.picture, row.at, i, width - row.at))
            else:
                drawn.append(self._draw(row, 0, i, width))
        self.rows, self.size = rows, size
        return drawn

    def redraw(self, rows: range) -> None:
        """Draw these rows of the last frame again, whole (over a terminal's own pixels)."""
        if self.rows is None or self.size is None:
            return
        for i in rows:
            if 0 <= i < len(self.rows):
                self._draw(self.rows[i], 0, i, self.size[0])

    def _draw(self, row: object, x: int, y: int, width: int) -> tuple[int, int, int]:
        options = self.console.options.update_dimensions(width, 1)
        line = self.console.render_lines(row, options, pad=True)[0]  # type: ignore[arg-type]
        self.console.update_screen_lines([line], x, y)
        return y, x, x + width
