"""The house has no circles: every module of stretchd imports only modules below it (at the top
or inside a function), so each can be read, tested and changed from the bottom up."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "stretchd"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stretchd"):
                # `from stretchd.walkthrough import bigtext` needs the submodule, not the package's
                # own code (which may itself import that submodule).
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    found.add(sub if sub in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("stretchd"))
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle, as the path around it; [] if there is none."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = imports()
    assert "stretchd.daemon" in graph and graph["stretchd.ipc.control"]  # the graph was read
    assert cycle(graph) == []


def test_the_transport_knows_nothing_of_the_daemon() -> None:
    graph = imports()
    assert "stretchd.daemon" not in graph["stretchd.ipc.control"]
    assert not {m for m in graph["stretchd.cli.common"] if m.startswith("stretchd.cli.")}


def test_the_bar_client_stays_small_beside_the_bar() -> None:
    """`status --follow` runs all day in a bar: it needs the socket's path and the person's
    language, nothing heavy."""
    import subprocess
    import sys

    graph = imports()
    assert set(graph["stretchd.ipc.bar"]) <= {"stretchd", "stretchd.paths", "stretchd.i18n", "stretchd.l10n"}
    probe = ("import sys, stretchd.ipc.bar\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('apscheduler', 'dbus_fast', 'rich', 'asyncio', 'sqlite3')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


BASE = {"stretchd", "stretchd.errors", "stretchd.text", "stretchd.paths", "stretchd.journal",
        "stretchd.bounds", "stretchd.files", "stretchd.i18n", "stretchd.l10n"}
# Which folder may import which (besides itself and the base modules): imports only go down
# ARCHITECTURE.md's picture. The core (daemon) imports no adapter; the adapters (desktop)
# know of the core only its ports; cli and _run.py, on top, may import anything.
MAY_IMPORT = {
    "routines": set(),
    "sync": set(),
    "config": {"routines"},
    "schedule": {"config", "routines"},
    "store": {"config", "routines", "schedule", "sync"},
    "daemon": {"config", "routines", "schedule", "store", "sync"},
    "desktop": {"config", "routines", "daemon.ports"},
    "walkthrough": {"config", "routines", "store"},
    "ipc": set(),
}


def folder(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in MAY_IMPORT | {"cli": set()} else ""


def allowed(importer: str, imported: str) -> bool:
    if imported in BASE or folder(imported) == folder(importer) != "":
        return True
    if folder(importer) == "":  # a base module: only the base; the entries: anything
        return importer in ("stretchd._run", "stretchd.__main__")  # the entries
    rules = MAY_IMPORT.get(folder(importer))
    if rules is None:  # cli
        return True
    return folder(imported) in rules or imported.removeprefix("stretchd.") in rules


def test_each_folder_imports_only_the_folders_below_it() -> None:
    graph = imports()
    assert {folder(m) for m in graph} >= set(MAY_IMPORT) | {"cli"}  # the folders were read
    wrong = sorted(f"{a} imports {b}" for a, deps in graph.items() for b in deps if not allowed(a, b))
    assert wrong == []


def test_the_core_imports_no_adapter() -> None:
    graph = imports()
    core = [m for m in graph if folder(m) == "daemon"]
    assert core and not [(m, d) for m in core for d in graph[m]
                         if folder(d) in ("desktop", "walkthrough", "ipc", "cli")]
