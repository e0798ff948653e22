"""A routine step's picture file, checked before it is used: a PNG or SVG of sensible size. A
bad picture is said (`PATH: KEY: what is wrong`) and left out; the routine loads without it.
Only the file's head is read here: no image library in the CLI or the daemon."""

from __future__ import annotations

import re
import struct
from pathlib import Path

MAX_BYTES = 1024 * 1024
MAX_SIDE = 4096  # pixels on a side, for a PNG; for an SVG's width, height and viewBox
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_SVG_TAG = re.compile(rb"<svg\b([^>]*)>", re.IGNORECASE | re.DOTALL)
_NUMBER = r"\s*=\s*[\"']\s*([-+0-9.eE]+)"


def problem(path: Path) -> str | None:
    """What is wrong with a picture file, or None if it can be drawn."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            return "is not a file"
        if size > MAX_BYTES:
            return f"is {size // 1024} KiB; a picture is at most {MAX_BYTES // 1024} KiB"
        with path.open("rb") as f:
            head = f.read(65536)
    except FileNotFoundError:
        return "not found"
    except OSError as e:
        return f"cannot be read: {e.strerror or e}"
    suffix = path.suffix.lower()
    if head.startswith(PNG_MAGIC):
        if suffix != ".png":
            return f"is a PNG image named {suffix or 'with no suffix'}: name it .png"
        if len(head) < 24 or head[12:16] != b"IHDR":
            return "is not a whole PNG image"
        width, height = struct.unpack(">II", head[16:24])
        return _dimensions(float(width), float(height), "pixels")
    tag = _SVG_TAG.search(head)
    if tag is None or suffix != ".svg":
        return "is not a PNG or SVG image"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # not a character cut at the end of what was read
            return "is an SVG file not in UTF-8"
    attributes = tag[1].decode("utf-8", "replace")
    found = []
    for name in ("width", "height"):
        m = re.search(rf"\b{name}\s*=\s*[\"']\s*([-+0-9.eE]+)\s*([a-z%]*)\s*[\"']", attributes)
        if m:
            if m[2] not in ("", "px"):
                return f"gives its {name} in {m[2]}; give it in pixels, or give a viewBox alone"
            found.append(_float(m[1]))
    box = re.search(r"\bviewBox\s*=\s*[\"']\s*([-+0-9.eE]+)[\s,]+([-+0-9.eE]+)[\s,]+([-+0-9.eE]+)"
                    r"[\s,]+([-+0-9.eE]+)", attributes)
    if box:
        found += [_float(box[3]), _float(box[4])]
    for i in range(0, len(found) - 1, 2):
        said = _dimensions(found[i], found[i + 1], "units")
        if said:
            return said
    return None


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return -1.0


def _dimensions(width: float, height: float, unit: str) -> str | None:
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        return (f"is {width:g} x {height:g} {unit}; a picture is from 1 to {MAX_SIDE} on a side")
    return None
