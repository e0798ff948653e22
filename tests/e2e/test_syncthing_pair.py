"""The Syncthing harness: two real instances on loopback keep one folder the same."""

from __future__ import annotations

from pathlib import Path

from harness.syncthing import SyncthingPair


def append(path: Path, line: str) -> None:
    with path.open("a") as f:
        f.write(line)


def test_a_file_written_and_appended_in_one_folder_reaches_the_other_also_across_a_restart(
        tmp_path: Path) -> None:
    with SyncthingPair(tmp_path / "st", tmp_path / "A", tmp_path / "B") as pair:
        in_a, in_b = pair.a.folder / "history.log", pair.b.folder / "history.log"

        in_a.write_text("one\n")
        assert pair.wait_same("history.log") == b"one\n"

        append(in_a, "two\n")
        pair.wait_same("history.log")
        assert in_b.read_text() == "one\ntwo\n"

        pair.stop("a")
        append(in_a, "three\n")  # while a is stopped: its first scan at the start finds it
        pair.start("a")
        pair.wait_same("history.log")
        assert in_b.read_text() == "one\ntwo\nthree\n"
