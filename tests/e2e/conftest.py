from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    return {k: os.environ[k] for k in keys if k in os.environ}
