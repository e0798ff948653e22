"""A routine step's picture file, checked before it is used: a PNG or SVG of sensible size. A
bad picture is said (`PATH: KEY: what is wrong`) and left out; the routine loads without it.
Only the file's head is read here: no image library in the CLI or the daemon."""

from __future__ import annotations

import re
import struct
from pathlib import Path

from stretchd.i18n import _

MAX_BYTES = 1024 * 1024
MAX_SIDE = 4096  # pixels on a side, for a PNG; for an SVG's width, height and viewBox
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_SVG_TAG = re.compile(rb"<svg\b([^>]*)>", re.IGNORECASE | re.DOTALL)
_NUMBER = r"\s*=\s*[\"']\s*([-+0-9.eE]+)"


def problem(path: Path) -> str | None:
    """What is wrong with a picture file, or None if it can be drawn: said after the file's
    name ("'knee.svg' not found"), in the person's language."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            # TRANSLATORS: said of a routine's picture file, after its name: "'knee.svg' is not a file"
            return _("is not a file")
        if size > MAX_BYTES:
            # TRANSLATORS: said of a routine's picture file, after its name; KiB: kibibytes
            return _("is {size} KiB; a picture is at most {most} KiB").format(
                size=size // 1024, most=MAX_BYTES // 1024)
        with path.open("rb") as f:
            head = f.read(65536)
    except FileNotFoundError:
        # TRANSLATORS: said of a routine's picture file, after its name: "'knee.svg' not found"
        return _("not found")
    except OSError as e:
        # TRANSLATORS: said of a routine's picture file, after its name; {error}: the system's reason
        return _("cannot be read: {error}").format(error=e.strerror or e)
    suffix = path.suffix.lower()
    if head.startswith(PNG_MAGIC):
        if suffix != ".png":
            if not suffix:
                # TRANSLATORS: said of a routine's picture file, after its name; .png is a file suffix
                return _("is a PNG image named with no suffix: name it .png")
            # TRANSLATORS: said of a routine's picture file, after its name; {suffix}: its file
            # suffix, e.g. .jpg
            return _("is a PNG image named {suffix}: name it .png").format(suffix=suffix)
        if len(head) < 24 or head[12:16] != b"IHDR":
            # TRANSLATORS: said of a routine's picture file, after its name (a PNG cut short)
            return _("is not a whole PNG image")
        width, height = struct.unpack(">II", head[16:24])
        return _dimensions(float(width), float(height), "pixels")
    tag = _SVG_TAG.search(head)
    if tag is None or suffix != ".svg":
        # TRANSLATORS: said of a routine's picture file, after its name
        return _("is not a PNG or SVG image")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # not a character cut at the end of what was read
            # TRANSLATORS: said of a routine's picture file, after its name
            return _("is an SVG file not in UTF-8")
    attributes = tag[1].decode("utf-8", "replace")
    found = []
    for name in ("width", "height"):
        m = re.search(rf"\b{name}\s*=\s*[\"']\s*([-+0-9.eE]+)\s*([a-z%]*)\s*[\"']", attributes)
        if m:
            if m[2] not in ("", "px"):
                # TRANSLATORS: said of a routine's SVG picture file, after its name; {unit}: an
                # SVG unit as written (mm, cm, %); viewBox is an SVG attribute, kept as is
                what = (_("gives its width in {unit}; give it in pixels, or give a viewBox alone")
                        if name == "width" else
                        # TRANSLATORS: as the one above, for the SVG's height
                        _("gives its height in {unit}; give it in pixels, or give a viewBox alone"))
                return what.format(unit=m[2])
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
    """What is wrong with a picture's size, in "pixels" (a PNG's) or "units" (an SVG's)."""
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        # TRANSLATORS: said of a routine's picture file, after its name; {most}: a number of pixels
        what = (_("is {width} x {height} pixels; a picture is from 1 to {most} on a side")
                if unit == "pixels" else
                # TRANSLATORS: said of a routine's SVG picture file, after its name; units: the
                # SVG's own units of length; {most}: a number of them
                _("is {width} x {height} units; a picture is from 1 to {most} on a side"))
        return what.format(width=f"{width:g}", height=f"{height:g}", most=MAX_SIDE)
    return None
