"""The test kit is one: tests share helpers through harness/, never by importing each other."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def test_no_test_module_imports_another() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.relative_to(TESTS.parent)}: {n}" for n in names
                      if n == "tests" or n.startswith("tests.")]
    assert found == [], "shared helpers belong in harness/: " + "; ".join(found)


def test_every_end_to_end_test_carries_the_e2e_marker() -> None:
    """`pytest -m "not e2e"` is the fast suite: nothing under tests/e2e runs in it."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "not e2e",
                          "-p", "no:cacheprovider", str(TESTS)], capture_output=True, text=True,
                         cwd=TESTS.parent, timeout=120)
    collected = [line for line in out.stdout.splitlines() if "::" in line]
    assert collected and not [c for c in collected if c.startswith("tests/e2e/")], out.stdout[-2000:]
