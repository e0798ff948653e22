"""The history store: migrations apply once, and a walk's row tells how far it got."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stretchd.history import MIGRATIONS, History, migrate

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
        assert row.ended is None and row.describe() == "interrupted at step 0 of 4"
        h.progress_walk(walk_id, 2)
        h.finish_walk(walk_id, T0 + timedelta(minutes=1), completed=False, step=2)
    with History(tmp_path / "h.sqlite3") as h:
        (row,) = h.walks()
    assert (row.routine, row.reminder) == ("shotgun", "morning")
    assert row.describe() == "quit at step 2 of 4"
    assert row.ended == T0 + timedelta(minutes=1)


def test_the_database_directory_is_created_private(tmp_path: Path) -> None:
    History(tmp_path / "new" / "h.sqlite3").close()
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
