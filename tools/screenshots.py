"""Screenshots of the walkthrough's pictures in a real terminal, for the README and for looking
at every position on a light and a dark background: xterm on Xvfb, with sixel (-ti vt340) and
without (coloured half blocks), each hold of each routine.

    python tools/screenshots.py docs/walkthrough     # needs Xvfb, xterm, xdotool, Pillow

Writes ROUTINE-STEP-BACKGROUND-KIND.png, and contact-BACKGROUND.png with all of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROUTINES = {"hips-lower-back": 10, "si-joints": 4, "shotgun": 4}  # holds to go through
DISPLAY = ":93"
SIZE = "120x40"
STRETCHD = str(Path(sys.executable).parent / "stretchd")  # this checkout's, beside its python


def grab(window: str, path: Path) -> None:
    subprocess.run(["import", "-window", window, str(path)], env={"DISPLAY": DISPLAY}, check=True)


def key(window: str, name: str) -> None:
    subprocess.run(["xdotool", "windowfocus", "--sync", window, "key", name],
                   env={"DISPLAY": DISPLAY}, check=True, stderr=subprocess.DEVNULL)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)
    shots: dict[str, list[Path]] = {"white": [], "black": []}
    try:
        time.sleep(1)
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "DISPLAY": DISPLAY, "HOME": home, "XDG_CONFIG_HOME": f"{home}/c",
                   "XDG_STATE_HOME": f"{home}/s", "LANG": "C.UTF-8"}
            env.pop("COLORTERM", None)
            for background, foreground in (("white", "black"), ("black", "white")):
                for kind, extra in (("sixel", ["-ti", "vt340"]), ("blocks", [])):
                    for routine, holds in ROUTINES.items():
                        if kind == "blocks" and routine != "hips-lower-back":
                            continue
                        term = subprocess.Popen(
                            ["xterm", *extra, "-geometry", f"{SIZE}+0+0", "-bg", background,
                             "-fg", foreground, "-e", STRETCHD, "walk", routine], env=env)
                        time.sleep(2.0)
                        window = subprocess.run(["xdotool", "search", "--pid", str(term.pid)],
                                                env={"DISPLAY": DISPLAY}, capture_output=True,
                                                text=True, check=True).stdout.split()[0]
                        key(window, "Return")
                        for step in range(1, holds + 1):
                            time.sleep(1.5)  # the get-ready: the figure moves
                            key(window, "n")
                            time.sleep(1.0)  # the hold: still
                            path = out / f"{routine}-{step:02}-{background}-{kind}.png"
                            grab(window, path)
                            shots[background].append(path)
                            key(window, "n")
                        term.kill()
                        term.wait()
    finally:
        xvfb.kill()
    for background, paths in shots.items():
        images = [Image.open(p).resize((400, 350)) for p in paths]
        sheet = Image.new("RGB", (400 * 4, 350 * ((len(images) + 3) // 4)), "grey")
        for i, im in enumerate(images):
            sheet.paste(im, ((i % 4) * 400, (i // 4) * 350))
        sheet.save(out / f"contact-{background}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/walkthrough"))
