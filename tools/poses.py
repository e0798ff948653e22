"""Draw stretchd's pictures of the routines' positions: one SVG per position, from a stick
figure whose joints are placed by hand for each pose (seen from the side, head to the left,
lying or kneeling on a floor line). The working limbs are drawn in the accent colour, and a
step done on one side carries its letter (L or R), drawn in strokes, beside the working knee.

Every segment has an id (head, torso, arm-near-upper, ...): the walkthrough moves the figure
from one position to the next by moving each segment between the two files.

    python tools/poses.py        # writes stretchd/routines/pictures/*.svg

The drawings are stretchd's own, under the project's licence.
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "stretchd" / "routines" / "pictures"
WIDTH, HEIGHT = 200, 120  # the drawing's coordinates
TOP, SHOWN = 30, 84  # the part shown: y from 30 to 114, the figure and the floor
FLOOR = 105
BELT = "#b08a2e"  # the belt: a third colour, neither body nor accent
BODY = "#4682c8"  # a mid blue: seen on a light and on a dark background alike, and still
# blue (not white) where a terminal has only 16 colours
ACCENT = "#f07818"  # the working limbs: orange, also apart from the body in grey scale
FLOOR_COLOUR = "#8a8a8a"

Point = tuple[float, float]

# The figure lying on its back, head to the left: every pose starts from these joints.
FLAT: dict[str, Point] = {
    "head": (27, 93), "neck": (39, 97), "hip": (100, 98),
    "elbow-near": (64, 99), "hand-near": (86, 99), "elbow-far": (62, 98), "hand-far": (84, 98),
    "knee-near": (136, 99), "ankle-near": (170, 99), "toe-near": (177, 89),
    "knee-far": (134, 98), "ankle-far": (168, 98), "toe-far": (175, 88),
}
BENT_KNEE = {"knee": (84, 60), "ankle": (113, 62), "toe": (121, 54)}  # a knee held to the chest
HOLDING = {"elbow": (58, 80), "hand": (80, 62)}  # hands around that knee


def pose(**joints: Point) -> dict[str, Point]:
    return {**FLAT, **joints}


def leg(side: str, at: dict[str, Point], dx: float = 0, dy: float = 0) -> dict[str, Point]:
    return {f"{k}-{side}": (x + dx, y + dy) for k, (x, y) in at.items()}


def arms(at: dict[str, Point], dx: float = 2, dy: float = 2) -> dict[str, Point]:
    return {**leg("near", at), **leg("far", at, -dx, dy)}


# Each picture: its joints, the working limbs (accented), the side's letter, and extras.
POSES: dict[str, dict[str, object]] = {
    "lying-flat": {"joints": pose(), "accent": ()},
    "knee-to-chest-left": {"joints": pose(**leg("near", BENT_KNEE), **arms(HOLDING)),
                           "accent": ("near-leg",), "side": "L"},
    "knee-to-chest-right": {"joints": pose(**leg("far", BENT_KNEE, 2, 2), **arms(HOLDING)),
                            "accent": ("far-leg",), "side": "R"},
    "both-knees-to-chest": {"joints": pose(**leg("near", BENT_KNEE), **leg("far", BENT_KNEE, 3, 2),
                                           **arms(HOLDING)),
                            "accent": ("near-leg", "far-leg")},
    # Hands behind the thigh, the foot flexed (toes pointing away), the knee pushing against
    # the hands: an arrow at the knee.
    "si-joint-left": {"joints": pose(**leg("near", {"knee": (88, 58), "ankle": (119, 57),
                                                    "toe": (127, 64)}),
                                     **arms({"elbow": (62, 82), "hand": (92, 72)})),
                      "accent": ("near-leg",), "side": "L", "arrow": ((96, 48), (90, 57))},
    "si-joint-right": {"joints": pose(**leg("far", {"knee": (90, 60), "ankle": (121, 59),
                                                    "toe": (129, 66)}),
                                      **arms({"elbow": (62, 82), "hand": (93, 74)})),
                       "accent": ("far-leg",), "side": "R", "arrow": ((98, 50), (92, 59))},
    # Kneeling, sat back on the heels, forehead to the floor, arms stretched forward.
    "childs-pose": {"joints": {
        "head": (66, 95), "neck": (80, 88), "hip": (146, 70),
        "elbow-near": (54, 100), "hand-near": (26, 101), "elbow-far": (56, 99), "hand-far": (28, 100),
        "knee-near": (116, 100), "ankle-near": (152, 101), "toe-near": (164, 101),
        "knee-far": (118, 99), "ankle-far": (154, 100), "toe-far": (166, 100)},
        "accent": ("torso",)},
    # On the back, knees bent and feet flat, a belt just above the knees; the knees push out
    # against it (arrows away from the belt).
    "shotgun": {"joints": pose(**leg("near", {"knee": (128, 64), "ankle": (150, 99), "toe": (164, 101)}),
                               **leg("far", {"knee": (126, 66), "ankle": (148, 98), "toe": (162, 100)})),
                "accent": ("near-leg", "far-leg"), "belt": ((112, 64), (126, 80)),
                "arrows": (((128, 54), (128, 42)), ((134, 70), (146, 70)))},
}

SEGMENTS = (  # id, from joint, to joint, width
    ("arm-far-upper", "neck", "elbow-far", 6), ("arm-far-lower", "elbow-far", "hand-far", 5),
    ("leg-far-upper", "hip", "knee-far", 8), ("leg-far-lower", "knee-far", "ankle-far", 7),
    ("foot-far", "ankle-far", "toe-far", 5),
    ("torso", "neck", "hip", 11),
    ("leg-near-upper", "hip", "knee-near", 8), ("leg-near-lower", "knee-near", "ankle-near", 7),
    ("foot-near", "ankle-near", "toe-near", 5),
    ("arm-near-upper", "neck", "elbow-near", 6), ("arm-near-lower", "elbow-near", "hand-near", 5),
)
LETTERS = {"L": ((0, 0), (0, 14), (9, 14)), "R": ((0, 14), (0, 0), (7, 0), (9, 3), (7, 7), (0, 7), (9, 14))}


def colour(segment: str, accent: tuple[str, ...]) -> str:
    group = "torso" if segment == "torso" else "-".join(segment.split("-")[:2])  # leg-near
    named = {"near-leg": "leg-near", "far-leg": "leg-far", "torso": "torso"}
    if any(named[a] == group or (a == "near-leg" and segment == "foot-near")
           or (a == "far-leg" and segment == "foot-far") for a in accent):
        return ACCENT
    return BODY


def arrow(start: Point, end: Point) -> str:
    (x1, y1), (x2, y2) = start, end
    dx, dy = x2 - x1, y2 - y1
    length = (dx * dx + dy * dy) ** 0.5
    ux, uy = dx / length, dy / length
    left = (x2 - 6 * ux + 4 * uy, y2 - 6 * uy - 4 * ux)
    right = (x2 - 6 * ux - 4 * uy, y2 - 6 * uy + 4 * ux)
    return (f'<polyline class="mark" points="{x1:g},{y1:g} {x2:g},{y2:g}" stroke="{ACCENT}" '
            f'stroke-width="3" fill="none" stroke-linecap="round"/>'
            f'<polygon class="mark" points="{x2:g},{y2:g} {left[0]:.1f},{left[1]:.1f} '
            f'{right[0]:.1f},{right[1]:.1f}" fill="{ACCENT}"/>')


def svg(name: str, spec: dict[str, object]) -> str:
    joints = spec["joints"]
    assert isinstance(joints, dict)
    accent = spec.get("accent", ())
    assert isinstance(accent, tuple)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 {TOP} {WIDTH} {SHOWN}" '
             f'width="{WIDTH * 4}" height="{SHOWN * 4}">',
             f"<title>stretchd: {name.replace('-', ' ')}</title>",
             f'<line id="floor" x1="4" y1="{FLOOR + 4}" x2="{WIDTH - 4}" y2="{FLOOR + 4}" '
             f'stroke="{FLOOR_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>']
    for ident, a, b, width in SEGMENTS:
        (x1, y1), (x2, y2) = joints[a], joints[b]
        parts.append(f'<line id="{ident}" x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" '
                     f'stroke="{colour(ident, accent)}" stroke-width="{width}" stroke-linecap="round"/>')
    hx, hy = joints["head"]
    parts.append(f'<circle id="head" cx="{hx:g}" cy="{hy:g}" r="9" fill="{BODY}"/>')
    if "belt" in spec:
        (x1, y1), (x2, y2) = spec["belt"]  # type: ignore[misc]
        parts.append(f'<line class="mark" id="belt" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
                     f'stroke="{BELT}" stroke-width="7" stroke-linecap="round"/>')
    for start, end in ([spec["arrow"]] if "arrow" in spec else []) + list(spec.get("arrows", ())):  # type: ignore[arg-type]
        parts.append(arrow(start, end))
    if "side" in spec:
        letter = LETTERS[str(spec["side"])]
        kx, ky = min((joints[k] for k in ("knee-near", "knee-far")), key=lambda p: p[1])
        points = " ".join(f"{kx + 22 + x:g},{ky - 26 + y:g}" for x, y in letter)
        parts.append(f'<polyline class="mark" id="side-{spec["side"]}" points="{points}" '
                     f'stroke="{ACCENT}" stroke-width="3" fill="none" stroke-linecap="round" '
                     'stroke-linejoin="round"/>')
    parts.append("</svg>\n")
    return "\n".join(parts)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, spec in POSES.items():
        (OUT / f"{name}.svg").write_text(svg(name, spec))
        print(OUT / f"{name}.svg")


if __name__ == "__main__":
    main()
