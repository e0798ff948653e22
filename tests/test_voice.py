"""Which speech program and chime a walkthrough uses, and a new phrase cutting the last."""

from __future__ import annotations

from pathlib import Path

import pytest

from stretchd.voice import Speaker, find_chime, find_speaker


def which_of(*present: str):  # type: ignore[no-untyped-def]
    return lambda name: f"/usr/bin/{name}" if name in present else None


def test_spd_say_first_then_espeak_ng_then_none() -> None:
    both = find_speaker(which_of("spd-say", "espeak-ng"))
    assert both is not None and both.program == "spd-say"
    assert both.argv("Done.") == ["/usr/bin/spd-say", "-P", "text", "-N", "stretchd", "--", "Done."]
    espeak = find_speaker(which_of("espeak-ng"))
    assert espeak is not None and espeak.argv("Done.") == ["/usr/bin/espeak-ng", "--", "Done."]
    assert find_speaker(which_of()) is None


def test_the_chime_is_a_real_sound_where_one_can_play_else_the_bell(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    bells: list[int] = []
    sound = tmp_path / "bell.oga"
    sound.write_bytes(b"OggS")
    canberra = find_chime(lambda: bells.append(1), which_of("canberra-gtk-play", "pw-play"), (str(sound),))
    assert canberra.argv == ["/usr/bin/canberra-gtk-play", "-i", "bell", "-d", "stretchd"]
    pw = find_chime(lambda: bells.append(1), which_of("pw-play"), (str(tmp_path / "none.oga"), str(sound)))
    assert pw.argv == ["/usr/bin/pw-play", str(sound)]
    bell = find_chime(lambda: bells.append(1), which_of("pw-play"), (str(tmp_path / "none.oga"),))
    bell()
    assert bell.argv is None and bells == [1]
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    no_display = find_chime(lambda: bells.append(1), which_of("canberra-gtk-play"), ())
    assert no_display.argv is None  # a GTK program with no display to talk to


def test_a_new_phrase_cuts_the_one_still_being_said() -> None:
    voice = Speaker("sleep", lambda phrase: ["sleep", "30"])
    voice.say("first")
    first = voice.running[0]
    voice.say("second")
    assert first.wait(5) != 0  # stopped, not left talking over the next cue
    voice.close(0)
    assert voice.running == [] and voice.said == ["first", "second"]


def test_a_missing_program_is_no_crash() -> None:
    voice = Speaker("gone", lambda phrase: ["/nonexistent/speak", phrase])
    voice.say("Done.")
    voice.close()
    assert voice.said == ["Done."]
