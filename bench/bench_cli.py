"""How fast `stretchd --version` and `stretchd routines list` start; and `--version`,
`status` (no daemon: exit 69) and `routines list` in German beside English, in one run.

Each command runs as a fresh process from the venv's `stretchd` script, taking turns with
`python -c pass` on the same interpreter as a baseline, so the ratio shows what stretchd
adds over starting Python at all. Wall time includes fork/exec, the same for all three. The
config, state and runtime directories are empty temporary ones.
"""

from __future__ import annotations

import sys

from bench.measure import import_costs, sandbox, time_commands, venv_script
from bench.report import Section, Target

VERSION_TARGET = Target.at_most(60)  # ms
LIST_TARGET = Target.at_most(120)  # ms
TOP_IMPORTS = 12
TRANSLATED_TARGET = Target.at_most(10)  # ms more, in a translated language, than in English


def run(report: Section) -> None:
    stretchd = str(venv_script("stretchd"))
    commands = {
        "baseline": [sys.executable, "-c", "pass"],
        "version": [stretchd, "--version"],
        "list": [stretchd, "routines", "list"],
    }
    with sandbox() as box:
        warmups = report.runs(2, 1)
        times = time_commands(commands, env=box.env, runs=report.runs(20, 5), warmups=warmups)
        ms = {name: [t * 1000 for t in ts] for name, ts in times.items()}
        version = report.figure("`stretchd --version`", ms["version"], unit="ms",
                                target=VERSION_TARGET)
        listing = report.figure("`stretchd routines list`", ms["list"], unit="ms",
                                target=LIST_TARGET)
        report.figure("`python -c pass` (baseline)", ms["baseline"], unit="ms")
        # Per-run ratios: each run's command against the baseline of the same turn.
        for name, label in (("version", "`--version`"), ("list", "`routines list`")):
            ratios = [c / b for c, b in zip(ms[name], ms["baseline"], strict=True)]
            report.figure(f"{label} ÷ baseline", ratios, unit="×", digits=2)
        report.note(f"{len(ms['baseline'])} runs of each after {warmups} warm-up"
                    f"{'' if warmups == 1 else 's'}. Baseline: "
                    f"`{sys.executable} -c pass`, the interpreter the `stretchd` script runs on.")
        translated(report, stretchd, box.env, warmups)
        if not (version.met and listing.met):
            costs = import_costs([sys.executable, "-m", "stretchd", "--version"], env=box.env,
                                 runs=report.runs(5, 2))
            report.table(
                ("Module", "Self", "Cumulative"),
                [[f"`{c.module}`", f"{c.self_ms:.1f} ms", f"{c.cumulative_ms:.1f} ms"]
                 for c in costs[:TOP_IMPORTS]],
                caption=f"A target was missed, so here are the {TOP_IMPORTS} imports with the most "
                        f"self time in `python -X importtime -m stretchd --version` (medians; "
                        f"{sum(c.self_ms for c in costs):.1f} ms of imports in all):",
            )


def translated(report: Section, stretchd: str, env: dict[str, str], warmups: int) -> None:
    """Each command with LANGUAGE=de and LANGUAGE=en, taking turns (both through env(1), so
    its cost cancels): the per-run difference is what the German catalog costs, and for
    `status`, which writes the next reminders' times, Babel's German forms of them."""
    from pathlib import Path

    config = Path(env["XDG_CONFIG_HOME"]) / "stretchd" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[reminders.morning]\ntime = "07:30"\n\n[reminders.evening]\ntime = "20:05"\n')
    commands = {}
    for language in ("en", "de"):
        for name, args in (("version", ["--version"]), ("status", ["status"]),
                           ("list", ["routines", "list"])):
            commands[f"{name}-{language}"] = ["/usr/bin/env", f"LANGUAGE={language}", stretchd, *args]
    times = time_commands(commands, env=env, runs=report.runs(20, 5), warmups=warmups, ok=(0, 69))
    for name, label in (("version", "`--version`"), ("status", "`status` (no daemon; two reminders' times)"),
                        ("list", "`routines list`")):
        more = [(de - en) * 1000 for de, en in zip(times[f"{name}-de"], times[f"{name}-en"], strict=True)]
        report.figure(f"{label} in German, minus in English", more, unit="ms", digits=1,
                      target=TRANSLATED_TARGET)
