"""The real espeak-ng speaks every cue of the built-in routines, each done before the next."""

from __future__ import annotations

import wave
from pathlib import Path

from harness.kit import require
from stretchd.routines import SAFETY_LINE, load_all
from stretchd.routines.plan import cues, plan
from stretchd.walkthrough.voice import Speaker


def test_espeak_ng_says_every_built_in_cue_and_none_runs_into_the_next(tmp_path: Path) -> None:
    require("espeak-ng")
    files: list[Path] = []

    def to_file(phrase: str) -> list[str]:
        files.append(tmp_path / f"{len(files)}.wav")
        return ["espeak-ng", "-w", str(files[-1]), phrase]

    voice = Speaker("espeak-ng", to_file)
    for routine in load_all(None)[0].values():
        items = plan(routine)
        timeline, start = [], 0.0  # every cue at its moment from the start of the routine
        for index, item in enumerate(items):
            timeline += [(start + c.offset, c.phrase) for c in cues(items, index, routine.breath_seconds)]
            start += item.seconds
        timeline.append((start, "Done."))
        seconds: dict[str, float] = {}
        for (at, phrase), (following, _) in zip(timeline, [*timeline[1:], (start + 60, "")], strict=True):
            if phrase not in seconds:
                voice.say(phrase)
                voice.close(wait=30)
                with wave.open(str(files[-1])) as w:
                    seconds[phrase] = w.getnframes() / w.getframerate()
            assert 0.2 < seconds[phrase] <= following - at, (routine.name, phrase, seconds[phrase])
    voice.say(SAFETY_LINE)
    voice.close(wait=30)
    with wave.open(str(files[-1])) as w:
        assert w.getnframes() / w.getframerate() > 0.5
