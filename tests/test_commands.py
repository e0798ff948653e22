"""The requests the CLI sends the daemon: what goes on the wire comes back the same, and a
malformed one is refused with what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stretchd.daemon import commands
from stretchd.errors import UsageError


@pytest.mark.parametrize("request_", [
    commands.Status(), commands.Ping(), commands.Resume(), commands.Reload(),
    commands.Snooze(), commands.Snooze(15), commands.Skip(), commands.Skip("evening"),
    commands.Unskip(), commands.Unskip("morning"),
    commands.Pause(datetime(2026, 11, 24, 9, 0, tzinfo=UTC)),
])
def test_a_request_survives_the_wire(request_: commands.Request) -> None:
    import json

    assert commands.from_wire(json.loads(json.dumps(commands.to_wire(request_)))) == request_


@pytest.mark.parametrize(("message", "error"), [
    ({"cmd": "explode"}, "unknown command 'explode'"),
    ({"cmd": "snooze", "minutes": "lots"}, "minutes: use a whole number from 1 to 240"),
    ({"cmd": "snooze", "minutes": True}, "minutes: use a whole number from 1 to 240"),
    ({"cmd": "skip", "reminder": 3}, "skip: reminder must be a reminder's name"),
    ({"cmd": "pause", "until": "2030-01-01T00:00"}, "pause: give until as an ISO date and time with its UTC offset"),
    ({"cmd": "pause"}, "pause: give until as an ISO date and time with its UTC offset"),
])
def test_a_malformed_request_is_refused_saying_why(message: dict[str, object], error: str) -> None:
    with pytest.raises(UsageError) as e:
        commands.from_wire(message)
    assert e.value.message == error
