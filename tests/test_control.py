"""The control socket as transport: a request reaches the handler and its reply comes back,
errors become replies with their exit code, and the socket is its owner's alone."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from stretchd import paths
from stretchd.errors import ConfigError, DaemonNotRunning, StretchdError
from stretchd.ipc import control

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def ask(handler: Handler, message: dict[str, Any]) -> dict[str, Any]:
    """Serve with handler, and send one request from a thread, as the CLI would."""
    async def go() -> dict[str, Any]:
        server = await control.serve(handler)
        try:
            return await asyncio.to_thread(control.request, message)
        finally:
            server.close()

    return asyncio.run(go())


def test_the_request_reaches_the_handler_and_its_reply_comes_back() -> None:
    seen: list[dict[str, Any]] = []

    async def handler(request: dict[str, Any]) -> dict[str, Any]:
        seen.append(request)
        return {"message": "pong"}

    assert ask(handler, {"cmd": "ping", "x": 1}) == {"ok": True, "message": "pong"}
    assert seen == [{"cmd": "ping", "x": 1}]


def test_a_refusal_carries_its_message_and_exit_code() -> None:
    async def handler(request: dict[str, Any]) -> dict[str, Any]:
        raise ConfigError("config.toml: broken")

    assert ask(handler, {"cmd": "reload"}) == {"ok": False, "error": "config.toml: broken", "exit": 78}


def test_a_bug_in_the_handler_is_an_internal_error_reply_and_a_log_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    async def handler(request: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("oops")

    assert ask(handler, {"cmd": "status"}) == {"ok": False, "error": "internal error: KeyError"}
    assert "control request 'status' failed: KeyError" in capsys.readouterr().err


def test_a_message_without_a_cmd_never_reaches_the_handler() -> None:
    async def handler(request: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("reached")

    assert ask(handler, {"what": "status"}) == {"ok": False, "error": "not a JSON object with a cmd"}


def test_the_socket_is_0600_in_a_0700_directory() -> None:
    async def handler(request: dict[str, Any]) -> dict[str, Any]:
        return {}

    ask(handler, {"cmd": "ping"})
    assert stat.S_IMODE(os.stat(paths.runtime_dir()).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(paths.socket_file()).st_mode) == 0o600


def test_with_no_daemon_a_request_says_so() -> None:
    with pytest.raises(DaemonNotRunning):
        control.request({"cmd": "status"})


def test_a_second_lock_names_the_first_holder() -> None:
    first = control.acquire_lock()
    try:
        with pytest.raises(StretchdError, match=rf"already running \(pid {os.getpid()}\)"):
            control.acquire_lock()
    finally:
        first.close()
    control.acquire_lock().close()  # free again once the first is gone
