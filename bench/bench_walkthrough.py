"""How far from its planned length a walkthrough ends while every core is busy.

A user routine file planned to last exactly 5 minutes (30 s with --quick) is loaded from a
temporary XDG_CONFIG_HOME the way `stretchd walk` loads it, and walked in-process by the real
`walk()` on the real monotonic clock: keys come through the real `TerminalKeys` from a pipe
holding one Enter, a rich Console draws in colour into memory, and progress goes to a history
database in a temporary XDG_STATE_HOME. Meanwhile one busy-loop process per core competes for
the CPU. The error is the length measured minus the planned length, twice: by the walkthrough
itself (`Outcome.elapsed`, from Enter to the end on its clock) and around the call
(`time.monotonic()` when `walk()` returns minus when it read Enter).

The voice is on: the real espeak-ng (or spd-say) when installed, each phrase started as a
process as the walkthrough does, and the moment each cue was handed over is compared with
its planned moment (Enter + the items before it + the cue's offset).

It runs twice: in English, and in German (the walkthrough's words and the voice's phrases
from the German catalog, espeak-ng's German voice).
"""

from __future__ import annotations

import io
import os
import time

from rich.console import Console

from bench.measure import busy_cores, sandbox
from bench.report import Section, Target
from stretchd import i18n, paths
from stretchd.routines import Routine, find, load_all
from stretchd.routines.plan import cues, plan, planned_seconds
from stretchd.store.history import History
from stretchd.walkthrough import TerminalKeys, walk
from stretchd.walkthrough.voice import Speaker, find_speaker

ERROR_TARGET = Target.within(0.1)  # s


def routine_toml(seconds: int) -> str:
    """A routine planned to last exactly seconds (a multiple of 30): sides, repetitions, breaths."""
    u = seconds // 30  # 4 holds of 3u + 1 breath of 6 s per u + 2 holds of 6u = 30u
    return f"""\
title = "Benchmark, {seconds} s"
summary = "Written by bench/bench_walkthrough.py; planned to last exactly {seconds} s."
breath_seconds = 6
transition_seconds = 0

[[steps]]
title = "Knee to chest"
instruction = "Pull one knee to your chest and hold."
sides = ["left", "right"]
repetitions = 2
hold_seconds = {3 * u}

[[steps]]
title = "Child's pose"
instruction = "Breathe slowly and deeply."
breaths = {u}

[[steps]]
title = "Both knees to chest"
instruction = "Hug both knees and hold."
repetitions = 2
hold_seconds = {6 * u}
"""


class TimedKeys:
    """The real TerminalKeys, noting when Enter was read and how late each empty wait returned."""

    def __init__(self, inner: TerminalKeys) -> None:
        self.inner = inner
        self.enter_at: float | None = None
        self.late: list[float] = []

    def read(self, timeout: float) -> str | None:
        start = time.monotonic()
        key = self.inner.read(timeout)
        end = time.monotonic()
        if key is None:
            self.late.append(end - start - timeout)
        elif key in ("\r", "\n") and self.enter_at is None:
            self.enter_at = end
        return key


class TimedVoice:
    """The real speaker (if any), noting when each phrase was handed to it."""

    def __init__(self, inner: Speaker | None) -> None:
        self.inner = inner
        self.said: list[tuple[float, str]] = []

    def say(self, phrase: str) -> None:
        self.said.append((time.monotonic(), phrase))
        if self.inner:
            self.inner.say(phrase)

    def close(self, wait: float = 2.0) -> None:
        if self.inner:
            self.inner.close(wait)


def planned_cues(routine: Routine, enter: float) -> list[tuple[float, str]]:
    items = plan(routine)
    out, start = [], enter
    for index, item in enumerate(items):
        out += [(start + c.offset, c.phrase) for c in cues(items, index, routine.breath_seconds)]
        start += item.seconds
    return [*out, (start, i18n._("Done."))]


def run(report: Section) -> None:
    for language in ("en", "de"):
        i18n.use(language)
        try:
            walk_once(report, language)
        finally:
            i18n.use("auto")


def walk_once(report: Section, language: str) -> None:
    seconds = report.runs(300, 30)
    tag = "" if language == "en" else f" ({language}, voice {language})"
    name = "bench-five" if seconds == 300 else "bench-quick"
    with sandbox() as box, box.active():
        user_dir = paths.user_routines_dir()
        user_dir.mkdir(parents=True)
        (user_dir / f"{name}.toml").write_text(routine_toml(seconds))
        routines, problems = load_all(user_dir)
        if problems:
            raise RuntimeError("; ".join(problems))
        routine = find(name, routines)
        planned = planned_seconds(plan(routine))
        if planned != seconds:
            raise RuntimeError(f"{name} is planned to last {planned} s, not {seconds} s")

        out = io.StringIO()
        console = Console(file=out, width=100, height=30, force_terminal=True,
                          color_system="truecolor")
        read_end, write_end = os.pipe()
        os.write(write_end, b"\r")  # the write end stays open: closing it would read as EOF
        try:
            with (os.fdopen(read_end) as stream, busy_cores() as spinners,
                  History(paths.database_file()) as history):
                keys = TimedKeys(TerminalKeys(stream))
                voice = TimedVoice(find_speaker(language=language))
                before = time.monotonic()
                outcome = walk(routine, console=console, keys=keys, history=history,
                               clock=time.monotonic, speaker=voice, chime=lambda: None,
                               end_wait=0.0, ascii=False)
                after = time.monotonic()
                load = spinners.describe()
                (row,) = history.walks()
        finally:
            os.close(write_end)

    if not outcome.completed or keys.enter_at is None:
        raise RuntimeError(f"the walkthrough did not complete: {outcome}")
    report.figure(f"End error, walkthrough's clock (`Outcome.elapsed` − planned){tag}",
                  [outcome.elapsed - planned], unit="s", target=ERROR_TARGET, digits=3)
    report.figure(f"End error, around `walk()` (return − Enter read − planned){tag}",
                  [after - keys.enter_at - planned], unit="s", target=ERROR_TARGET, digits=3)
    moments = planned_cues(routine, keys.enter_at)
    said = voice.said[1:]  # the safety line is said before Enter
    if [p for _, p in said] != [p for _, p in moments]:
        raise RuntimeError("the cues said are not the cues planned")
    report.figure(f"Cue error (handed to the voice − planned moment){tag}",
                  [(t - at) * 1000 for (t, _), (at, _) in zip(said, moments, strict=True)],
                  unit="ms", digits=1)
    report.figure(f"Lateness of each countdown wait (`keys.read` return − timeout){tag}",
                  [t * 1000 for t in keys.late], unit="ms", digits=2)
    late = sorted(keys.late)
    report.note(
        f"{language}: voice {voice.inner.program if voice.inner else 'none installed (cues timed only)'}, "
        f"{len(said)} cues. "
        f"Routine `{name}`: {outcome.steps} stretches, planned {planned:.0f} s; walked in "
        f"{after - before:.3f} s from the call ({keys.enter_at - before:.3f} s of it before Enter "
        f"was read). Under load from {load}. {len(late)} waits: 99th percentile "
        f"{late[int(0.99 * (len(late) - 1))] * 1000:.1f} ms late, "
        f"{sum(1 for t in late if t > 0.05)} more than 50 ms late (deadlines chain, so a late "
        f"wait delays a redraw, and only the last one delays the end). "
        f"{len(out.getvalue()) / 1e6:.1f} MB drawn; history says \"{row.describe()}\"."
    )
