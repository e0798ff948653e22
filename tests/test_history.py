"""The history store: migrations apply once, and a walk's row tells how far it got."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stretchd.store.history import History
from stretchd.store.migrations import MIGRATIONS, migrate

pytestmark = pytest.mark.clock  # fixed dates: CI runs these again with the clock moved

T0 = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


def test_migrations_apply_in_order_once() -> None:
    db = sqlite3.connect(":memory:", isolation_level=None)
    assert migrate(db) == [m.__name__ for m in MIGRATIONS]
    assert migrate(db) == []
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "walks" in tables


def test_a_walk_row_is_written_at_start_and_completed_at_the_end(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as h:
        walk_id = h.start_walk("shotgun", "morning", T0, steps=4)
        (row,) = h.walks()
        assert row.ended is None and row.describe() == "interrupted before starting"  # no pid
        h.progress_walk(walk_id, 2)
        h.finish_walk(walk_id, T0 + timedelta(minutes=1), outcome="quit", step=2)
    with History(tmp_path / "h.sqlite3") as h:
        (row,) = h.walks()
    assert (row.routine, row.reminder) == ("shotgun", "morning")
    assert row.describe() == "quit at step 2 of 4"
    assert row.ended == T0 + timedelta(minutes=1)


def test_the_database_directory_is_created_private(tmp_path: Path) -> None:
    History(tmp_path / "new" / "h.sqlite3").close()
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700


def test_a_walk_whose_process_lives_is_in_progress_and_once_it_is_gone_interrupted(
        tmp_path: Path) -> None:
    """A walkthrough killed with -9 never writes its end: its row must not say in progress forever."""
    import subprocess
    import sys

    walk = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "walk"])
    try:
        with History(tmp_path / "h.sqlite3") as h:
            walk_id = h.start_walk("shotgun", "morning", T0, steps=4, pid=walk.pid)
            assert h.walks()[0].describe() == "in progress, not started yet"
            h.progress_walk(walk_id, 3)
            assert h.walks()[0].describe() == "in progress at step 3 of 4"
            walk.kill()
            walk.wait()
            assert h.walks()[0].describe() == "interrupted at step 3 of 4"
    finally:
        walk.kill()


def test_a_process_that_is_not_a_walk_does_not_keep_a_dead_walk_in_progress(tmp_path: Path) -> None:
    import os

    with History(tmp_path / "h.sqlite3") as h:
        h.start_walk("shotgun", None, T0, steps=4, pid=os.getpid())  # pytest got the pid since
        assert h.walks()[0].describe() == "interrupted before starting"


def test_a_closed_terminal_is_recorded_as_interrupted(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite3") as h:
        walk_id = h.start_walk("shotgun", None, T0, steps=4)
        h.finish_walk(walk_id, T0 + timedelta(minutes=1), outcome="interrupted", step=2)
        assert h.walks()[0].describe() == "interrupted at step 2 of 4"
