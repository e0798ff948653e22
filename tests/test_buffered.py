"""The daemon's store over a full disk: what the history refuses is kept in order, read back
as it will be, and written once the history takes writes again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from stretchd.errors import StretchdError
from stretchd.store.buffered import BufferedStore
from stretchd.store.history import History, Kind, Status

T0 = datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


class Refusing:
    """A History that refuses every write while `full` is set."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.full = True

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.history, name)
        if name in ("record", "set_state") and self.full:
            def refuse(*args: Any, **kwargs: Any) -> None:
                raise StretchdError("h.sqlite3: cannot write the history: database or disk is full")
            return refuse
        return attr


@pytest.fixture
def setup(tmp_path: Path) -> Any:
    history = History(tmp_path / "h.sqlite3")
    refusing = Refusing(history)
    lines: list[tuple[str, str]] = []
    store = BufferedStore(refusing, lambda level, message: lines.append((level, message)))  # type: ignore[arg-type]
    yield history, refusing, store, lines
    history.close()


def test_refused_writes_are_read_back_as_they_will_be(setup: Any) -> None:
    history, _, store, lines = setup
    store.record("morning", "2026-11-24", T0, Kind.SHOWN, T0, status=Status.SHOWING)
    store.record("morning", "2026-11-24", T0, Kind.SNOOZED, T0, snoozes=1,
                 snoozed_until=T0 + timedelta(minutes=10))
    got = store.occurrence("morning", "2026-11-24")
    assert got is not None and (got.status, got.snoozes) == (Status.SNOOZED, 1)
    assert [o.status for o in store.occurrences("2026-11-24", status=Status.SNOOZED)] == [Status.SNOOZED]
    assert history.occurrence("morning", "2026-11-24") is None
    assert [level for level, _ in lines] == ["error"]  # said once, not per write


def test_once_the_disk_takes_writes_everything_lands_in_order_and_it_says_so(setup: Any) -> None:
    history, refusing, store, lines = setup
    store.record("morning", "2026-11-24", T0, Kind.SHOWN, T0, status=Status.SHOWING)
    store.set_state("paused_until", (T0 + timedelta(hours=1)).isoformat())
    refusing.full = False
    store.record("morning", "2026-11-24", T0, Kind.SKIPPED, T0 + timedelta(minutes=1))
    assert [(r[1], r[3]) for r in history.event_rows()] == [("morning", "shown"), ("morning", "skipped")]
    assert history.paused_until() == T0 + timedelta(hours=1)
    assert lines[-1] == ("notice", "the history store takes writes again; nothing was lost")


def test_a_reopen_the_disk_refused_reads_as_reopened_and_lands_later(setup: Any) -> None:
    history, refusing, store, _ = setup
    refusing.full = False
    store.record("morning", "2026-11-24", T0, Kind.SKIPPED, T0)
    refusing.full = True
    store.reopen("morning", "2026-11-24", T0 + timedelta(minutes=1))
    assert store.occurrence("morning", "2026-11-24") is None
    assert store.occurrences("2026-11-24") == []
    refusing.full = False
    store.set_state("alive_at", T0.isoformat())  # the next write flushes the ones kept
    assert history.occurrence("morning", "2026-11-24") is None
    assert [r[3] for r in history.event_rows()] == ["skipped", "unskipped"]


def test_a_pause_and_a_resume_the_disk_refused_are_read_back_as_they_will_be(setup: Any) -> None:
    history, _, store, _ = setup
    until = T0 + timedelta(hours=1)
    store.set_state("paused_until", until.isoformat())
    assert store.paused_until() == until and history.paused_until() is None
    store.set_state("paused_until", None)  # `stretchd resume` while the disk is full
    assert store.paused_until() is None and store.get_state("paused_until") is None


def test_a_close_that_still_cannot_write_says_in_one_line_what_is_lost(setup: Any) -> None:
    _, _, store, lines = setup
    store.record("evening", "2026-11-24", T0, Kind.SKIPPED, T0)
    store.set_state("paused_until", (T0 + timedelta(hours=1)).isoformat())
    store.close()
    assert lines[-1][0] == "error" and lines[-1][1].endswith(
        "h.sqlite3: cannot write the history; lost at this stop: evening skipped, a pause")


def test_a_history_that_could_not_be_opened_for_writing_is_opened_when_a_write_is_due(tmp_path: Path) -> None:
    """Read as it stands meanwhile; what waits lands in order once it opens."""
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        h.record("morning", "2026-11-23", T0 - timedelta(days=1), Kind.SHOWN, T0 - timedelta(days=1),
                 status=Status.SHOWING)
    lines: list[tuple[str, str]] = []
    writable = False

    def reopen() -> History:
        if not writable:
            raise StretchdError(f"{path}: cannot open the history database: readonly")
        return History(path)

    store = BufferedStore(History.for_reading(path), lambda level, m: lines.append((level, m)), reopen)
    assert store.occurrence("morning", "2026-11-23") is not None  # the history as it stands
    store.record("evening", "2026-11-24", T0, Kind.SKIPPED, T0)
    assert store.occurrence("evening", "2026-11-24") is not None and lines == []  # said at start
    writable = True
    store.set_state("alive_at", T0.isoformat())
    store.close()
    with History(path) as h:
        assert [(r[1], r[3]) for r in h.event_rows()] == [("morning", "shown"), ("evening", "skipped")]
        assert h.get_state("alive_at") == T0.isoformat()
    assert lines == [("notice", "the history store takes writes again; nothing was lost")]


@pytest.mark.parametrize("how", ["deleted", "deleted with its -wal and -shm", "replaced by a new one"])
def test_a_history_deleted_under_it_is_carried_on_at_its_path_with_all_it_held(
        tmp_path: Path, how: str) -> None:
    path = tmp_path / "h.sqlite3"
    lines: list[tuple[str, str]] = []
    store = BufferedStore(History(path), lambda level, m: lines.append((level, m)))
    store.record("morning", "2026-11-24", T0, Kind.SHOWN, T0, status=Status.SHOWING)
    store.set_state("paused_until", (T0 + timedelta(hours=1)).isoformat())
    for f in [path] + ([tmp_path / "h.sqlite3-wal", tmp_path / "h.sqlite3-shm"] if "-wal" in how else []):
        f.unlink()
    if how == "replaced by a new one":  # `stretchd history`, say, made a new one; a walk ended in it
        with History(path) as h:
            h.start_walk("shotgun", "morning", T0 + timedelta(minutes=1), 3)
    store.record("morning", "2026-11-24", T0, Kind.SNOOZED, T0 + timedelta(minutes=2), snoozes=1,
                 snoozed_until=T0 + timedelta(minutes=12))
    store.record("evening", "2026-11-24", T0, Kind.SKIPPED, T0 + timedelta(minutes=3))
    store.close()
    with History(path) as h:
        assert [(r[1], r[3]) for r in h.event_rows()] == [
            ("morning", "shown"), ("morning", "snoozed"), ("evening", "skipped")]
        got = h.occurrence("morning", "2026-11-24")
        assert got is not None and (got.status, got.snoozes) == (Status.SNOOZED, 1)
        assert h.paused_until() == T0 + timedelta(hours=1)
        assert len(h.walks()) == (1 if how == "replaced by a new one" else 0)
    assert [level for level, m in lines if "deleted or replaced" in m] == ["warning"]  # said once
