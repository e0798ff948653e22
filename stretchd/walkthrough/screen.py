"""The walkthrough's screens fitted to the terminal: what matters most is never cut.

Pure functions from what a screen says to the lines to draw at a width and height. Order of
importance: the countdown, what to do now, the keys, then the rest; when space runs out the
tips go first, then the header and what comes next, then the instruction shortens to its
first sentence. Emphasis is bold and reverse only, never a colour: readable on light and dark
backgrounds, in 16 colours or none. With ascii=True every character drawn is ASCII.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace

from stretchd.i18n import N_, _
from stretchd.text import columns
from stretchd.text import fit as _fit
from stretchd.text import wrap as _wrap
from stretchd.walkthrough import bigtext

BIG_SHARE = 0.45  # the big countdown takes at most this share of the rows
BANNER_SHARE = 0.6  # block words above a page of text (DONE) take at most this share
GAP = 3  # columns between the countdown and the block words beside it, times the scale


@dataclass(frozen=True)
class Line:
    text: str
    style: str = ""
    beside: int = 0  # from this column on, the picture of the position is drawn (0: none)


@dataclass(frozen=True)
class View:
    """What a step's screen says, before it is fitted to a size."""

    big: str  # the countdown or breath count: "10", "1:30"
    now: str  # what to do now, in words: the phrase also spoken
    keys: tuple[str, ...]  # the key hints, longest first; the first that fits is drawn
    # Block words stacked beside the countdown, most important first, each with its
    # alternatives longest first: (("GET READY", "READY"), ("LEFT",)). What does not fit in
    # block letters is said in words on a line of its own.
    words: tuple[tuple[str, ...], ...] = ()
    rep: str = ""  # the repetition, always in words: "1 of 3" (never beside the digits)
    instruction: str = ""
    cautions: tuple[str, ...] = ()
    tips: tuple[str, ...] = ()
    header: str = ""
    next: str = ""
    # The widest countdown and, for each place of the block words, the widest word the
    # routine puts there in full and shortened ("BREATHE OUT", "PAUSED"): the scale is chosen
    # for them, so it holds from step to step.
    big_room: str = ""
    word_rooms: tuple[tuple[str, str], ...] = ()
    extra: tuple[str, ...] = field(default=())  # lines under the countdown ("Breath 3 of 7")
    hold_rooms: tuple[tuple[str, str], ...] = ()  # word_rooms of the holds alone

    @property
    def label_plain(self) -> str:
        """The block words and the repetition in words: "GET READY · LEFT · 1 of 3"."""
        return " · ".join([alts[0] for alts in self.words] + ([self.rep] if self.rep else []))


_ASCII = {"—": "-", "–": "-", "·": "|", "…": "...", "’": "'", "‘": "'", "“": '"', "”": '"',
          "•": "-", "⚠": "!", "×": "x", "→": "->", "█": "#"}
# TRANSLATORS: what stands for "°" (an angle, "bend to 90°") where the terminal shows ASCII
# only: keep the space before it, and use letters without accents if you can
DEGREES = N_(" degrees")


def to_ascii(text: str) -> str:
    for k, v in _ASCII.items():
        text = text.replace(k, v)
    if "°" in text:
        text = text.replace("°", _(DEGREES))
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.encode("ascii", "replace").decode("ascii")


def wants_ascii(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the user's locale cannot show UTF-8 (LANG=C, POSIX, a Latin-1 locale) or the
    terminal cannot draw block glyphs (TERM=dumb, vt100, vt220)."""
    env = os.environ if environ is None else environ
    if env.get("TERM", "") in ("dumb", "vt100", "vt102", "vt220", "ansi"):
        return True
    # Python coerces a C locale to C.UTF-8 (PEP 538) by setting LC_CTYPE in its own
    # environment; the user's choice is then what LANG says.
    coerced = (not env.get("LC_ALL") and env.get("LANG", "C") in ("", "C", "POSIX")
               and env.get("LC_CTYPE", "") in ("C.UTF-8", "C.utf8", "UTF-8"))
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = env.get(var, "")
        if value and not (var == "LC_CTYPE" and coerced):
            return re.search(r"utf-?8", value, re.IGNORECASE) is None
    return True  # no locale at all is the C locale


def first_sentence(text: str) -> str:
    """Up to the first full stop ("." "!" "?" before a space, or a Chinese or Japanese one)."""
    m = re.match(r"(.+?(?:[.!?](?=\s|$)|[。！？]))", text.strip(), re.DOTALL)
    return m[1] if m else text.strip()


def _key_lines(keys: tuple[str, ...], width: int) -> list[Line]:
    """The longest key hints that fit on one line; the shortest wrapped if none does."""
    chosen = next((k for k in keys if columns(k) <= width), None)
    return [Line(k, "reverse") for k in (_wrap(keys[-1], width) if chosen is None else [chosen])]


def _cut(lines: list[str], keep: int, width: int, ascii: bool) -> list[str]:
    """The first keep lines, the last one ending in an ellipsis if anything was cut."""
    if keep >= len(lines):
        return lines
    if keep <= 0:
        return []
    return [*lines[:keep - 1], _shorten(lines[keep - 1], width, ascii)]


def _shorten(text: str, width: int, ascii: bool) -> str:
    """text cut to end in an ellipsis within width columns."""
    mark = "..." if ascii else "…"
    return text[: _fit(text, max(0, width - len(mark)))].rstrip() + mark


@dataclass(frozen=True)
class _Shape:
    """How much of a view to draw: one step of the reductions."""

    tips: bool = True
    header: bool = True
    next: bool = True
    full_instruction: bool = True
    cautions: bool = True
    instruction_lines: int | None = None  # None: all of them
    now_lines: int | None = None


def _shapes(instruction_lines: int, now_lines: int) -> Iterator[_Shape]:
    yield _Shape()
    yield _Shape(tips=False)
    yield _Shape(tips=False, header=False)
    yield _Shape(tips=False, header=False, next=False)
    yield _Shape(tips=False, header=False, next=False, full_instruction=False)
    base = _Shape(tips=False, header=False, next=False, full_instruction=False, cautions=False)
    yield base
    for k in range(instruction_lines - 1, -1, -1):
        yield replace(base, instruction_lines=k)
    for k in range(now_lines - 1, 0, -1):
        yield replace(base, instruction_lines=0, now_lines=k)


def _big_block(view: View, width: int, scale: int, ascii: bool, places: int) -> list[Line] | None:
    """The countdown in block letters at scale with the first `places` block words stacked
    beside it, never taller than the digits; the rest in words. None if that does not fit."""
    room = view.big_room or view.big
    if bigtext.width(room, scale) > width or not bigtext.drawable(view.big):
        return None
    pad = bigtext.width(room, scale)
    digits = bigtext.render(view.big, scale, ascii=ascii)
    beside: list[str] = []
    if places:
        if len(view.word_rooms) < places:
            return None
        room_width = width - pad - GAP * scale

        def largest(rooms: list[str]) -> int | None:
            """The largest scale for words this wide stacked (a gap of the scale between them)
            beside the digits, and no taller than they are."""
            return next((t for t in range(scale, 0, -1)
                         if places * bigtext.ROWS * t + (places - 1) * t <= bigtext.ROWS * scale + 1
                         and all(bigtext.width(r, t) <= room_width for r in rooms)), None)

        full = largest([r[0] for r in view.word_rooms[:places]])
        short = largest([r[-1] for r in view.word_rooms[:places]])
        if short is None:
            return None
        # The words in full (GET READY, BREATHE IN) unless that would halve their size.
        whole = full is not None and 2 * full >= short
        t = full if whole and full is not None else short
        for alts in view.words[:places]:
            word = alts[0] if whole else alts[-1]
            if not bigtext.drawable(word):
                return None
            beside += [""] * t * bool(beside) + bigtext.render(word, t, ascii=ascii)
    said = [Line(t, "bold") for t in _said(view.words[places:], view.rep, width, ascii)]
    rows = [Line(((digits[i] if i < len(digits) else "").rjust(pad)  # ones stay in place
                  + (" " * GAP * scale + beside[i] if i < len(beside) else "")).rstrip(), "bold")
            for i in range(max(len(digits), len(beside)))]
    return said + rows if not places else rows + said  # in words above, or under the words


def _said(words: tuple[tuple[str, ...], ...], rep: str, width: int, ascii: bool) -> list[str]:
    """The block words not drawn big, and the repetition, in words on one line ("GET READY ·
    LEFT · 1 of 3"): in full, else the words' short forms, else cut with an ellipsis."""
    if not words and not rep:
        return []
    lines = []
    for pick in (0, -1):
        text = " · ".join([alts[pick] for alts in words] + ([rep] if rep else []))
        lines.append(to_ascii(text) if ascii else text)
        if columns(lines[-1]) <= width:
            return lines[-1:]
    return [_shorten(lines[-1], width, ascii)]


def _plain_block(view: View, ascii: bool = False, width: int | None = None) -> list[Line]:
    out = [Line(t, "bold") for t in _said(view.words, view.rep, width or 10**6, ascii)]
    out.append(Line(f"  {view.big}  ", "bold reverse"))  # a block of reverse video: seen from afar
    return out


PICTURE = "picture"  # the style of a line the picture of the position is drawn on
MIN_PICTURE = 4  # rows: a picture smaller than this is not drawn at all
PICTURE_SHAPES = 4  # the shapes a picture may take rows from: the tips, header and next go
MIN_BESIDE = 16  # columns right of the countdown for the picture to go there


def fit(view: View, width: int, height: int, *, ascii: bool = False,
        picture: int = 0, hold: bool = False) -> list[Line]:
    """The view as at most height lines of at most width columns, the keys on the last.

    picture: rows wished for the picture of the position (0: none). While getting ready it
    goes under what to do now, on lines styled PICTURE. During a hold (hold=True) it goes
    beside the countdown where the columns right of it leave MIN_BESIDE (on the countdown's
    lines, from column Line.beside), else above it. It never costs the countdown its size,
    the keys their line, nor the instruction and cautions a line: it takes what the text
    leaves, shrinking to MIN_PICTURE rows, the tips, header and what comes next giving way
    before it goes."""
    if ascii:
        view = _ascii_view(view)
    width, height = max(1, width), max(1, height)
    key_lines = _key_lines(view.keys, width)
    scales = [s for s in range(int(height * BIG_SHARE) // bigtext.ROWS, 0, -1)]
    # Every block word beside the countdown, then the first alone (GET READY or HOLD), then
    # none: each is worth a smaller countdown.
    places = sorted({len(view.word_rooms), min(1, len(view.word_rooms)), 0}, reverse=True)
    # Each block with the column right of the widest a hold of the routine draws at its size
    # (its widest countdown and words): the picture beside it stays put from hold to hold.
    # Made as needed, largest first: most frames take the first.
    beside = hold and picture >= MIN_PICTURE

    def blocks() -> Iterator[tuple[list[Line], int]]:
        for k in places:
            for s in scales:
                block = _big_block(view, width, s, ascii, k)
                if block is not None:
                    right = max((columns(line.text) for line in block), default=0)
                    if beside:
                        right = max(right, _widest_hold(view.big_room or view.big, view.hold_rooms
                                                        or view.word_rooms, view.word_rooms,
                                                        width, s, ascii, k))
                    yield block, right
        yield _plain_block(view, ascii, width), width

    now_all = _wrap(view.now, width)
    instr_full = _wrap(view.instruction, width) if view.instruction else []
    instr_first = _wrap(first_sentence(view.instruction), width) if view.instruction else []

    def body_of(block: list[Line], shape: _Shape) -> tuple[list[Line], int]:
        """The lines of a shape, and where the picture would go among them."""
        body: list[Line] = []
        if shape.header and view.header:
            body += [Line(t) for t in _cut(_wrap(view.header, width), 1, width, ascii)]
        above = len(body)
        body += block
        body += [Line(t, "bold") for extra in view.extra for t in _cut(_wrap(extra, width), 1, width, ascii)]
        now = now_all if shape.now_lines is None else _cut(now_all, shape.now_lines, width, ascii)
        body += [Line(t, "bold") for t in now]
        at = above if hold else len(body)
        instr = instr_full if shape.full_instruction else instr_first
        if shape.instruction_lines is not None:
            instr = _cut(instr, shape.instruction_lines, width, ascii)
        body += [Line(t) for t in instr]
        if shape.cautions:
            for c in view.cautions:
                body += [Line(t, "bold") for t in _wrap(c, width, "! ")]
        if shape.tips:
            for tip in view.tips:
                body += [Line(t) for t in _wrap(tip, width, "- ")]
        if shape.next and view.next:
            body += [Line(t) for t in _cut(_wrap(view.next, width), 1, width, ascii)]
        return body, at

    def done(body: list[Line]) -> list[Line]:
        return body + [Line("")] * (height - len(body) - len(key_lines)) + key_lines

    for block, right in blocks():
        bodies = [body_of(block, shape) for shape in _shapes(len(instr_first), len(now_all))]
        if not any(len(body) + len(key_lines) <= height for body, _ in bodies):
            continue  # a smaller countdown, then
        if beside:
            left = right + GAP
            if width - left >= MIN_BESIDE and len(block) >= MIN_PICTURE:
                body, at = next((b, a) for b, a in bodies if len(b) + len(key_lines) <= height)
                return done([Line(line.text, line.style, left) if at <= i < at + len(block)
                             else line for i, line in enumerate(body)])
        if picture >= MIN_PICTURE:
            # The picture shrinks first: what is left under the whole text, else under it
            # without the tips, the header, then what comes next; never for the instruction
            # or the cautions.
            for body, at in bodies[:PICTURE_SHAPES]:
                room = height - len(body) - len(key_lines)
                if room >= MIN_PICTURE:
                    rows = min(room, picture)
                    return done(body[:at] + [Line("", PICTURE)] * rows + body[at:])
        return done(next(body for body, _ in bodies if len(body) + len(key_lines) <= height))
    # Smaller than anything sensible: the countdown first, then as much of the keys as fits.
    return (_plain_block(view)[-1:] + key_lines)[:height]


@functools.lru_cache(maxsize=64)  # the same for every frame of a walk at one size
def _widest_hold(big: str, words: tuple[tuple[str, str], ...], rooms: tuple[tuple[str, str], ...],
                 width: int, scale: int, ascii: bool, places: int) -> int:
    """The columns the widest hold of a routine (its widest countdown and hold words) takes at
    this scale: the picture beside the countdown starts right of it, from hold to hold."""
    block = _big_block(View(big=big, now="", keys=(), words=words, word_rooms=rooms), width, scale,
                       ascii, places)
    return max((columns(line.text) for line in block or ()), default=0)


def _ascii_view(view: View) -> View:
    changes: dict[str, object] = {}
    for f in fields(view):
        value = getattr(view, f.name)
        if isinstance(value, str):
            changes[f.name] = to_ascii(value)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(tuple(map(to_ascii, v)) if isinstance(v, tuple) else to_ascii(v)
                                    for v in value)
    return replace(view, **changes)  # type: ignore[arg-type]


def banner(words: tuple[str, ...], width: int, rows: int, *, ascii: bool = False) -> list[Line]:
    """Words in block letters, one under another with a gap of the scale between, at the largest scale
    that fits width and rows; the first word alone if they do not all fit; [] if none does."""
    words = tuple(w for w in words if w and bigtext.drawable(w))
    for some in (words, words[:1]):
        for t in range(max(0, rows) // bigtext.ROWS, 0, -1):
            height = len(some) * (bigtext.ROWS * t + t) - t
            if some and height <= rows and all(bigtext.width(w, t) <= width for w in some):
                out: list[Line] = []
                for w in some:
                    out += [Line("")] * t * bool(out) + [
                        Line(row.rstrip(), "bold") for row in bigtext.render(w, t, ascii=ascii)]
                return out
    return []


def text_lines(paragraphs: list[tuple[str, str]], keys: tuple[str, ...], width: int,
               height: int, *, ascii: bool = False, big: tuple[str, ...] = ()) -> list[Line]:
    """A screen of paragraphs ((text, style), first most important) with the keys at the
    bottom: paragraphs that do not fit are dropped from the end, the keys never. `big`: words
    drawn in block letters above them (DONE), where they leave room for the first paragraph."""
    conv = to_ascii if ascii else (lambda t: t)
    key_lines = _key_lines(tuple(conv(k) for k in keys), width)
    first = len(_wrap(conv(paragraphs[0][0]), width)) if paragraphs and paragraphs[0][0] else 0
    rows = min(int(height * BANNER_SHARE), height - len(key_lines) - first - 1)
    body: list[Line] = banner(big, width, rows, ascii=ascii)
    if body:
        body.append(Line(""))
    for text, style in paragraphs:
        wrapped = [Line(t, style) for t in (_wrap(conv(text), width) if text else [""])]
        room = height - len(key_lines) - len(body)
        if room <= 0:
            break
        body += wrapped[:room] if len(wrapped) <= room else [
            Line(t, style) for t in _cut([w.text for w in wrapped], room, width, ascii)]
    return body + [Line("")] * max(0, height - len(body) - len(key_lines)) + key_lines
