"""Make text from user files safe to print on a terminal or in a notification."""

from __future__ import annotations

import functools
import re
import unicodedata

# CSI, OSC, DCS/PM/APC strings and lone two-byte escapes; then any C0/C1 control left over.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]              # CSI ... final byte
    | \x1b[\]PX^_].*?(?:\x07|\x1b\\|$)   # OSC/DCS/SOS/PM/APC up to BEL or ST
    | \x1b[@-Z\\-_]                      # other two-byte escapes
    | \x9b[0-?]*[ -/]*[@-~]              # 8-bit CSI
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 and C1 controls, plus the Unicode line/paragraph separators and bidi overrides that
# would break a one-line message or reorder what the user reads.
_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean(text: str, *, keep_newlines: bool = True) -> str:
    """Strip escape sequences and control characters; tabs become spaces."""
    text = _ESCAPES.sub("", text).replace("\t", " ").replace("\r\n", "\n")
    if not keep_newlines:
        text = text.replace("\n", " ")
    return _CONTROLS.sub("", text)


def one_line(text: str, limit: int = 80) -> str:
    """Text from a user file to quote in a one-line message: cleaned, and cut in the middle if long."""
    text = clean(text, keep_newlines=False)
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def escape_markup(text: str) -> str:
    """Escape the few characters that notification body markup interprets."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def tolerant_output() -> None:
    """Standard output and error replace what their encoding cannot hold (a Latin-1 locale
    and a Russian or Japanese text) rather than raise: a translated line is never a traceback."""
    import codecs
    import sys

    codecs.register_error("stretchd.replace", _replaced)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="stretchd.replace")


def _replaced(error: UnicodeError) -> tuple[str, int]:
    """What an encoding cannot hold: a space for a space (CLDR's narrow no-break space in
    "8:05 PM", French "12 345"), "?" for anything else."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start:error.end]
    return "".join(" " if unicodedata.category(c) == "Zs" else "?" for c in text), error.end


def columns(text: str) -> int:
    """The terminal columns text takes: two for a wide character (Chinese, Japanese)."""
    return len(text) + sum(1 for c in text if c > "\u10ff" and unicodedata.east_asian_width(c) in "WF")


def ljust(text: str, width: int) -> str:
    """text padded with spaces to `width` terminal columns (str.ljust counts characters)."""
    return text + " " * max(0, width - columns(text))


@functools.cache
def _wide_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compiled when first wrapped (some 10 ms, which `stretchd --version` need not pay)."""
    # A line break between two wide characters (Chinese, Japanese), which join with no space.
    wide_break = re.compile(r"(?<=[\u1100-\uffff])[ \t]*\n\s*(?=[\u1100-\uffff])")
    # A piece a line may end after: a word with the spaces after it, or a single wide
    # character with any closing punctuation that must not begin a line (、。」 …).
    piece = re.compile(r"[^\s\u1100-\uffff]+\s*|[\u1100-\uffff][、。，．！？：；」』）〉》】ー・…]*\s*|\s+")
    return wide_break, piece


def wrap(text: str, width: int, prefix: str = "") -> list[str]:
    """text in lines of at most `width` terminal columns, the first after `prefix`."""
    width = max(1, width)
    if text.isascii() or columns(text) == len(text):
        import textwrap

        return textwrap.wrap(text, width=width, initial_indent=prefix,
                             subsequent_indent=" " * len(prefix), break_on_hyphens=False) or [""]
    # Text with wide characters: filled by columns, and broken between any two of them (its
    # spaces and line breaks made single spaces first, as textwrap does; a line break between
    # two wide characters is nothing: Chinese and Japanese put no space between words).
    wide_break, piece_of = _wide_patterns()
    text = " ".join(wide_break.sub("", text).split())
    indent = " " * len(prefix)
    lines: list[str] = []
    line, filled = prefix, False
    for piece in piece_of.findall(text.strip()):
        word, space = piece.rstrip(), piece[len(piece.rstrip()):]
        if filled and columns(line + word) > width:
            lines.append(line.rstrip())
            line, filled = indent, False
        while columns(line + word) > width:  # longer than a whole line: cut by columns
            room = max(1, fit(word, width - columns(line)))
            lines.append(line + word[:room])
            line, word = indent, word[room:]
        if word:
            line, filled = line + word + space, True
    if filled:
        lines.append(line.rstrip())
    return lines or [""]


def fit(text: str, room: int) -> int:
    """How many of text's characters fit in room columns."""
    used = 0
    for i, c in enumerate(text):
        used += columns(c)
        if used > room:
            return i
    return len(text)
