"""stretchd's benchmarks: `python -m bench [NAME...] [--quick]` writes bench/results/latest.md.

A benchmark is a module bench/bench_NAME.py whose docstring's first line is its title (the
rest, its description in the report) and which defines `run(report: bench.report.Section)`.
run() measures and records figures with report.figure(...), each judged against a Target;
bench.measure has the shared helpers (a throw-away XDG home, timed commands, busy cores).
"""
