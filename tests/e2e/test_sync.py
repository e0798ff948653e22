"""[sync] on two computers: two daemons, each with its own XDG home, session bus and dunst on
its own Xvfb display, and a folder two real Syncthing instances keep the same over loopback.

Both daemons run on stepped clocks set to the same moment; Syncthing runs on the real one."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.desktop import Desktop
from harness.history import events
from harness.kit import DaemonProcess, Tmux, require, stretchd_command, wait_for
from harness.sandbox import xdg_home
from harness.syncthing import SyncthingPair

pytestmark = pytest.mark.clock  # fake dates on the daemons' clocks

DAY = "2026-11-24"
SYNCED = 30.0  # seconds for Syncthing to carry a change over (about 2 s here)


@dataclass
class Computer:
    name: str
    env: dict[str, str]
    desktop: Desktop
    folder: Path
    daemon: DaemonProcess | None = None

    def write_config(self, reminders: str, device: str | None = None) -> None:
        config = Path(self.env["XDG_CONFIG_HOME"]) / "stretchd" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        terminal = json.dumps(["sh", "-c", "true"])
        config.write_text(f"[defaults]\nterminal = {terminal}\n{reminders}\n"
                          f'[sync]\nfolder = "{self.folder}"\ndevice = "{device or self.name}"\n')

    def start(self, root: Path, at: str) -> DaemonProcess:
        require("faketime")
        self.daemon = DaemonProcess(root, dict(self.desktop.env), faketime=at)
        self.daemon.wait_ready()
        return self.daemon

    def events(self, kind: str | None = None) -> list[tuple[Any, ...]]:
        where = f"WHERE kind = '{kind}'" if kind else ""
        return events(self.env, columns="reminder, kind, detail", where=where)


@pytest.fixture
def computers(tmp_path: Path) -> Iterator[tuple[Computer, Computer, SyncthingPair]]:
    require("syncthing", "dbus-daemon", "dbus-monitor", "Xvfb", "dunst", "dunstctl")
    made: list[Computer] = []
    try:
        for name in ("desk", "lap"):
            root = tmp_path / name
            env = {**xdg_home(root), "PATH": os.environ["PATH"]}
            desktop = Desktop(root / "desktop", environ=env).start()
            made.append(Computer(name, dict(desktop.env), desktop, root / "Sync" / "stretchd"))
        with SyncthingPair(tmp_path / "syncthing", made[0].folder, made[1].folder) as pair:
            yield made[0], made[1], pair
    finally:
        for c in made:
            if c.daemon is not None:
                c.daemon.stop()
            c.desktop.stop()


MORNING = '[reminders.morning]\ntime = "07:30"\nroutine = "shotgun"\n'


def test_a_skip_on_one_computer_closes_the_notification_on_the_other(
        tmp_path: Path, computers: tuple[Computer, Computer, SyncthingPair]) -> None:
    desk, lap, _ = computers
    for c in (desk, lap):
        c.write_config(MORNING)
        c.start(tmp_path / c.name, f"{DAY} 07:29:57")
    desk.desktop.wait_notify("Time to stretch", timeout=20)
    shown = lap.desktop.wait_notify("Time to stretch", timeout=20)
    desk.desktop.click("Skip")
    wait_for(lambda: lap.events("answered elsewhere"), SYNCED, "the laptop to take the skip")
    assert lap.events("answered elsewhere") == [("morning", "answered elsewhere", "skipped on desk")]
    # Closed by stretchd (CloseNotification: reason 3), not by the person.
    wait_for(lambda: any(c["id"] == shown["id"] and c["reason"] == 3 for c in lap.desktop.closed()),
             5, "the laptop's notification to close")
    assert lap.desktop.shown() == []
    history = lap.daemon.cli("history", "--json", check=True).stdout  # type: ignore[union-attr]
    rows = json.loads(history)
    assert {"reminder": "morning", "what": "skipped", "device": "desk"}.items() <= next(
        r for r in rows if r["device"] == "desk" and r["what"] == "skipped").items()


def test_a_walkthrough_done_on_one_computer_counts_on_the_other(
        tmp_path: Path, computers: tuple[Computer, Computer, SyncthingPair]) -> None:
    desk, lap, _ = computers
    for c in (desk, lap):
        c.write_config('[reminders.evening]\ntime = "21:00"\n')
        c.start(tmp_path / c.name, f"{DAY} 07:29:57")
    assert desk.daemon is not None and lap.daemon is not None
    require("tmux")
    tmux = Tmux(tmp_path / "tmux.sock", 100, 40)
    try:
        # On the desk's clock: not the one this test run may be under (CI moves it a year on),
        # which the tmux server would hand its panes.
        outer = [f"--unset={k}" for k in os.environ
                 if k.startswith("FAKETIME") and k not in desk.daemon.env]
        tmux.start(["/usr/bin/env", *outer, *stretchd_command(), "walk", "shotgun"],
                   {**desk.daemon.env, "LANG": "C.UTF-8", "TERM": "xterm-256color"})
        tmux.wait_screen("Press Enter to begin")
        tmux.keys("Enter")
        for k in range(1, 5):  # each step's get-ready and hold skipped with n, to the end
            tmux.wait_screen(f"step {k} of 4")
            tmux.wait_screen("n start it now")
            tmux.keys("n")
            tmux.wait_screen("n skip to the next")
            tmux.keys("n")
        tmux.wait_screen("Any key closes this screen")
        # A key in the end screen's first second is taken for a double-tapped n: press until
        # one closes it.
        wait_for(lambda: tmux.dead() or tmux.keys("x"), 20, "a key to close the walkthrough")
    finally:
        tmux.kill()

    def counted() -> dict[str, Any] | None:
        out = lap.daemon.cli("stats", "--json", check=True).stdout  # type: ignore[union-attr]
        stats: dict[str, Any] = json.loads(out)
        return stats if stats["walks"] else None

    stats = wait_for(counted, SYNCED, "the laptop's stats to count the desk's walk")
    assert isinstance(stats, dict)
    assert stats["walks"] == 1 and stats["routines"]["shotgun"]["completed"] == 1
    assert stats["streak"]["current"] == 1 and stats["streak"]["today_counts"]
    by_desk = json.loads(lap.daemon.cli("stats", "--json", "--device", "desk", check=True).stdout)
    by_lap = json.loads(lap.daemon.cli("stats", "--json", "--device", "lap", check=True).stdout)
    assert (by_desk["walks"], by_lap["walks"]) == (1, 0)


def test_answers_given_while_the_folder_could_not_sync_are_settled_without_showing(
        tmp_path: Path, computers: tuple[Computer, Computer, SyncthingPair]) -> None:
    """The desk reminds at 07:30 and 07:31, the laptop at 07:40 and 07:41. The desk's Syncthing
    is stopped while it answers both (a Skip, a Start); started again, the laptop settles both
    and shows neither when they come due."""
    desk, lap, pair = computers
    desk.write_config(MORNING + '[reminders.stand]\ntime = "07:31"\nroutine = "shotgun"\n')
    lap.write_config(MORNING.replace("07:30", "07:40")
                     + '[reminders.stand]\ntime = "07:41"\nroutine = "shotgun"\n')
    pair.stop("a")
    for c in (desk, lap):
        c.start(tmp_path / c.name, f"{DAY} 07:29:57")
    assert desk.daemon is not None and lap.daemon is not None
    desk.desktop.wait_notify(lambda n: "Morning" in n["body"], timeout=20)
    desk.desktop.click("Skip")
    desk.daemon.step_to_next()
    desk.desktop.wait_notify(lambda n: "Stand" in n["body"], timeout=20)
    desk.desktop.click("Start")
    wait_for(lambda: ("stand", "started") in [r[:2] for r in desk.events()], 10, "the desk's start")
    assert lap.events("answered elsewhere") == []
    pair.start("a")
    wait_for(lambda: len(lap.events("answered elsewhere")) == 2, SYNCED,
             "the laptop to settle both once the folder syncs")
    assert sorted(lap.events("answered elsewhere")) == [
        ("morning", "answered elsewhere", "skipped on desk"),
        ("stand", "answered elsewhere", "started on desk")]
    for name, at in (("morning", "07:40"), ("stand", "07:41")):  # each comes due in real time
        lap.daemon.clock.set(f"{DAY} {at}:00", before=2)  # type: ignore[union-attr]
        wait_for(lambda: f"{name} {DAY}: due, not shown" in lap.daemon.err(),  # type: ignore[union-attr]  # noqa: B023
                 20, f"the laptop's {name} to come due and not show")
    assert lap.desktop.notifications() == []


def test_two_computers_under_one_name_are_reported(
        tmp_path: Path, computers: tuple[Computer, Computer, SyncthingPair]) -> None:
    desk, lap, _ = computers
    for c in (desk, lap):
        c.write_config(MORNING, device="laptop")
        c.start(tmp_path / c.name, f"{DAY} 07:29:57")
    for c in (desk, lap):
        c.desktop.wait_notify("Time to stretch", timeout=20)

    def reported(c: Computer) -> str:
        out = c.daemon.cli("status").stdout  # type: ignore[union-attr]
        return out if "another computer also writes as 'laptop'" in out else ""

    wait_for(lambda: reported(desk) or reported(lap), SYNCED, "the clash to be reported")
