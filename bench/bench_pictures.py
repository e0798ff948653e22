"""Pictures: a step's start to its picture, a hold's CPU, the end error, `status` without them.

A step's picture is timed in-process, cold (a new figure each time, nothing cached): for every
get-ready and hold of the hips-and-lower-back routine at 120x40, the step's screen is built
with its picture (coloured half blocks, and kitty pixels encoded for the terminal). A hold's
CPU is measured twice: in-process (the real walk() on a fake clock through five minutes of a
hold, its frames drawn to a terminal console, timed with the process clock), and as
`stretchd walk` on a pty (answering as a terminal without graphics, so blocks are drawn,
and as kitty) through a 40 s hold, its CPU read from /proc over 30 s of it, with pictures and
with --no-pictures. The end error is the walkthrough bench's, with pictures on: a routine
planned to last 60 s walked by the real walk() with a figure, every core busy meanwhile.
Last, `stretchd status` as a fresh process, and what it imports.
"""

from __future__ import annotations

import io
import os
import pty
import select
import statistics
import subprocess
import time
from pathlib import Path

from bench.measure import busy_cores, sandbox, time_commands, venv_script
from bench.report import Section, Target

TO_PICTURE_TARGET = Target.at_most(50)  # ms
END_TARGET = Target.within(0.1)  # s
HEAVY = ("PIL", "resvg_py", "chafa")


def run(report: Section) -> None:
    silent = [asking_a_silent_terminal() for _ in range(report.runs(10, 3))]
    report.figure("Asking a terminal that answers nothing, until blocks are chosen", silent,
                  unit="ms", target=Target.at_most(100))
    blocks, kitty = to_picture()
    report.figure("A step's start → its picture drawn, coloured blocks (cold, 120x40)", blocks,
                  unit="ms", target=TO_PICTURE_TARGET)
    report.figure("A step's start → its picture encoded for kitty (cold, 120x40)", kitty, unit="ms",
                  target=TO_PICTURE_TARGET)

    held = {name: [hold_work(mode) for _ in range(report.runs(9, 2))]
            for name, mode in (("none", None), ("blocks", "blocks"), ("kitty", "kitty"))}
    for name, label in (("none", "no picture"), ("blocks", "picture in blocks"),
                        ("kitty", "picture in kitty pixels")):
        report.figure(f"CPU per minute of hold, in-process on a fake clock, {label}", held[name],
                      unit="ms/min")
    # "No more than without": within the spread of the runs without a picture.
    base = statistics.median(held["none"])
    noise = (max(held["none"]) - min(held["none"])) / base
    for name in ("blocks", "kitty"):
        report.figure(f"… {name} over none (ratio of medians, in-process)",
                      [statistics.median(held[name]) / base], unit="x",
                      target=Target.at_most(1 + noise), digits=2)

    window = 10.0 if report.quick else 30.0
    runs = report.runs(3, 1)
    with_blocks = [hold_cpu(window, pictures=True, answer=b"\x1b[?1;2c") for _ in range(runs)]
    with_kitty = [hold_cpu(window, pictures=True, answer=b"\x1b_Gi=31;OK\x1b\\\x1b[?62;22c")
                  for _ in range(runs)]
    without = [hold_cpu(window, pictures=False, answer=b"\x1b[?1;2c") for _ in range(runs)]
    report.figure("CPU during a hold, no picture", without, unit="ms/min")
    report.figure("CPU during a hold, picture in blocks", with_blocks, unit="ms/min")
    report.figure("CPU during a hold, picture in kitty pixels", with_kitty, unit="ms/min")
    # "No more than without": within what the same run measures between its own repetitions.
    spread = max(without) - min(without) if len(without) > 1 else 0.0
    report.figure("… blocks more than none (median of each)",
                  [statistics.median(with_blocks) - statistics.median(without)], unit="ms/min",
                  target=Target.at_most(spread))
    report.figure("… kitty more than none (median of each)",
                  [statistics.median(with_kitty) - statistics.median(without)], unit="ms/min",
                  target=Target.at_most(spread))
    report.note("A hold draws a frame only when it changes: once a second, as the countdown "
                "does, with or without the picture. The picture's cells are cached; kitty's "
                "image is sent once per position (sixel, which text drawn over erases, once a "
                "frame). The targets allow the spread between the runs without pictures.")

    seconds = 30 if report.quick else 60
    errors = [end_error(seconds) for _ in range(report.runs(3, 1))]
    report.figure(f"Walkthrough end error, {seconds} s routine with pictures, every core busy",
                  errors, unit="s", target=END_TARGET, digits=3)

    stretchd = str(venv_script("stretchd"))
    with sandbox() as box:
        times = time_commands({"status": [stretchd, "status"]}, env=box.env,
                              runs=report.runs(15, 3), warmups=1, ok=(0, 69))  # 69: no daemon
        imported = subprocess.run([str(venv_script("python")), "-X", "importtime", "-m", "stretchd",
                                   "status"], env=box.env, capture_output=True, text=True,
                                  check=False).stderr
    report.figure("`stretchd status` start-up (no daemon)", [t * 1000 for t in times["status"]],
                  unit="ms")
    loaded = sorted({m for m in HEAVY if f" {m}" in imported or f"| {m}" in imported})
    report.note(f"`stretchd status` imports {', '.join(loaded) if loaded else 'none of'} "
                f"{', '.join(HEAVY)}; the pictures' libraries load only in `stretchd walk`.")


def asking_a_silent_terminal() -> float:
    """Milliseconds the walkthrough waits on a terminal that answers neither query."""
    import tty

    from stretchd.walkthrough.pictures import Mode, ask_terminal

    main, side = pty.openpty()
    try:
        tty.setcbreak(side)
        started = time.perf_counter()
        assert ask_terminal(side, side) is Mode.BLOCKS
        return (time.perf_counter() - started) * 1000
    finally:
        os.close(main)
        os.close(side)


def to_picture() -> tuple[list[float], list[float]]:
    from stretchd.routines import load_all
    from stretchd.routines.plan import Timer, plan
    from stretchd.walkthrough.pictures import Figure, Mode
    from stretchd.walkthrough.view import framed

    routine = load_all(None)[0]["hips-lower-back"]
    items = plan(routine)
    blocks, kitty = [], []
    for index in range(len(items)):
        timer = Timer(items, lambda: 0.0)
        timer.start()
        for _ in range(index):
            timer.skip()
        for mode, out in ((Mode.BLOCKS, blocks), (Mode.KITTY, kitty)):
            figure = Figure(routine.image, mode, (10, 21))
            started = time.perf_counter()
            shown, placed = framed(routine, timer, 120, 40, figure=figure)
            if placed is not None:
                figure.pixels(placed.source, placed.key, placed.cols, placed.rows)
            else:
                from rich.console import Console

                Console(file=io.StringIO(), width=120, height=40, color_system="truecolor").print(shown)
            out.append((time.perf_counter() - started) * 1000)
    return blocks, kitty


HOLD_ROUTINE = """title = "A long hold"
transition_seconds = 1
image = "{pictures}/lying-flat.svg"
[[steps]]
title = "Knee to chest"
instruction = "Hold it."
hold_seconds = 600
image = "{pictures}/knee-to-chest-left.svg"
"""


def hold_work(mode: str | None) -> float:
    """CPU ms per minute of a hold, measured in this process with a fine clock: the real
    walk() at 120x40 on a terminal console (its output dropped), a fake clock stepped as the
    walk waits, keys that never come; five minutes of a ten-minute hold."""
    import tempfile

    from rich.console import Console

    from stretchd.routines import load_file
    from stretchd.walkthrough import walk
    from stretchd.walkthrough.pictures import Figure, Mode

    shipped = Path(__file__).parents[1] / "stretchd" / "routines" / "pictures"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long-hold.toml"
        path.write_text(HOLD_ROUTINE.format(pictures=shipped))
        routine = load_file(path)
    figure = None if mode is None else Figure(shipped / "lying-flat.svg", Mode(mode))
    now = [0.0]
    marks: dict[str, float] = {}

    class Keys:
        def read(self, timeout: float) -> str | None:
            if not marks:
                marks["enter"] = 0.0
                return "\r"
            if "start" not in marks and now[0] >= 60.0:  # a minute into the ten-minute hold
                marks["start"] = time.process_time()
            if now[0] >= 360.0:
                marks["end"] = time.process_time()
                return "q"
            now[0] += timeout
            return None

    with open(os.devnull, "w") as devnull:
        console = Console(file=devnull, width=120, height=40, force_terminal=True,
                          color_system="truecolor")
        walk(routine, console=console, keys=Keys(), clock=lambda: now[0], chime=lambda: None,
             end_wait=0.0, ascii=False, figure=figure)
    return (marks["end"] - marks["start"]) * 1000 / 5


def hold_cpu(window: float, *, pictures: bool, answer: bytes) -> float:
    """CPU ms per minute of `stretchd walk` during a hold, on a 120x40 pty that answers the
    graphics queries with `answer`."""
    import fcntl
    import struct
    import termios

    import stretchd

    shipped = Path(stretchd.__file__).parent / "routines" / "pictures"
    with sandbox() as box:
        mine = box.dir("XDG_CONFIG_HOME") / "stretchd" / "routines"
        mine.mkdir(parents=True)
        (mine / "long-hold.toml").write_text(HOLD_ROUTINE.format(pictures=shipped))
        env = {**box.env, "LANG": "C.UTF-8", "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        argv = [str(venv_script("stretchd")), "walk", "long-hold",
                *([] if pictures else ["--no-pictures"])]
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(argv[0], argv, env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 1200, 840))
        out = bytearray()
        try:
            if pictures:  # without them the terminal is asked nothing
                _until(fd, out, lambda: b"\x1b[c" in out, 20)
                os.write(fd, answer)
            _until(fd, out, lambda: b"Press Enter" in out, 20)
            os.write(fd, b"\r")
            _until(fd, out, lambda: b"n skip to the next" in out, 20)  # the hold
            time.sleep(2.0)  # the hold's first frames drawn
            first = _cpu(pid)
            _drain(fd, window)
            return (_cpu(pid) - first) * 1000 * 60 / window
        finally:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            os.close(fd)


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _until(fd: int, out: bytearray, done: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():  # type: ignore[operator]
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out; the last output: {bytes(out[-500:])!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            out += os.read(fd, 65536)


def _drain(fd: int, seconds: float) -> None:
    """Read (and drop) what the walkthrough draws for seconds, as a terminal would."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            os.read(fd, 65536)


END_ROUTINE = """title = "Pictures, {seconds} s"
transition_seconds = 5
image = "{pictures}/lying-flat.svg"
[[steps]]
title = "Knee to chest"
instruction = "Pull one knee to your chest and hold."
sides = ["left", "right"]
hold_seconds = {half}
image = {{ left = "{pictures}/knee-to-chest-left.svg", right = "{pictures}/knee-to-chest-right.svg" }}
"""


def end_error(seconds: int) -> float:
    """Seconds the walkthrough ends away from its plan, with pictures, every core busy."""
    from rich.console import Console

    import stretchd
    from stretchd.routines import load_file
    from stretchd.walkthrough import walk
    from stretchd.walkthrough.pictures import Figure, Mode

    shipped = Path(stretchd.__file__).parent / "routines" / "pictures"
    with sandbox() as box:
        path = box.dir("XDG_CONFIG_HOME") / "pictures.toml"
        # Two get-readies of 5 s (the figure moving) and two holds: the plan is `seconds` long.
        path.write_text(END_ROUTINE.format(seconds=seconds, half=seconds // 2 - 5, pictures=shipped))
        routine = load_file(path)
        console = Console(file=io.StringIO(), width=120, height=40, color_system="truecolor",
                          force_terminal=True)

        class Keys:
            sent = False

            def read(self, timeout: float) -> str | None:
                if not self.sent:
                    self.sent = True
                    return "\r"
                time.sleep(max(0.0, timeout))
                return None

        with busy_cores():
            outcome = walk(routine, console=console, keys=Keys(), end_wait=0.0,
                           figure=Figure(routine.image, Mode.BLOCKS))
    return outcome.elapsed - seconds
