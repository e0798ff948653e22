"""The benchmark report: figures (median, min, max against a target), notes and tables, as markdown."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Target:
    """What a figure's median must satisfy; build one with at_most, at_least or within."""

    op: Literal["<=", ">=", "|x|<="]
    limit: float

    @classmethod
    def at_most(cls, limit: float) -> Target:
        return cls("<=", limit)

    @classmethod
    def at_least(cls, limit: float) -> Target:
        return cls(">=", limit)

    @classmethod
    def within(cls, limit: float) -> Target:
        """An error either way: the median's absolute value at most limit."""
        return cls("|x|<=", limit)

    def met(self, value: float) -> bool:
        if self.op == "<=":
            return value <= self.limit
        if self.op == ">=":
            return value >= self.limit
        return abs(value) <= self.limit

    def describe(self, unit: str) -> str:
        sign = {"<=": "≤ ", ">=": "≥ ", "|x|<=": "± "}[self.op]
        return f"{sign}{self.limit:g}{_space(unit)}"


@dataclass(frozen=True)
class Figure:
    """One measured quantity: every sample, and the target its median is judged against."""

    name: str
    samples: tuple[float, ...]
    unit: str
    target: Target | None = None
    digits: int = 1

    def __post_init__(self) -> None:
        if not self.samples:
            raise ValueError(f"{self.name}: no samples")

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.median)

    def cells(self) -> list[str]:
        """Name, runs, median, min, max, target, met: one row of a figures table."""
        def show(value: float) -> str:
            return f"{_number(value, self.digits)}{_space(self.unit)}"

        verdict = {None: "–", True: "yes", False: "**NO**"}[self.met]
        target = self.target.describe(self.unit) if self.target else "–"
        return [self.name, str(len(self.samples)), show(self.median), show(min(self.samples)),
                show(max(self.samples)), target, verdict]


FIGURE_HEADERS = ("Figure", "Runs", "Median", "Min", "Max", "Target", "Met")


def _number(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def _space(unit: str) -> str:
    # a space before a word unit ("12.3 ms"), none before a sign ("1.8x", "5%")
    return unit if unit in ("", "×", "%") else f" {unit}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


@dataclass
class Section:
    """What one benchmark module's run(report) writes into: figures first, then notes and tables.

    quick is True for a smoke run (--quick): do fewer repetitions, or a shorter scenario.
    """

    name: str
    title: str
    quick: bool
    about: str = ""
    figures: list[Figure] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    seconds: float | None = None  # how long the benchmark took, filled in by the runner
    error: str | None = None  # the traceback if it raised, filled in by the runner

    def runs(self, full: int, quick: int) -> int:
        """The repetition count for this run: full normally, quick with --quick."""
        return quick if self.quick else full

    def figure(self, name: str, samples: Sequence[float], *, unit: str,
               target: Target | None = None, digits: int = 1) -> Figure:
        """Record a figure; samples are already in unit (e.g. multiply seconds by 1000 for ms)."""
        fig = Figure(name, tuple(samples), unit, target, digits)
        self.figures.append(fig)
        return fig

    def note(self, markdown: str) -> None:
        self.blocks.append(markdown.strip())

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], *,
              caption: str = "") -> None:
        self.blocks.append((f"{caption.strip()}\n\n" if caption else "") + table(headers, rows))

    def markdown(self) -> str:
        took = f" ({_duration(self.seconds)})" if self.seconds is not None else ""
        parts = [f"## {self.name}: {self.title}{took}"]
        if self.about:
            parts.append(self.about)
        if self.figures:
            parts.append(table(FIGURE_HEADERS, [f.cells() for f in self.figures]))
        parts += self.blocks
        if self.error:
            parts.append(f"**The benchmark failed:**\n\n```\n{self.error.rstrip()}\n```")
        return "\n\n".join(parts)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def document(header: Sequence[tuple[str, str]], sections: Sequence[Section]) -> str:
    """The whole report: machine header, every figure with a target, then each section in full."""
    parts = ["# stretchd benchmarks", table(("", ""), [[f"**{k}**", v] for k, v in header])]
    summary = [[s.name, *f.cells()] for s in sections for f in s.figures if f.target]
    failed = [s.name for s in sections if s.error]
    missed = sum(1 for s in sections for f in s.figures if f.met is False)
    judged = sum(1 for s in sections for f in s.figures if f.met is not None)
    verdict = f"{judged - missed} of {judged} targets met."
    if failed:
        verdict += f" Failed to run: {', '.join(failed)}."
    parts += ["## Summary", verdict]
    if summary:
        parts.append(table(("Benchmark", *FIGURE_HEADERS), summary))
    parts += [s.markdown() for s in sections]
    return "\n\n".join(parts) + "\n"
