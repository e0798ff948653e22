"""The daemon's parts, each with plain values: the request table, the followers, the clock watch."""

from __future__ import annotations

import asyncio
import typing
from datetime import timedelta
from pathlib import Path
from typing import Any

from harness.world import CONFIG, T0, World
from stretchd.daemon import commands
from stretchd.daemon.clock_watch import ClockWatch
from stretchd.daemon.followers import Followers


def test_every_request_the_cli_can_send_has_its_answer_in_the_table(tmp_path: Path) -> None:
    w = World(tmp_path, CONFIG, T0 - timedelta(minutes=1))
    assert set(w.d.requests.table) == set(typing.get_args(commands.Request))
    w.store.close()


class Writer:
    def __init__(self) -> None:
        self.lines: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.lines.append(data)


def test_followers_get_a_line_only_when_the_state_changes() -> None:
    state = {"state": "waiting"}
    followers = Followers(lambda: dict(state))
    writer = Writer()
    followers.writers.add(writer)  # type: ignore[arg-type]
    followers.publish()
    followers.publish()  # nothing changed: nothing sent
    state["state"] = "showing"
    followers.publish()
    assert writer.lines == [b'{"state": "waiting"}\n', b'{"state": "showing"}\n']


def test_the_clock_watch_tells_a_jump_from_time_passing(tmp_path: Path) -> None:
    w = World(tmp_path, CONFIG, T0 - timedelta(minutes=1))
    wall, mono = [T0 - timedelta(minutes=1)], [100.0]
    rearmed: list[bool] = []
    watch = ClockWatch(w.d.shared, mono=lambda: mono[0], zone=lambda: w.d.tz,
                       rearm=lambda: rearmed.append(True), show=lambda due: None)
    w.d.shared.now = lambda: wall[0]
    wall[0] += timedelta(seconds=60)
    mono[0] += 60
    watch.check()
    assert rearmed == []  # a minute on both clocks: time passed
    wall[0] += timedelta(hours=3)
    mono[0] += 60  # three hours on the wall in a minute: a suspend, or the clock set
    watch.check()
    assert rearmed == [True]
    w.store.close()


def test_a_follower_that_cannot_be_given_the_state_is_told_why(tmp_path: Path) -> None:
    from stretchd.errors import StretchdError

    def broken() -> dict[str, Any]:
        raise StretchdError("h.sqlite3: cannot read")

    followers = Followers(broken)
    writer = Writer()

    class Reader:
        async def read(self, n: int) -> bytes:
            return b""

    asyncio.run(followers.follow(Reader(), writer))  # type: ignore[arg-type]
    assert writer.lines == [b'{"ok": false, "error": "the daemon cannot read its state; see its log"}\n']
    assert not followers.writers
