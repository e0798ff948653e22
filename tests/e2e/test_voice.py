"""The real espeak-ng speaks every cue of the built-in routines, each done before the next,
in English and in every shipped language it has a voice for."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from harness.kit import require
from stretchd import i18n
from stretchd.routines import load_all, safety_line
from stretchd.routines.plan import cues, plan
from stretchd.walkthrough.voice import ESPEAK_VOICES, PROBES, Speaker, espeak_speaks, find_speaker


@pytest.mark.parametrize("language", ["en", *i18n.SHIPPED])
def test_espeak_ng_says_every_built_in_cue_and_none_runs_into_the_next(tmp_path: Path, language: str) -> None:
    require("espeak-ng")
    i18n.use(language)
    if not espeak_speaks("espeak-ng", language):
        # Only a script espeak-ng reads with a dictionary it may lack (Japanese, Chinese):
        # then there is no speaker, and the walkthrough says so and runs silently.
        assert language in PROBES
        espeak_only = lambda name: shutil.which(name) if name == "espeak-ng" else None  # noqa: E731
        assert find_speaker(espeak_only, language=language) is None
        return
    files: list[Path] = []

    def to_file(phrase: str) -> list[str]:
        files.append(tmp_path / f"{len(files)}.wav")
        return ["espeak-ng", "-v", ESPEAK_VOICES[language], "-w", str(files[-1]), phrase]

    voice = Speaker("espeak-ng", to_file)
    for routine in load_all(None)[0].values():
        items = plan(routine)
        timeline, start = [], 0.0  # every cue at its moment from the start of the routine
        for index, item in enumerate(items):
            timeline += [(start + c.offset, c.phrase) for c in cues(items, index, routine.breath_seconds)]
            start += item.seconds
        timeline.append((start, i18n._("Done.")))
        seconds: dict[str, float] = {}
        for (at, phrase), (following, _) in zip(timeline, [*timeline[1:], (start + 60, "")], strict=True):
            if phrase not in seconds:
                voice.say(phrase)
                voice.close(wait=30)
                with wave.open(str(files[-1])) as w:
                    seconds[phrase] = w.getnframes() / w.getframerate()
            assert 0.2 < seconds[phrase] <= following - at, (language, routine.name, phrase, seconds[phrase],
                                                             following - at)
    voice.say(safety_line())
    voice.close(wait=30)
    with wave.open(str(files[-1])) as w:
        assert w.getnframes() / w.getframerate() > 0.5
