"""Which speech program and chime a walkthrough uses, and a new phrase cutting the last."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from stretchd.walkthrough.voice import NO_OUTPUT, NO_SOUND, Speaker, cannot_be_heard, find_chime, find_speaker


def which_of(*present: str):  # type: ignore[no-untyped-def]
    return lambda name: f"/usr/bin/{name}" if name in present else None


def test_spd_say_first_then_espeak_ng_then_none() -> None:
    both = find_speaker(which_of("spd-say", "espeak-ng"))
    assert both is not None and both.program == "spd-say"
    assert both.argv("Done.") == ["/usr/bin/spd-say", "-P", "text", "-N", "stretchd", "-l", "en", "--", "Done."]
    espeak = find_speaker(which_of("espeak-ng"))
    assert espeak is not None and espeak.argv("Done.") == ["/usr/bin/espeak-ng", "-v", "en", "--", "Done."]
    assert find_speaker(which_of()) is None


def test_the_voice_speaks_the_language_or_says_it_has_none() -> None:
    spd = find_speaker(which_of("spd-say", "espeak-ng"), language="pt_BR")
    assert spd is not None and spd.argv("Pronto.")[5:7] == ["-l", "pt-BR"]
    espeak = find_speaker(which_of("espeak-ng"), language="de", speaks=lambda program, lang: True)
    assert espeak is not None and espeak.argv("Fertig.") == ["/usr/bin/espeak-ng", "-v", "de", "--", "Fertig."]
    assert find_speaker(which_of("espeak-ng"), language="ja", speaks=lambda program, lang: False) is None


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


@contextlib.contextmanager
def listening(path: Path) -> Iterator[None]:
    """A server on a Unix socket at path while the block runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen()
        yield


def pw_dump(tmp_path: Path, classes: list[str]):  # type: ignore[no-untyped-def]
    """A stand-in pw-dump printing nodes of these media classes."""
    nodes = [{"id": n, "type": "PipeWire:Interface:Node", "info": {"props": {"media.class": c}}}
             for n, c in enumerate(classes)]
    program = tmp_path / "pw-dump"
    program.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(nodes)}\nEOF\n")
    program.chmod(0o755)
    return lambda name: str(program) if name == "pw-dump" else None


def test_with_no_sound_server_and_no_card_the_voice_cannot_be_heard(tmp_path: Path) -> None:
    run = tmp_path / "run"
    env = {"XDG_RUNTIME_DIR": str(run)}
    no_card = str(tmp_path / "snd" / "pcmC*D*p")
    assert cannot_be_heard(env, which_of(), no_card) == NO_SOUND
    with listening(run / "pulse" / "native"):
        assert cannot_be_heard(env, which_of(), no_card) == ""
    # The socket file a server left when it died is no server ("Host is down").
    assert (run / "pulse" / "native").exists()
    assert cannot_be_heard(env, which_of(), no_card) == NO_SOUND
    (tmp_path / "snd").mkdir()
    (tmp_path / "snd" / "pcmC0D0p").touch()
    assert cannot_be_heard(env, which_of(), no_card) == ""  # ALSA plays on the card itself
    assert cannot_be_heard({"PULSE_SERVER": "tcp:speakers.local"}, which_of(), no_card) == ""


def test_pipewire_without_an_output_device_cannot_be_heard(tmp_path: Path) -> None:
    run = tmp_path / "run"
    env = {"XDG_RUNTIME_DIR": str(run)}
    no_card = str(tmp_path / "pcmC*D*p")
    with listening(run / "pipewire-0"):
        only_a_mic = pw_dump(tmp_path, ["Audio/Source/Virtual", "Video/Source"])
        assert cannot_be_heard(env, only_a_mic, no_card) == NO_OUTPUT
        assert cannot_be_heard(env, pw_dump(tmp_path, ["Audio/Sink"]), no_card) == ""
        assert cannot_be_heard(env, which_of(), no_card) == ""  # no pw-dump: cannot tell


def test_where_nothing_would_be_heard_the_chime_is_the_bell(tmp_path: Path) -> None:
    sound = tmp_path / "bell.oga"
    sound.write_bytes(b"OggS")
    chime = find_chime(lambda: None, which_of("pw-play"), (str(sound),), audible=False)
    assert chime.argv is None
