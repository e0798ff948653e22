"""Run the benchmarks named (default: all of bench/bench_*.py) and write one markdown report."""

from __future__ import annotations

import importlib
import os
import time
import traceback
from datetime import datetime
from pathlib import Path

import click

from bench import machine
from bench.report import Section, document

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "results" / "latest.md"


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def run_one(name: str, quick: bool) -> Section:
    """Import bench_NAME and run it; a failure is recorded in its section, not raised."""
    section = Section(name, name, quick)
    start = time.monotonic()
    try:
        # Imported here, so one module broken by a change in stretchd does not stop the rest.
        module = importlib.import_module(f"bench.bench_{name}")
        title, _, about = (module.__doc__ or name).strip().partition("\n")
        section.title, section.about = title.strip().rstrip("."), about.strip()
        module.run(section)
    except Exception:
        section.error = traceback.format_exc()
    section.seconds = time.monotonic() - start
    return section


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--quick", is_flag=True, help="Fewer repetitions and shorter scenarios: a smoke test.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True, help="Where to write the report.")
def main(names: tuple[str, ...], quick: bool, output: Path) -> None:
    """Run benchmarks NAME... (e.g. cli; default: all) and write one markdown report."""
    known = available()
    for name in names:
        if name not in known:
            raise click.BadParameter(f'no benchmark "{name}"; known: {", ".join(known)}',
                                     param_hint="NAME")
    chosen = [n for n in known if n in names] if names else known
    header = machine.describe(datetime.now().astimezone())
    mode = "quick (smoke test: fewer repetitions, not comparable)" if quick else "full"
    header.append(("Run", f"{mode}; {', '.join(chosen)}"))
    sections = []
    for name in chosen:
        click.echo(f"bench: {name}…", err=True)
        section = run_one(name, quick)
        click.echo(f"bench: {name} took {section.seconds:.1f} s"
                   + (" and FAILED" if section.error else ""), err=True)
        sections.append(section)
    # Other work on the machine while measuring shows here, beside the load at the start.
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    header.append(("Load average at end", f"{load} (1 / 5 / 15 min)"))
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.tmp")
    partial.write_text(document(header, sections))
    os.replace(partial, output)  # a reader never sees half a report
    click.echo(f"bench: wrote {output}", err=True)
    if any(s.error for s in sections):
        for s in sections:
            if s.error:
                click.echo(f"bench: {s.name} failed:\n{s.error}", err=True)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
