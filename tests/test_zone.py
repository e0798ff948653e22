"""The machine's zone, and the watch that notices it change."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stretchd.schedule import zone

BERLIN, NY = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def test_the_zone_watch_reads_the_zone_again_only_when_its_files_change(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    localtime = tmp_path / "localtime"
    localtime.write_text("one")
    monkeypatch.setattr(zone.ZoneWatch, "FILES", (str(localtime),))
    reads: list[bool] = []
    zones = iter([BERLIN, NY])
    monkeypatch.setattr(zone, "local_zone", lambda reload=False: reads.append(reload) or next(zones))
    watch = zone.ZoneWatch()
    assert watch() is BERLIN and watch() is BERLIN
    localtime.unlink()
    localtime.write_text("two")  # a new file, as `timedatectl set-timezone` makes
    assert watch() is NY
    assert reads == [False, True]
