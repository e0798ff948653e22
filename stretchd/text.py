"""Make text from user files safe to print on a terminal or in a notification."""

from __future__ import annotations

import re

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
    import sys

    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
