"""The conditions that hold a reminder, one object each: busy.py reads each of them, and every
reason it gives has its "shown after ..." phrase."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from stretchd.config import conditions
from stretchd.daemon import holding
from stretchd.desktop import busy


class FakeBus:
    """A bus whose methods and properties answer as a test says, by member or property name."""

    failed = ""

    def __init__(self, **answers: Any) -> None:
        self.answers = answers

    async def call(self, dest: str, path: str, iface: str, member: str, sig: str = "",
                   body: list[Any] | None = None) -> list[Any] | None:
        got = self.answers.get(member)
        return got if got is None else list(got)

    async def prop(self, dest: str, path: str, iface: str, name: str) -> Any:
        return self.answers.get(name)


DUNST = busy.Server("dunst", "knopwob", "1.9", ("actions",))


def node(cls: str) -> dict[str, Any]:
    """A running stream in `pw-dump`'s output."""
    return {"id": 1, "info": {"state": "running", "props": {"media.class": cls}}}


def read_all(monkeypatch: pytest.MonkeyPatch, *names: str, session: FakeBus, system: FakeBus,
             x11: dict[str, Any]) -> list[busy.Reading]:
    """Each condition named, read through busy.read() with these sources and no PipeWire."""
    asked: list[int] = []

    async def fake_x11() -> dict[str, Any]:
        asked.append(1)
        await asyncio.sleep(0)  # away and fullscreen ask it together
        return x11

    async def in_a_call() -> busy.Reading:
        return busy.meeting_from_pw_dump([node("Stream/Input/Audio")])

    monkeypatch.setattr(busy, "x11", fake_x11)
    monkeypatch.setattr(busy, "meeting", in_a_call)
    monkeypatch.setenv("XDG_SESSION_ID", "1")
    got = asyncio.run(busy.read(names, away_minutes=5, session=session,  # type: ignore[arg-type]
                                system=system, found=DUNST))  # type: ignore[arg-type]
    assert len(asked) <= 1  # one source read once, however many conditions it serves
    return got


def test_every_condition_has_a_reader_and_every_reader_a_condition() -> None:
    assert set(busy.READERS) == set(conditions.NAMES)


def test_each_reason_busy_can_give_has_its_after_phrase(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    busy_now = read_all(monkeypatch, *conditions.NAMES,
                        session=FakeBus(paused=True, GetActive=[True]),
                        system=FakeBus(GetSession=["/session/1"], LockedHint=True, IdleHint=True),
                        x11={"display": True, "idle": 600.0, "fullscreen": True})
    assert [r.condition for r in busy_now] == list(conditions.NAMES)
    # Without logind or X11: the screen saver's lock, Mutter's idle time.
    fallbacks = read_all(monkeypatch, "locked", "away", system=FakeBus(), x11={"display": False},
                         session=FakeBus(GetActive=[True], GetIdletime=[600_000]))
    assert [(r.source, r.busy) for r in fallbacks] == [("ScreenSaver", True), ("Mutter", True)]

    proc_mic, proc_cam = tmp_path / "mic", tmp_path / "cam"
    status = proc_mic / "asound/card0/pcm0c/sub0/status"
    status.parent.mkdir(parents=True)
    status.write_text("state: RUNNING\n")
    (proc_cam / "4242/fd").mkdir(parents=True)
    (proc_cam / "4242/fd/7").symlink_to("/dev/video0")
    meetings = [busy.meeting_from_pw_dump([node("Stream/Input/Audio")]),
                busy.meeting_from_pw_dump([node("Stream/Input/Video")]),
                busy.meeting_from_proc(proc_mic), busy.meeting_from_proc(proc_cam)]

    given = [r for r in busy_now + fallbacks + meetings if r.busy]
    assert len(given) == len(busy_now) + len(fallbacks) + len(meetings)
    for r in given:
        assert r.reason in conditions.BY_NAME[r.condition].reasons
        assert holding.after(r.reason) == conditions.BY_NAME[r.condition].after != "after a hold"
    assert {r.reason for r in given} == set(conditions.AFTER)  # no phrase for a reason never given
    assert holding.after(None) == holding.after("something new") == "after a hold"


def test_names_not_known_are_passed_over_and_the_order_asked_is_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    got = read_all(monkeypatch, "fullscreen", "sleeping", "dnd", session=FakeBus(paused=False),
                   system=FakeBus(), x11={"display": True, "idle": 1.0, "fullscreen": False})
    assert [r.describe() for r in got] == ["fullscreen: off (X11)", "dnd: off (dunst)"]


def test_the_sources_watched_while_held_are_those_of_the_conditions_asked() -> None:
    assert conditions.named(["away", "sleeping", "meeting"]) == [conditions.BY_NAME["away"],
                                                                 conditions.BY_NAME["meeting"]]
    assert [c.name for c in conditions.ALL if c.logind] == ["locked", "away"]
    assert [c.name for c in conditions.ALL if c.pipewire] == ["meeting"]
