"""Two daemons sharing one folder ([sync]), each with its own history and fake desktop: an
answer on one settles the same reminder on the other, as soon as inotify says the file changed."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from harness.world import T0, World
from stretchd.desktop.notify import Action
from stretchd.store.history import Kind, Status

pytestmark = pytest.mark.clock  # fixed dates

REMINDERS = '[reminders.morning]\ntime = "07:30"\n[reminders.evening]\ntime = "21:00"\n'


def pair(tmp_path: Path, b_extra: str = "") -> tuple[World, World]:
    shared = tmp_path / "shared"
    worlds = []
    for name, extra in (("desk", ""), ("lap", b_extra)):
        home = tmp_path / name
        home.mkdir()
        worlds.append(World(home, f'{REMINDERS}{extra}[sync]\nfolder = "{shared}"\ndevice = "{name}"\n',
                            T0 - timedelta(minutes=1)))
    return worlds[0], worlds[1]


async def until(what: Callable[[], object], text: str) -> None:
    """Wait on the loop (inotify's reader runs on it) for what the other daemon does."""
    for _ in range(1000):
        if what():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {text}")


def elsewhere(w: World) -> list[str | None]:
    return [r[4] for r in w.store.event_rows() if r[3] == Kind.ELSEWHERE]


@pytest.mark.parametrize(("action", "status", "detail"), [
    (Action.SKIP, Status.SKIPPED, "skipped on desk"),
    (Action.START, Status.STARTED, "started on desk"),
])
def test_an_answer_on_one_computer_closes_the_same_reminder_on_the_other(
        tmp_path: Path, action: Action, status: Status, detail: str) -> None:
    a, b = pair(tmp_path)

    async def scenario() -> None:
        a.d.catch_up_since_last_run()
        b.d.catch_up_since_last_run()
        await a.ring("reminder:morning")
        await b.ring("reminder:morning")
        assert len(b.notifier.shown) == 1
        await a.press(action)
        await until(lambda: elsewhere(b), "the lap to take the answer")
        await b.d.settle()

    asyncio.run(scenario())
    assert elsewhere(b) == [detail]
    assert b.notifier.closed == ["n1"]  # its notification closed
    assert b.d.showing is None
    got = b.store.occurrence("morning", T0.date().isoformat())
    assert got is not None and got.status == status
    assert not elsewhere(a)  # the desk's own answer is not sent back to it


def test_a_snooze_on_one_computer_brings_the_reminder_back_on_both_at_its_end(tmp_path: Path) -> None:
    a, b = pair(tmp_path)

    async def scenario() -> None:
        a.d.catch_up_since_last_run()
        b.d.catch_up_since_last_run()
        await a.ring("reminder:morning")
        await b.ring("reminder:morning")
        await a.press(Action.SNOOZE)
        await until(lambda: elsewhere(b), "the lap to take the snooze")
        await b.d.settle()
        assert b.notifier.closed == ["n1"]
        assert b.alarms.at(f"snooze:morning:{T0.date().isoformat()}") == T0 + timedelta(minutes=10)
        await b.ring(f"snooze:morning:{T0.date().isoformat()}")

    asyncio.run(scenario())
    assert len(b.notifier.shown) == 2  # back at the snooze's end, on the lap too


def test_an_answer_before_the_reminder_is_due_here_keeps_it_from_showing(tmp_path: Path) -> None:
    """The desk reminds at 07:30, the laptop at 08:00: a skip at the desk is the laptop's too."""
    a, b = pair(tmp_path, b_extra="")
    b.config_path.write_text(b.config_path.read_text().replace('"07:30"', '"08:00"'))
    b.d.reload()

    async def scenario() -> None:
        a.d.catch_up_since_last_run()
        b.d.catch_up_since_last_run()
        await a.ring("reminder:morning")
        await a.press(Action.SKIP)
        await until(lambda: elsewhere(b), "the lap to take the skip")
        await b.ring("reminder:morning")

    asyncio.run(scenario())
    assert b.notifier.shown == []
    assert [k for _, k in b.kinds()] == [Kind.ELSEWHERE]


def test_a_walk_completed_on_one_computer_counts_on_the_other(tmp_path: Path) -> None:
    a, b = pair(tmp_path)
    walk = a.store.start_walk("shotgun", None, T0, 3)
    a.store.finish_walk(walk, T0 + timedelta(seconds=50), outcome="completed", step=3, seconds=40.0)

    async def scenario() -> None:
        b.d.catch_up_since_last_run()
        a.d.catch_up_since_last_run()  # shares what it has at start
        await until(lambda: b.store.completed_days(), "the lap to count the desk's walk")

    asyncio.run(scenario())
    assert b.store.completed_days() == {T0.date(): 1}
    assert b.d.follow_state()["done_today"] == 1 and b.d.follow_state()["streak"] == 1
    assert [w.device for w in b.store.walks()] == ["desk"]


def test_with_no_folder_it_runs_alone_and_catches_up_when_the_folder_is_back(tmp_path: Path) -> None:
    a, b = pair(tmp_path)
    missing = tmp_path / "not-mounted" / "stretchd"
    for w in (a, b):
        w.config_path.write_text(w.config_path.read_text().replace(str(tmp_path / "shared"), str(missing)))
        w.d.reload()

    async def scenario() -> None:
        a.d.catch_up_since_last_run()
        b.d.catch_up_since_last_run()
        assert b.d.syncing.info() is not None and b.d.syncing.state == "alone"
        await a.ring("reminder:morning")
        await b.ring("reminder:morning")
        await a.press(Action.SKIP)  # kept in the desk's history until the folder is back
        missing.parent.mkdir()  # mounted: Syncthing's folder, with its marker
        (missing.parent / ".stfolder").mkdir()
        await a.d.tick()
        await b.d.tick()
        await until(lambda: elsewhere(b), "the lap to catch up")

    asyncio.run(scenario())
    assert elsewhere(b) == ["skipped on desk"]
    assert b.d.syncing.state == "on"


def test_junk_in_the_folder_is_skipped_said_once_and_what_is_valid_still_settles(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    monkeypatch.setattr("stretchd.daemon.syncing.log", lambda level, text: said.append(text))
    a, b = pair(tmp_path)
    shared = tmp_path / "shared"
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the folder\n")

    async def scenario() -> None:
        b.d.catch_up_since_last_run()
        (shared / "x.2026-11.jsonl").symlink_to(secret)
        junk = shared / "desk.2026-10.jsonl"
        junk.write_bytes(b"\x00\xff binary\n" + b"{" * 5000 + b"\n\x1b]0;owned\x07\n")
        junk.chmod(0o600)
        big = shared / "tab.2026-11.jsonl"
        with big.open("wb") as f:
            f.truncate(1 << 30)  # a 1 GB file (sparse): not read at all
        big.chmod(0o600)
        await until(lambda: any("desk.2026-10.jsonl" in s for s in said), "the junk to be seen")
        a.d.catch_up_since_last_run()
        await a.ring("reminder:morning")
        await b.ring("reminder:morning")
        await a.press(Action.SKIP)
        await until(lambda: elsewhere(b), "the lap to take the skip despite the junk")
        b.d.syncing._take(None)  # a second look at everything: nothing is said again

    asyncio.run(scenario())
    assert elsewhere(b) == ["skipped on desk"]
    problems = [s for s in said if "not read" in s or ("skipped" in s and "jsonl" in s)]
    # Three problems, each said once by each of the two daemons, however often they look.
    assert len(set(problems)) == 3 and set(Counter(problems).values()) == {2}, problems
    assert any("x.2026-11.jsonl: not read: cannot be read" in s for s in problems)
    assert any("tab.2026-11.jsonl: not read: over 16 MiB" in s for s in problems)
    assert any("desk.2026-10.jsonl: a line skipped: a line over 4 KiB (and 2 more)" in s
               for s in problems)
    assert not [s for s in said if "\x1b" in s or "owned" in s]


def test_an_answer_that_arrives_while_the_reminder_is_being_shown_still_closes_it(
        tmp_path: Path) -> None:
    """The answer comes between the decision to show and the server's reply: it waits for the
    reply, then closes what was shown (it is not overwritten by "showing")."""
    a, b = pair(tmp_path)
    gate = asyncio.Event()
    show = b.notifier.show

    async def slow_show(notice: object, on_action: object) -> str:
        await gate.wait()
        return await show(notice, on_action)  # type: ignore[arg-type]

    b.notifier.show = slow_show  # type: ignore[method-assign]

    async def scenario() -> None:
        a.d.catch_up_since_last_run()
        b.d.catch_up_since_last_run()
        await a.ring("reminder:morning")
        at, job = b.alarms.set_at.pop("reminder:morning")
        b.clock.advance(at)
        showing = asyncio.ensure_future(job())
        await until(lambda: b.d.presenter.presenting("morning", T0.date().isoformat()), "b to show")
        await a.press(Action.SKIP)
        await until(lambda: b.d.syncing._waiting, "the skip to reach b and wait")
        gate.set()
        await showing
        await b.d.settle()

    asyncio.run(scenario())
    assert len(b.notifier.shown) == 1 and b.notifier.closed == ["n1"]
    got = b.store.occurrence("morning", T0.date().isoformat())
    assert got is not None and got.status == Status.SKIPPED
    assert b.d.showing is None
