from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.clock import outer_clock_env
from tests.e2e.harness import Tmux, require


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    require("tmux")
    t = Tmux(tmp_path / "tmux.sock")
    yield t
    t.kill()


@pytest.fixture
def xdg_env() -> dict[str, str]:
    """The test's XDG directories, to hand to programs started outside this process."""
    keys = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HOME", "PATH")
    return {**{k: os.environ[k] for k in keys if k in os.environ}, **outer_clock_env()}


# The desktop harness, appended here (rather than at the imports) to keep this an append.
from harness.desktop import Desktop  # noqa: E402


@pytest.fixture
def desktop(xdg: Path, tmp_path: Path) -> Iterator[Desktop]:
    """A private session bus, Xvfb, dunst and a bus monitor; all stopped after the test.

    Depends on xdg so that desktop.env carries the test's XDG directories."""
    require("dbus-daemon", "dbus-monitor", "dbus-send", "Xvfb", "dunst", "dunstctl")
    with Desktop(tmp_path / "desktop") as d:
        yield d


@pytest.fixture
def write_config(xdg: Path):  # type: ignore[no-untyped-def]
    """Write the user's config.toml."""

    def write(text: str) -> Path:
        path = xdg / "config" / "stretchd" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write


@pytest.fixture
def daemons(tmp_path: Path) -> Iterator[list[object]]:
    """Daemons started by a test, stopped after it whatever happens."""
    started: list[object] = []
    yield started
    for d in started:
        d.stop()  # type: ignore[attr-defined]
