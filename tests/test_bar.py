"""The lines `stretchd status --follow` prints for bars, from a state the daemon pushed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from stretchd.cli import cli
from stretchd.ipc.bar import BadFormat, check_template, countdown_wait, in_words, render

NOW = datetime(2026, 6, 1, 7, 7, 30, tzinfo=UTC)
STATE = {"running": True, "state": "waiting", "showing": None, "held": [], "paused_until": None,
         "next": {"reminder": "morning", "at": (NOW + timedelta(minutes=22, seconds=30)).isoformat(),
                  "routine": "shotgun", "snoozed": False},
         "done_today": 1, "streak": 4, "today_counts": True, "streak_goal": 2}


def test_waybar_has_text_tooltip_class_and_percentage() -> None:
    line = json.loads(render(STATE, "waybar", NOW))
    assert line["text"] == "morning in 23 min · 1 today · streak 4"
    assert line["class"] == "waiting" and line["percentage"] == 50  # 1 of the goal's 2
    assert "Next: morning (shotgun)" in line["tooltip"] and "Streak: 4 days" in line["tooltip"]


@pytest.mark.parametrize(("state", "text"), [
    ({"state": "showing", "showing": "morning"}, "stretch now: morning"),
    ({"state": "held", "held": [{"reminder": "morning", "reason": "microphone in use"}]},
     "held: morning (microphone in use)"),
    ({"state": "snoozed", "next": {**STATE["next"], "snoozed": True}}, "morning in 23 min (snoozed)"),
    ({"state": "idle", "next": None}, "no reminders"),
])
def test_each_state_reads_as_a_line_for_polybar_and_i3blocks(state: dict[str, object], text: str) -> None:
    line = render({**STATE, **state}, "polybar", NOW)
    assert line == f"{text} · 1 today · streak 4"
    assert render({**STATE, **state}, "i3blocks", NOW) == line


def test_not_running_is_a_line_too() -> None:
    assert render({"running": False}, "text", NOW) == "stretchd not running"
    refused = {"running": False, "error": "unknown command 'follow'"}
    assert render(refused, "text", NOW) == "stretchd: unknown command 'follow'"
    assert json.loads(render({"running": False}, "waybar", NOW))["class"] == "stopped"


def test_a_template_names_fields_and_an_unknown_one_is_refused() -> None:
    assert render(STATE, "{next_in} {streak}", NOW) == "in 23 min 4"
    check_template("{next} at {next_at}")
    with pytest.raises(BadFormat, match=r"\{streek\} is not a field; use \{state\}"):
        check_template("{streek}")
    for bad in ("waybr", "{done:d}", "{next_in:{foo}}", "{streak!x}"):
        with pytest.raises(BadFormat):
            check_template(bad)
    got = CliRunner().invoke(cli, ["status", "--follow", "--format", "{streek}"])
    assert got.exit_code == 2 and "{streek} is not a field" in got.output
    assert CliRunner().invoke(cli, ["status", "--format", "json"]).exit_code == 2


def test_the_countdown_redraws_when_its_minute_changes_and_not_otherwise() -> None:
    assert countdown_wait(STATE, NOW) == pytest.approx(30.05)
    assert countdown_wait({**STATE, "state": "paused"}, NOW) is None
    assert countdown_wait({"running": False}, NOW) is None
    assert [in_words(m) for m in (0, 1, 59, 60, 61, 1440)] == [
        "now", "in 1 min", "in 59 min", "in 1 h", "in 1 h 1 min", "in 24 h"]


def test_a_daemon_that_answers_without_a_state_is_not_asked_again_at_once(xdg: object) -> None:
    """An older daemon refusing `follow`, or one that cannot read its state: the client shows
    why and waits before it tries again, instead of spinning."""
    import io
    import socket
    import threading
    import time

    from stretchd import paths
    from stretchd.ipc.bar import follow

    path = paths.socket_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(16)
    connections = 0

    def refuse() -> None:
        nonlocal connections
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            connections += 1
            conn.makefile("rb").readline()  # its request, read: closing on it unread would reset
            conn.sendall(b'{"ok": false, "error": "unknown command \'follow\'"}\n')
            conn.close()

    threading.Thread(target=refuse, daemon=True).start()
    out, end = io.StringIO(), time.monotonic() + 1.0
    follow("text", out=out, reconnect=0.25, done=lambda: time.monotonic() > end)
    server.close()
    assert 2 <= connections <= 5
    assert out.getvalue().splitlines() == ["stretchd: unknown command 'follow'"]
