"""[sync] from the command line: the config's keys, and other computers in history and stats."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from stretchd import paths
from stretchd.cli import cli
from stretchd.store import peers
from stretchd.store.history import History
from stretchd.sync.events import Event, Wire


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_folder_and_device_are_set_like_any_key_and_checked(xdg: Path) -> None:
    code, out, _ = run("config", "set", "sync.folder", "~/Sync/stretchd")
    assert code == 0 and "sync.folder = ~/Sync/stretchd" in out
    text = paths.config_file().read_text()
    code, _, err = run("config", "set", "sync.device", "../x")
    assert code == 2
    assert err.strip().endswith('sync.device: "../x" is not accepted; use letters, digits, - and _ '
                                '(at most 40, a letter or digit first), e.g. "laptop"')
    assert paths.config_file().read_text() == text  # left as it was
    code, _, err = run("config", "set", "sync.folder", "Sync/stretchd")
    assert code == 2 and 'sync.folder: "Sync/stretchd" is not accepted; use a folder\'s full path' in err
    code, _, err = run("config", "set", "sync.foldr", "/x")
    assert code == 2 and 'sync.foldr: unknown key (did you mean "folder"?)' in err


@pytest.fixture
def from_desk(xdg: Path) -> datetime:
    """This computer is the laptop; the desk (an hour ahead of UTC) skipped a reminder and
    completed a walk, an hour ago."""
    shared = xdg / "shared"
    paths.config_file().parent.mkdir(parents=True, exist_ok=True)
    paths.config_file().write_text(f'[sync]\nfolder = "{shared}"\ndevice = "lap"\n')
    at = (datetime.now(timezone(timedelta(hours=1))) - timedelta(hours=1)).replace(microsecond=0)
    with History(paths.database_file()) as h:
        peers.add(h, [Event("1" * 32, "desk", Wire.SKIPPED, at, "morning", at.date().isoformat()),
                      Event("2" * 32, "desk", Wire.COMPLETED, at, None, None, routine="shotgun",
                            seconds=40.0)])
    return at


def test_history_says_which_computer_each_row_came_from(from_desk: datetime) -> None:
    code, out, _ = run("history", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [(r["device"], r["what"], r["at"][:19]) for r in rows] == [
        ("desk", "walk", (from_desk - timedelta(seconds=40)).isoformat()[:19]),
        ("desk", "skipped", from_desk.isoformat()[:19])]  # in the desk's own time
    code, out, _ = run("history")
    assert code == 0 and out.splitlines()[-1].split()[2:5] == ["desk", "morning", "skipped"]


def test_stats_count_every_computer_and_one_with_device(from_desk: datetime) -> None:
    def walks(*args: str) -> int:
        code, out, _ = run("stats", "--json", *args)
        assert code == 0
        return int(json.loads(out)["walks"])

    assert (walks(), walks("--device", "desk"), walks("--device", "lap")) == (1, 1, 0)
    code, _, err = run("stats", "--device", "tablet")
    assert code == 2 and "no computer named 'tablet' in the shared history; known: lap, desk" in err
