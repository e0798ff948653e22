"""The walkthrough's screen fitted to any terminal: the countdown and the keys are never cut."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.screens import big_rows, shows_big
from stretchd import i18n
from stretchd.routines import load_all
from stretchd.routines.plan import Timer, plan
from stretchd.walkthrough import Rooms, view
from stretchd.walkthrough.screen import View, columns, first_sentence, fit, text_lines, to_ascii, wants_ascii

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
    assert len(lines) <= height and all(columns(t) <= width for t in lines), (width, height, lines)
    keys = [to_ascii(k) if ascii else k for k in v.keys]
    assert lines[-1] in keys or " ".join(lines[-2:]) in keys, lines  # the keys, at the bottom
    block = sum(1 for t in lines if ("#" if ascii else BLOCK) in t)
    assert block >= 5 or v.big in [t.strip() for t in lines], lines  # the countdown, whole
    return lines


def paused(v: View) -> bool:
    return v.words[:1] == (("PAUSED",),)


def find(phase: str, side: str = "", rep: str = "", routine: str = "") -> View:
    return next(v for v in VIEWS if v.words and v.words[0][0] == phase
                and (not side or v.words[1:] == ((side,),)) and v.rep == rep
                and routine in v.header)


@pytest.mark.parametrize(("width", "height"), [(30, 8), (40, 10), (80, 24), (120, 40)])
def test_the_countdown_and_the_keys_are_never_cut(width: int, height: int) -> None:
    for v in VIEWS:
        lines = check(v, width, height)
        if paused(v):
            assert "PAUSED" in " ".join(lines) or shows_big(lines, "PAUSED"), lines


@functools.cache
def views_in(language: str) -> list[View]:
    i18n.use(language)
    try:
        return views()
    finally:
        i18n.use("auto")


@pytest.mark.parametrize("language", i18n.SHIPPED)
@pytest.mark.parametrize(("width", "height"), [(30, 8), (40, 10), (80, 24), (120, 40)])
def test_in_every_language_the_countdown_and_the_keys_are_never_cut(language: str, width: int,
                                                                    height: int) -> None:
    """Long German and Polish words, Chinese and Japanese characters two columns wide: every
    line within the columns, the countdown whole and the keys at the bottom."""
    for v in views_in(language):
        check(v, width, height)


@pytest.mark.parametrize("language", [lang for lang in i18n.SHIPPED if lang not in ("ja", "zh_CN")])
def test_at_80x24_get_ready_and_hold_are_block_letters_in_every_alphabetic_language(language: str) -> None:
    """Told apart from the mat, as in English: a translation too wide for block letters
    beside the countdown at 80x24 fails here (Chinese and Japanese cues go in words)."""
    import importlib

    words = importlib.import_module("stretchd.walkthrough.view")
    seen = set()
    for v in views_in(language):
        lines = [line.text for line in fit(v, 80, 24)]
        for phase in ("get ready", "hold"):
            i18n.use(language)
            cue = words.get_ready() if phase == "get ready" else words.hold()
            i18n.use("auto")
            if v.words[:1] == (cue,):
                assert any(shows_big(lines, w) for w in cue), (language, phase, lines)
                seen.add(phase)
    assert seen == {"get ready", "hold"}


@pytest.mark.parametrize("width", [10, 17, 30, 80])
def test_wide_characters_wrap_by_columns_and_no_line_starts_with_a_full_stop(width: int) -> None:
    from stretchd.walkthrough.screen import _wrap

    text = "左膝を胸に引き寄せます。両手ですねを持ち、10秒キープしてください。Shotgun（仙腸関節）"
    lines = _wrap(text, width, "- ")
    assert all(columns(line) <= width for line in lines), lines
    assert "".join(line.removeprefix("- ").strip() for line in lines) == text.replace(" ", "")
    assert not any(line.strip()[:1] in "、。）" for line in lines), lines
    assert first_sentence(text) == "左膝を胸に引き寄せます。"
    assert all("\n" not in line for line in _wrap("膝を曲げる。\n次に伸ばす。", 40))


@pytest.mark.parametrize("language", ["ja", "zh_CN"])
def test_wide_words_beside_the_countdown_end_before_the_picture(language: str) -> None:
    """The picture beside a hold starts right of the widest line of its block, by columns."""
    for v in views_in(language):
        for line in fit(v, 40, 12, picture=12, hold=True):
            if line.beside:
                assert columns(line.text.rstrip()) <= line.beside, (language, line)


def test_at_80x24_hold_and_the_side_are_block_letters_beside_the_digits_and_the_repetition_in_words(
) -> None:
    v = find("HOLD", "LEFT", "1 of 3")
    lines = check(v, 80, 24)
    digits = big_rows(lines, v.big)
    assert len(digits) >= 5 and shows_big(lines, "HOLD") and shows_big(lines, "LEFT"), lines
    assert big_rows(lines, "HOLD")[0] == digits[0]  # beside the digits, level with them
    (rep,) = [i for i, t in enumerate(lines) if t.strip() == "1 of 3"]  # in words
    assert BLOCK not in lines[rep] and rep > max(digits), lines  # never beside the count


def test_get_ready_and_hold_look_different_from_across_the_room() -> None:
    """The word beside the digits says which it is; the digits keep their size and place."""
    ready, hold = find("GET READY", "RIGHT", "2 of 3"), find("HOLD", "RIGHT", "2 of 3")
    for width, height in [(80, 24), (120, 40), (200, 60)]:
        a, b = check(ready, width, height), check(hold, width, height)
        assert shows_big(a, "READY") and not shows_big(a, "HOLD"), a
        assert shows_big(b, "HOLD") and not shows_big(b, "READY"), b
        assert len(big_rows(a, ready.big)) == len(big_rows(b, hold.big)) >= 5
        assert big_rows(a, ready.big)[0] == big_rows(b, hold.big)[0]
    assert shows_big(check(ready, 200, 60), "GET READY")  # in full where there is room


def test_breaths_say_breathe_in_and_out_beside_the_count() -> None:
    v = next(v for v in VIEWS if v.words and v.words[0][-1] in ("IN", "OUT"))
    lines = check(v, 80, 24)
    assert shows_big(lines, v.words[0][-1]) and f"Breathe {v.words[0][-1].lower()}." in "".join(lines)


def test_at_40x10_the_countdown_is_plain_digits_under_the_words() -> None:
    ready, hold = find("GET READY", "LEFT", "1 of 3"), find("HOLD", "LEFT", "1 of 3")
    a, b = check(ready, 40, 10), check(hold, 40, 10)
    assert not any(BLOCK in t for t in a + b)
    assert "GET READY · LEFT · 1 of 3" in a and "HOLD · LEFT · 1 of 3" in b
    assert hold.big in [t.strip() for t in b]


@given(st.integers(30, 220), st.integers(8, 70), st.sampled_from(VIEWS))
def test_one_next_line_and_the_repetition_never_beside_the_digits(width: int, height: int,
                                                                  v: View) -> None:
    lines = check(v, width, height)
    text = " ".join(lines)
    assert text.count("Next:") <= 1, lines
    assert all(BLOCK not in t for t in lines if v.rep and v.rep in t), lines


def test_tips_go_first_then_the_instruction_shortens_to_its_first_sentence() -> None:
    v = next(v for v in VIEWS if v.words[1:] == (("LEFT",),) and v.rep == "1 of 3" and v.tips)
    full = " ".join(t.text for t in fit(v, 120, 60))
    assert all(tip in full for tip in v.tips)
    some = " ".join(t.text for t in fit(v, 80, 18))
    assert not any(tip in some for tip in v.tips) and first_sentence(v.instruction) in some
    small = " ".join(t.text for t in fit(v, 30, 8))
    assert v.instruction.split()[0] in small and v.instruction not in small


END = [("Done: Shotgun (SI joints), 40 s. 3 days in a row.", "bold"), ("", ""),
       ("Well done. Stretch again at your next reminder.", "")]


@pytest.mark.parametrize(("width", "height", "drawn"), [
    (80, 24, ("DONE", "3 DAYS")), (160, 48, ("DONE", "3 DAYS")), (40, 10, ("DONE",)), (30, 8, ())])
def test_the_end_screen_says_done_and_the_streak_in_block_letters_where_they_fit(
        width: int, height: int, drawn: tuple[str, ...]) -> None:
    lines = [t.text for t in text_lines(END, ("Any key closes this screen",), width, height,
                                        big=("DONE", "3 DAYS"))]
    assert len(lines) == height and all(len(t) <= width for t in lines)
    assert lines[-1] == "Any key closes this screen" and END[0][0].split()[0] in " ".join(lines)
    assert [w for w in ("DONE", "3 DAYS") if shows_big(lines, w)] == list(drawn), lines


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
