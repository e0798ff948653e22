"""The walkthrough's screen fitted to any terminal: the countdown and the keys are never cut."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stretchd.routines import load_all
from stretchd.screen import View, first_sentence, fit, to_ascii, wants_ascii
from stretchd.session import Timer, plan
from stretchd.walkthrough import Rooms, view

BLOCK = "█"


def views() -> list[View]:
    """Every item of every built-in routine half a second in, and one paused."""
    out = []
    for routine in load_all(None)[0].values():
        items = plan(routine)
        for index in range(len(items)):
            at = sum(i.seconds for i in items[:index]) + 0.5
            moments = iter([0.0, at, at, at, at, at, at])
            timer = Timer(items, moments.__next__)
            timer.start()
            timer.update()
            out.append(view(routine, timer, Rooms(items)))
        timer.toggle_pause()
        out.append(view(routine, timer, Rooms(items)))
    return out


VIEWS = views()


def check(v: View, width: int, height: int, ascii: bool = False) -> list[str]:
    lines = [line.text for line in fit(v, width, height, ascii=ascii)]
    assert len(lines) <= height and all(len(t) <= width for t in lines), (width, height, lines)
    keys = [to_ascii(k) if ascii else k for k in v.keys]
    assert lines[-1] in keys or " ".join(lines[-2:]) in keys, lines  # the keys, at the bottom
    block = sum(1 for t in lines if ("#" if ascii else BLOCK) in t)
    assert block >= 5 or v.big in [t.strip() for t in lines], lines  # the countdown, whole
    return lines


@pytest.mark.parametrize(("width", "height"), [(30, 8), (40, 10), (80, 24), (120, 40)])
def test_the_countdown_and_the_keys_are_never_cut(width: int, height: int) -> None:
    for v in VIEWS:
        check(v, width, height)
        if v.paused:
            assert "PAUSED" in [line.text for line in fit(v, width, height)]


def test_at_80x24_the_countdown_is_block_digits_5_rows_tall_with_the_side_beside() -> None:
    v = next(v for v in VIEWS if v.label == "LEFT 1/3")
    lines = check(v, 80, 24)
    rows = [t for t in lines if BLOCK in t]
    assert len(rows) >= 5
    assert all(len(t) > 40 for t in rows[:5])  # "LEFT 1/3" drawn beside the digits


def test_at_40x10_the_countdown_is_plain_digits_on_their_own_line() -> None:
    v = next(v for v in VIEWS if v.label == "LEFT 1/3")
    lines = check(v, 40, 10)
    assert not any(BLOCK in t for t in lines)
    assert v.big in [t.strip() for t in lines] and "LEFT · 1 of 3" in lines


def test_tips_go_first_then_the_instruction_shortens_to_its_first_sentence() -> None:
    v = next(v for v in VIEWS if v.label == "LEFT 1/3" and v.tips)
    full = " ".join(t.text for t in fit(v, 120, 60))
    assert all(tip in full for tip in v.tips)
    some = " ".join(t.text for t in fit(v, 80, 18))
    assert not any(tip in some for tip in v.tips) and first_sentence(v.instruction) in some
    small = " ".join(t.text for t in fit(v, 30, 8))
    assert v.instruction.split()[0] in small and v.instruction not in small


@given(st.integers(30, 220), st.integers(8, 70), st.sampled_from(VIEWS), st.booleans())
def test_any_size_keeps_the_countdown_and_the_keys(width: int, height: int, v: View,
                                                   ascii: bool) -> None:
    lines = check(v, width, height, ascii)
    if ascii:
        assert all(t.isascii() for t in lines)


@pytest.mark.parametrize(("env", "ascii"), [
    ({"LANG": "C"}, True),
    ({}, True),
    ({"LANG": "en_US.UTF-8"}, False),
    ({"LANG": "de_DE.utf8"}, False),
    ({"LANG": "de_DE.ISO-8859-1"}, True),
    ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, True),  # Python's own coercion of LANG=C
    ({"LANG": "en_US.UTF-8", "LC_CTYPE": "C.UTF-8"}, False),
    ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, True),
    ({"LANG": "en_US.UTF-8", "TERM": "vt100"}, True),
])
def test_plain_ascii_where_the_locale_is_not_utf8(env: dict[str, str], ascii: bool) -> None:
    assert wants_ascii(env) is ascii
