"""The control socket: one JSON request and one JSON reply per connection, owner only."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import struct
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from stretchd import paths
from stretchd.errors import ConfigError, DaemonNotRunning, StretchdError, UsageError

if TYPE_CHECKING:
    import asyncio

    from stretchd.daemon import Daemon

MAX_REQUEST = 64 * 1024
READ_TIMEOUT = 5.0
# Connections waiting to be accepted. The CLI connects with a timeout (non-blocking), so a
# full backlog fails it at once with EAGAIN; asyncio's default of 100 is soon full in a burst.
BACKLOG = 1024


def prepare_runtime_dir() -> None:
    d = paths.runtime_dir()
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(d, 0o700)  # mkdir's mode is masked, and the directory may predate us


def acquire_lock() -> IO[str]:
    """Hold the single-instance lock for as long as the returned file stays open."""
    prepare_runtime_dir()
    lock = open(paths.runtime_dir() / "daemon.lock", "a+")  # noqa: SIM115 (held for the life of the daemon)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        pid = lock.read().strip()
        lock.close()
        raise StretchdError(f"another stretchd is already running (pid {pid or '?'}); "
                            "`stretchd status` shows it") from None
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


def peer_uid(sock: socket.socket) -> int:
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


async def serve(daemon: Daemon) -> asyncio.AbstractServer:
    # Imported here, not at the top: the CLI's client side must not pay for asyncio.
    import asyncio

    prepare_runtime_dir()
    path = paths.socket_file()
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # stale: we hold the lock, so no live daemon owns it

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            sock = writer.get_extra_info("socket")
            if sock is None or peer_uid(sock) != os.getuid():
                reply: dict[str, Any] = {"ok": False, "error": "permission denied"}
            else:
                reply = await _answer(daemon, reader)
            writer.write(json.dumps(reply).encode() + b"\n")
            await writer.drain()
        except (OSError, ConnectionError):
            pass
        except asyncio.CancelledError:
            pass  # the daemon is stopping; ending quietly spares the log asyncio's traceback
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    old_umask = os.umask(0o177)  # the socket is created 0600
    try:
        server = await asyncio.start_unix_server(handle, path=str(path), limit=MAX_REQUEST,
                                                 backlog=BACKLOG)
    finally:
        os.umask(old_umask)
    os.chmod(path, 0o600)
    return server


async def _answer(daemon: Daemon, reader: asyncio.StreamReader) -> dict[str, Any]:
    import asyncio

    try:
        line = await asyncio.wait_for(reader.readline(), READ_TIMEOUT)
    except TimeoutError:
        return {"ok": False, "error": "timed out reading the request"}
    except (ValueError, asyncio.LimitOverrunError):
        return {"ok": False, "error": f"request larger than {MAX_REQUEST} bytes"}
    try:
        request = json.loads(line)
        if not isinstance(request, dict) or not isinstance(request.get("cmd"), str):
            raise ValueError
    except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
        return {"ok": False, "error": "not a JSON object with a cmd"}
    try:
        return {"ok": True, **await dispatch(daemon, request)}
    except StretchdError as e:
        return {"ok": False, "error": e.message, "exit": e.exit_code}
    except Exception as e:  # a bug must not stop the daemon; say what it was
        from stretchd.journal import log

        log("error", f"control request {request.get('cmd')!r} failed: {type(e).__name__}: {e}")
        return {"ok": False, "error": f"internal error: {type(e).__name__}"}


async def dispatch(daemon: Daemon, request: dict[str, Any]) -> dict[str, Any]:
    from stretchd import state

    cmd = request["cmd"]
    now = daemon.now()
    ctx = daemon.ctx
    showing = daemon.showing
    if cmd == "status":
        info = state.status(ctx, now)
        info["running"] = True
        info["pid"] = os.getpid()
        info["desktop"] = getattr(daemon.notifier, "on_desktop", None)
        info["showing"] = ({"reminder": showing.due.reminder.name, "snoozes": showing.snoozes}
                           if showing else None)
        return info
    if cmd == "snooze":
        minutes = request.get("minutes") or ctx.config.defaults.snooze_minutes
        if not isinstance(minutes, int) or not 1 <= minutes <= 240:
            raise UsageError("minutes: use a whole number from 1 to 240")
        if showing is not None:
            return {"message": await daemon.act(showing, "snooze", minutes)}
        message = state.snooze_next(ctx, now, minutes)
        daemon.arm()
        return {"message": message}
    if cmd == "skip":
        reminder = request.get("reminder")
        if reminder is not None and not isinstance(reminder, str):
            raise UsageError("skip: reminder must be a reminder's name")
        if showing is not None and reminder in (None, showing.due.reminder.name):
            return {"message": await daemon.act(showing, "skip")}
        return {"message": state.skip_next(ctx, now, reminder)}
    if cmd == "pause":
        try:
            until = datetime.fromisoformat(request["until"])
        except (KeyError, TypeError, ValueError):
            until = None
        if until is None or until.tzinfo is None:  # a naive time stored would break every later check
            raise UsageError("pause: give until as an ISO date and time with its UTC offset")
        return {"message": state.pause(ctx, now, until)}
    if cmd == "resume":
        return {"message": state.resume(ctx)}
    if cmd == "reload":
        try:
            return {"message": daemon.reload()}
        except ConfigError as e:
            raise ConfigError(f"{e.message} (the daemon keeps the previous schedule)") from None
    if cmd == "ping":
        return {"message": "pong"}
    raise UsageError(f"unknown command {cmd!r}")


def request(message: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    """Send one request to the running daemon; DaemonNotRunning if there is none."""
    path = paths.socket_file()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise DaemonNotRunning("the daemon is not running; start it with `stretchd run` "
                                   "or `stretchd service install`") from None
        except OSError as e:
            raise StretchdError(f"{path}: cannot reach the daemon: {e.strerror or e}") from None
        try:
            s.sendall(json.dumps(message).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError as e:
            raise StretchdError(f"the daemon did not answer: {e.strerror or e}") from None
    try:
        reply = json.loads(data)
    except ValueError:
        raise StretchdError("the daemon's answer was not understood") from None
    if not isinstance(reply, dict):
        raise StretchdError("the daemon's answer was not understood")
    return reply
