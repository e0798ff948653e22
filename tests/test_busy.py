"""Reading what the person is doing from recorded sources: PipeWire's dump, /proc."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from stretchd.desktop.busy import Reading, meeting_from_proc, meeting_from_pw_dump, pw_dump_objects


def node(cls: str, state: str = "running", **props: object) -> dict[str, object]:
    return {"id": 40, "type": "PipeWire:Interface:Node",
            "info": {"state": state, "props": {"media.class": cls, **props}}}


def test_a_running_microphone_or_camera_stream_is_a_meeting() -> None:
    mic = meeting_from_pw_dump([node("Audio/Source"), node("Stream/Input/Audio",
                                                           **{"application.name": "Firefox"})])
    assert (mic.busy, mic.reason, mic.detail) == (True, "microphone in use", "1 capture stream")
    cam = meeting_from_pw_dump([node("Stream/Input/Audio"), node("Stream/Input/Video")])
    assert (cam.busy, cam.reason, cam.detail) == (True, "camera or screen share in use", "2 capture streams")


def test_idle_streams_playback_and_sink_monitors_are_not_a_meeting() -> None:
    quiet = meeting_from_pw_dump([
        node("Stream/Input/Audio", state="idle"),
        node("Stream/Output/Audio"),  # music playing
        node("Stream/Input/Audio", **{"stream.capture.sink": True}),  # a level meter
        node("Stream/Input/Audio", **{"target.object": "alsa_output.pci.analog-stereo.monitor"}),
        {"id": 3, "type": "PipeWire:Interface:Core", "info": None},
        {"id": 7, "info": {"state": "running"}},
    ])
    assert quiet == Reading("meeting", False, "PipeWire", "0 capture streams", "")
    assert quiet.describe() == "meeting: no (PipeWire, 0 capture streams)"


def test_without_pipewire_alsa_capture_and_open_cameras_are_read_from_proc(tmp_path: Path) -> None:
    sub = tmp_path / "asound" / "card0" / "pcm0c" / "sub0"
    sub.mkdir(parents=True)
    (sub / "status").write_text("closed\n")
    fd = tmp_path / "4242" / "fd"
    fd.mkdir(parents=True)
    os.symlink("/dev/null", fd / "0")
    assert meeting_from_proc(tmp_path).busy is False
    (sub / "status").write_text("state: RUNNING\nowner_pid   : 4242\n")
    assert meeting_from_proc(tmp_path).reason == "microphone in use"
    os.symlink("/dev/video0", fd / "7")
    got = meeting_from_proc(tmp_path)
    assert got.busy and got.reason == "camera in use"
    assert got.describe() == "meeting: yes (/proc, 1 ALSA capture running, 1 camera open)"


def test_a_process_that_ends_while_proc_is_read_is_skipped_not_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a busy machine a process listed in /proc may be gone when its fd/ is read."""
    for pid, target in (("4242", "/dev/video0"), ("4343", "/dev/null")):
        fd = tmp_path / pid / "fd"
        fd.mkdir(parents=True)
        os.symlink(target, fd / "3")
    gone = tmp_path / "4343" / "fd"
    scandir = os.scandir

    def racing(path: Any) -> Any:
        if Path(path) == gone:
            raise FileNotFoundError(2, "No such file or directory", str(gone))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", racing)
    got = meeting_from_proc(tmp_path)
    assert got.busy and got.reason == "camera in use"


def test_dnd_reads_as_on_or_off_and_an_unknown_as_unknown() -> None:
    assert Reading("dnd", True, "dunst").describe() == "dnd: on (dunst)"
    assert Reading("dnd", None, "no notification server").describe() == (
        "dnd: unknown (no notification server)")


def test_a_reading_program_that_outlives_its_timeout_is_killed_and_reads_as_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import time

    from stretchd.desktop import busy

    monkeypatch.setattr(busy, "TIMEOUT", 0.05)
    started = time.monotonic()
    assert asyncio.run(busy._run(["sleep", "5"])) is None
    assert time.monotonic() - started < 2


def test_pw_dump_output_with_a_change_after_the_graph_is_read_as_updates() -> None:
    """pw-dump prints a second array when the graph changes before it exits (seen under load:
    another client leaving); the reading must not fall back to /proc then."""
    mic = {**node("Stream/Input/Audio"), "id": 41}
    idle = {**node("Stream/Input/Audio", state="idle"), "id": 42}
    graph = json.dumps([mic, idle, {"id": 3, "type": "PipeWire:Interface:Core", "info": None}])
    gone = json.dumps([{"id": 47, "info": None}])
    assert [o["id"] for o in pw_dump_objects(graph + "\n" + gone + "\n")] == [41, 42, 3]
    assert meeting_from_pw_dump(pw_dump_objects(graph + gone)).busy is True
    ended = json.dumps([{"id": 41, "info": None}])
    assert meeting_from_pw_dump(pw_dump_objects(graph + ended)).busy is False
    started = json.dumps([{"id": 42, "info": {"state": "running"}}])
    got = meeting_from_pw_dump(pw_dump_objects(graph + ended + started))
    assert (got.busy, got.detail) == (True, "1 capture stream")


@pytest.mark.parametrize("text", ["", "  \n", "[{]", '{"id": 1}', "[] trailing"])
def test_pw_dump_output_that_is_not_arrays_of_objects_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        pw_dump_objects(text)
