"""Log lines: journald's priority prefix where stderr is the journal, the program's name elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

LOG = "from stretchd.journal import log; log('warning', 'disk full'); log('info', 'running')"


def run(stderr: IO[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-c", LOG], stderr=stderr, env=env, check=True, timeout=30)


def test_to_the_journal_each_line_carries_its_priority(tmp_path: Path) -> None:
    err = tmp_path / "err"
    with err.open("w") as f:
        st = os.fstat(f.fileno())
        run(f, {**os.environ, "JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})
    assert err.read_text() == "<4>disk full\n<6>running\n"


@pytest.mark.parametrize("stream", ["", "1:2", "junk"])
def test_elsewhere_the_lines_carry_the_programs_name(tmp_path: Path, stream: str) -> None:
    """A terminal opened from a systemd unit inherits JOURNAL_STREAM but writes elsewhere."""
    err = tmp_path / "err"
    with err.open("w") as f:
        run(f, {**os.environ, "JOURNAL_STREAM": stream})
    assert err.read_text() == "stretchd: warning: disk full\nstretchd: running\n"
