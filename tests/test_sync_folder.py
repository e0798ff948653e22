"""The shared folder of [sync]: its line format, and its files read and written as untrusted
input from other computers."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from stretchd.sync.events import (
    MAX_LINE,
    BadLine,
    Event,
    Wire,
    decode,
    encode,
    file_name,
    new_id,
    parse_file_name,
)
from stretchd.sync.folder import CHUNK, MAX_FILE, Mark, SharedFolder

TOKYO = timezone(timedelta(hours=9))
AT = datetime(2026, 12, 7, 7, 31, 2, 123000, tzinfo=TOKYO)


def event(kind: Wire = Wire.SKIPPED, **kw: object) -> Event:
    fields: dict[str, object] = {"id": new_id(), "device": "desktop", "kind": kind, "at": AT,
                                 "reminder": "morning", "occurrence": "2026-12-07"}
    fields.update(kw)
    return Event(**fields)  # type: ignore[arg-type]


def test_an_event_reads_back_as_it_was_written_with_its_computers_time() -> None:
    for e in (event(), event(Wire.SNOOZED, until=AT + timedelta(minutes=10)),
              event(Wire.COMPLETED, routine="shotgun", seconds=40.0)):
        line = encode(e)
        assert line.endswith(b"\n") and b"\n" not in line[:-1]
        back = decode(line[:-1], "desktop")
        assert back == e
        assert back.at.utcoffset() == timedelta(hours=9)  # shown in that computer's time


def test_an_event_dated_in_the_future_is_taken() -> None:
    later = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    assert decode(encode(event(at=later))[:-1], "desktop").at == later


@pytest.mark.parametrize(("line", "why"), [
    (b'{"v":1,"id":"0123456789abcdef0123456789abcdef","kind":"skipped","at":"2026-12-07T07:3',
     "not JSON"),  # cut short by a sync caught half way
    (b"\x00\xff\xfe binary \x1b[31m junk", "not JSON"),
    (b"[1, 2]", "not an object"),
    (b'{"v":2,"id":"0123456789abcdef0123456789abcdef"}', "version"),
    (b'{"v":1,"id":"../../etc/passwd","kind":"skipped"}', "id"),
    (b'{"v":1,"id":"0123456789abcdef0123456789abcdef","kind":"rm -rf","at":"2026-12-07T07:31:00+01:00"}',
     "kind"),
    (b'{"v":1,"id":"0123456789abcdef0123456789abcdef","kind":"skipped","at":"2026-12-07T07:31:00",'
     b'"reminder":"morning","occurrence":"2026-12-07"}', "UTC offset"),
    (b'{"v":1,"id":"0123456789abcdef0123456789abcdef","kind":"skipped","at":"2026-12-07T07:31:00+01:00",'
     b'"reminder":"<b>x</b>\\u001b[2J","occurrence":"2026-12-07"}', "reminder is not a name"),
    (b'{"v":1,"id":"0123456789abcdef0123456789abcdef","kind":"skipped","at":"2026-12-07T07:31:00+01:00",'
     b'"reminder":"morning","occurrence":"tomorrow"}', "occurrence"),
    (b'{"v":1,"id":"0123456789abcdef0123456789abcdef","kind":"completed","at":"2026-12-07T07:31:00+01:00",'
     b'"routine":"shotgun","seconds":1e300}', "seconds"),
    (b'{"v":1,"id":"0123456789abcdef0123456789abcdef","kind":"snoozed","at":"2026-12-07T07:31:00+01:00",'
     b'"reminder":"morning","occurrence":"2026-12-07"}', "until"),
    (b"[" * 100_000, "over"),
])
def test_a_line_that_is_not_an_event_is_refused_with_the_reason(line: bytes, why: str) -> None:
    with pytest.raises(BadLine, match=why if why != "over" else f"over {MAX_LINE // 1024} KiB"):
        decode(line, "desktop")


def test_file_names_give_the_writer_and_month_and_nothing_else_is_read() -> None:
    assert file_name("laptop", AT) == "laptop.2026-12.jsonl"
    got = parse_file_name("laptop.2026-12.jsonl")
    assert got is not None and (got.device, got.month, got.conflict) == ("laptop", "2026-12", False)
    # Syncthing's copy when two computers wrote one file: the clash is seen.
    copy = parse_file_name("laptop.2026-12.sync-conflict-20261207-060415-J6UQKLE.jsonl")
    assert copy is not None and copy.device == "laptop" and copy.conflict
    for other in (".syncthing.laptop.2026-12.jsonl.tmp", "~syncthing~laptop.2026-12.jsonl.tmp",
                  ".stfolder", "../x.2026-12.jsonl", "..x.2026-12.jsonl", "laptop.jsonl",
                  "a/b.2026-12.jsonl", "x" * 41 + ".2026-12.jsonl"):
        assert parse_file_name(other) is None, other


@pytest.fixture
def folder(tmp_path: Path) -> SharedFolder:
    path = tmp_path / "shared"
    f = SharedFolder(path, "laptop")
    assert f.make()
    return f


def test_the_folder_and_what_this_computer_writes_there_are_its_owners_alone(folder: SharedFolder) -> None:
    folder.append({"laptop.2026-12.jsonl": [encode(event())]})
    assert stat.S_IMODE(folder.path.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder.path / "laptop.2026-12.jsonl").stat().st_mode) == 0o600


def test_a_folder_whose_parent_is_missing_is_not_made(tmp_path: Path) -> None:
    """An unmounted drive's path: nothing is written under its mount point."""
    f = SharedFolder(tmp_path / "media" / "usb" / "stretchd", "laptop")
    assert not f.make() and not (tmp_path / "media").exists()


def test_a_file_is_read_from_where_it_was_last_read_and_a_half_line_waits(folder: SharedFolder) -> None:
    one, two = encode(event()), encode(event())
    path = folder.path / "desktop.2026-12.jsonl"
    path.write_bytes(one + two[:20])
    path.chmod(0o600)
    first = folder.read(path.name, Mark())
    assert first.lines == [one[:-1]]
    with path.open("ab") as f:
        f.write(two[20:])
    second = folder.read(path.name, first.mark)
    assert second.lines == [two[:-1]]
    assert folder.read(path.name, second.mark).lines == []


def test_a_file_the_engine_renamed_into_place_is_read_on_from_the_same_offset(folder: SharedFolder) -> None:
    """Syncthing writes the new version beside the old and renames it over: a new inode."""
    one, two = encode(event()), encode(event())
    path = folder.path / "desktop.2026-12.jsonl"
    path.write_bytes(one)
    path.chmod(0o600)
    mark = folder.read(path.name, Mark()).mark
    tmp = folder.path / ".syncthing.desktop.2026-12.jsonl.tmp"
    tmp.write_bytes(one + two)
    tmp.chmod(0o600)
    os.replace(tmp, path)
    assert folder.read(path.name, mark).lines == [two[:-1]]
    # Another file under that name (its start differs): read from its beginning.
    three = encode(event())
    path.write_bytes(three + two)
    assert folder.read(path.name, mark).lines == [three[:-1], two[:-1]]


def test_a_cut_line_of_this_computer_never_swallows_the_next(folder: SharedFolder) -> None:
    path = folder.path / "laptop.2026-12.jsonl"
    path.write_bytes(b'{"v":1,"id":"cut')
    path.chmod(0o600)
    line = encode(event())
    folder.append({path.name: [line]})
    assert folder.read(path.name, Mark()).lines == [b'{"v":1,"id":"cut', line[:-1]]


def test_what_is_not_a_file_of_ours_is_not_read(folder: SharedFolder, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("not for the folder\n")
    (folder.path / "evil.2026-12.jsonl").symlink_to(secret)
    os.mkfifo(folder.path / "fifo.2026-12.jsonl")
    shared = folder.path / "open.2026-12.jsonl"
    shared.write_bytes(encode(event()))
    shared.chmod(0o622)  # another local user could write it
    big = folder.path / "big.2026-12.jsonl"
    with big.open("wb") as f:
        f.truncate(MAX_FILE + 1)
    big.chmod(0o600)
    reasons = {name: folder.read(name, Mark()).refused for name, _ in folder.names()}
    assert reasons["evil.2026-12.jsonl"] == "cannot be read: Too many levels of symbolic links"
    assert reasons["fifo.2026-12.jsonl"] == "not a regular file"
    assert reasons["open.2026-12.jsonl"] == "other users can write it"
    assert reasons["big.2026-12.jsonl"] == "over 16 MiB"


def test_a_long_line_is_skipped_and_the_lines_around_it_are_read(folder: SharedFolder) -> None:
    one, two = encode(event()), encode(event())
    path = folder.path / "desktop.2026-12.jsonl"
    path.write_bytes(one + b"x" * (3 * 1024 * 1024) + b"\n" + two)
    path.chmod(0o600)
    lines, skipped, mark = [], [], Mark()
    for _ in range(100):  # read a piece at a time
        got = folder.read(path.name, mark)
        lines += got.lines
        skipped += got.skipped
        mark = got.mark
        if not got.more:
            break
    assert lines[0] == one[:-1] and lines[-1] == two[:-1]
    assert skipped and all("over 4 KiB" in s for s in skipped)


@pytest.mark.parametrize("before", [CHUNK, CHUNK - 10, 2 * CHUNK + 7])
def test_the_end_of_a_long_line_is_never_taken_for_an_event(folder: SharedFolder, before: int) -> None:
    """A line too long to keep ends in something that looks like an event: it is still one
    line, skipped whole, wherever the pieces it is read in are cut."""
    tail, after = encode(event()), encode(event())
    path = folder.path / "desktop.2026-12.jsonl"
    path.write_bytes(b"x" * before + tail + after)
    path.chmod(0o600)
    lines, mark = [], Mark()
    for _ in range(100):
        got = folder.read(path.name, mark)
        lines += got.lines
        mark = got.mark
        if not got.more:
            break
    assert lines == [after[:-1]]


def test_an_existing_but_empty_parent_is_taken_for_a_drive_not_mounted(tmp_path: Path) -> None:
    mount_point = tmp_path / "media" / "usb"
    mount_point.mkdir(parents=True)
    assert not SharedFolder(mount_point / "stretchd", "laptop").make()
    assert list(mount_point.iterdir()) == []
    (mount_point / ".stfolder").mkdir()  # mounted: Syncthing's marker is there
    assert SharedFolder(mount_point / "stretchd", "laptop").make()
