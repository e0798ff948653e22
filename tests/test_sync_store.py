"""The history's side of [sync]: a history from before it, one replaced under the daemon, and
lines under this computer's name that another history wrote."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stretchd.store import peers
from stretchd.store.buffered import BufferedStore
from stretchd.store.history import History, Kind, Status
from stretchd.store.migrations import MIGRATIONS, migrate
from stretchd.store.sharing import Exchange
from stretchd.sync.events import Event, Wire, encode, new_id
from stretchd.sync.folder import SharedFolder

pytestmark = pytest.mark.clock  # fixed dates

BERLIN = ZoneInfo("Europe/Berlin")
T = datetime(2026, 12, 7, 7, 30, tzinfo=BERLIN)


def folder(tmp_path: Path, device: str = "lap") -> SharedFolder:
    f = SharedFolder(tmp_path / "shared", device)
    (tmp_path / ".stfolder").mkdir(exist_ok=True)
    assert f.make()
    return f


def test_a_history_from_before_sync_is_shared_whole_the_first_time(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    migrate(db, MIGRATIONS[:4])  # as the last release left it
    db.execute("INSERT INTO events (at, reminder, occurrence, kind) VALUES (?, 'morning', "
               "'2026-12-06', 'skipped')", ((T - timedelta(days=1)).isoformat(),))
    db.execute("INSERT INTO walks (routine, reminder, started, ended, outcome, step, steps, seconds)"
               " VALUES ('shotgun', NULL, ?, ?, 'completed', 4, 4, 40)",
               ((T - timedelta(days=1)).isoformat(), (T - timedelta(days=1, seconds=-50)).isoformat()))
    db.close()
    h = History(path)
    f = folder(tmp_path)
    assert Exchange(h, f).send() == 2
    other = Exchange(History(tmp_path / "desk.sqlite3"), SharedFolder(f.path, "desk")).take_in()
    assert [(e.kind, e.reminder) for e in other.new] == [(Wire.SKIPPED, "morning"),
                                                         (Wire.COMPLETED, None)]


def test_a_history_replaced_under_the_daemon_by_an_older_copy_counts_each_walk_once(
        tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    h = History(path)
    walk = h.start_walk("shotgun", None, T, 4)
    h.finish_walk(walk, T + timedelta(seconds=50), outcome="completed", step=4, seconds=40.0)
    h.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(path, tmp_path / "backup.sqlite3")  # before it was shared
    Exchange(h, folder(tmp_path)).send()
    store = BufferedStore(h, lambda level, text: None)
    (tmp_path / "backup.sqlite3").replace(path)  # the backup restored while the daemon runs
    store.record("morning", "2026-12-07", T, Kind.SHOWN, T, status=Status.SHOWING)
    assert store.store is not h  # followed to the file at its path
    assert store.completed_days() == {T.date(): 1}
    assert Exchange(store.store, SharedFolder(tmp_path / "shared", "lap")).send() == 1  # the shown


def test_lines_another_history_wrote_under_this_name_after_ours_are_a_clash(tmp_path: Path) -> None:
    h = History(tmp_path / "h.sqlite3")
    f = folder(tmp_path)
    h.record("morning", "2026-12-07", T, Kind.SHOWN, T, status=Status.SHOWING)
    ex = Exchange(h, f)
    ex.send()
    assert ex.take_in().clashes == set()  # its own lines read back: nothing
    stranger = Event(new_id(), "lap", Wire.SKIPPED, T, "morning", "2026-12-07", writer=new_id())
    with (f.path / "lap.2026-12.jsonl").open("ab") as out:
        out.write(encode(stranger))
    taken = ex.take_in()
    assert taken.clashes == {"lap"} and [e.id for e in taken.new] == [stranger.id]


def test_a_history_started_afresh_reads_its_old_lines_as_restored_not_as_a_clash(
        tmp_path: Path) -> None:
    old = History(tmp_path / "old.sqlite3")
    f = folder(tmp_path)
    old.record("morning", "2026-12-06", T, Kind.SKIPPED, T - timedelta(days=1))
    Exchange(old, f).send()
    fresh = History(tmp_path / "fresh.sqlite3")  # the history deleted, or a new install
    ex = Exchange(fresh, f)
    fresh.record("morning", "2026-12-07", T, Kind.SHOWN, T, status=Status.SHOWING)
    ex.send()  # after the old lines, in the same file
    taken = ex.take_in()
    assert taken.clashes == set()
    assert [(e.kind, e.occurrence) for e in taken.new] == [(Wire.SKIPPED, "2026-12-06")]
    # Its time as that computer wrote it: in the zone it had then (this machine's).
    last = (T - timedelta(days=1)).astimezone().isoformat(timespec="milliseconds")
    assert peers.computers(fresh) == {"lap": last}


def test_a_walk_that_start_opened_carries_the_occurrence_start_answered(tmp_path: Path) -> None:
    """Snoozed past midnight: the walk's own date is the next day, its reminder's is not."""
    h = History(tmp_path / "h.sqlite3")
    f = folder(tmp_path)
    yesterday = "2026-12-06"
    h.record("evening", yesterday, T - timedelta(hours=10), Kind.STARTED, T - timedelta(minutes=1))
    walk = h.start_walk("shotgun", "evening", T, 4)
    h.finish_walk(walk, T + timedelta(seconds=50), outcome="completed", step=4, seconds=40.0)
    Exchange(h, f).send()
    taken = Exchange(History(tmp_path / "desk.sqlite3"), SharedFolder(f.path, "desk")).take_in()
    completed = [e for e in taken.new if e.kind == Wire.COMPLETED]
    assert [(e.reminder, e.occurrence) for e in completed] == [("evening", yesterday)]
