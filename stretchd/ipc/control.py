"""The control socket, transport only: one JSON request and one JSON reply per connection,
the owner's alone, and the single-instance lock. What a request means is the handler's."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import IO, TYPE_CHECKING, Any

from stretchd import paths
from stretchd.errors import DaemonNotRunning, StretchdError
from stretchd.i18n import _

if TYPE_CHECKING:
    import asyncio

# Answers one decoded request ({"cmd": ..., ...}) with the reply's fields; a StretchdError
# becomes an error reply carrying its exit code.
Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
# Keeps a `follow` connection: writes a line a change to it until the client goes.
Follower = Callable[["asyncio.StreamReader", "asyncio.StreamWriter"], Awaitable[None]]

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
        # TRANSLATORS: {pid} is the other daemon's process id, or "?".
        raise StretchdError(_("another stretchd is already running (pid {pid}); `stretchd status` "
                              "shows it").format(pid=pid or "?")) from None
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


def peer_uid(sock: socket.socket) -> int:
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


async def serve(handler: Handler, follower: Follower | None = None) -> asyncio.AbstractServer:
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
                # TRANSLATORS: the daemon's answer to a program of another user.
                reply: dict[str, Any] = {"ok": False, "error": _("permission denied")}
            else:
                request, reply = await _read(reader)
                if request is not None and request["cmd"] == "follow" and follower is not None:
                    await follower(reader, writer)  # until the client goes
                    return
                if request is not None:
                    reply = await _answer(handler, request)
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


async def _read(reader: asyncio.StreamReader) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The request, or None and the error reply."""
    import asyncio

    try:
        line = await asyncio.wait_for(reader.readline(), READ_TIMEOUT)
    except TimeoutError:
        # TRANSLATORS: the daemon's answer when the command's request did not come in time.
        return None, {"ok": False, "error": _("timed out reading the request")}
    except (ValueError, asyncio.LimitOverrunError):
        # TRANSLATORS: the daemon's answer to a request too large; {limit} is a number of bytes.
        return None, {"ok": False, "error": _("request larger than {limit} bytes").format(limit=MAX_REQUEST)}
    try:
        request = json.loads(line)
        if not isinstance(request, dict) or not isinstance(request.get("cmd"), str):
            raise ValueError
    except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
        # TRANSLATORS: the daemon's answer to a request it cannot read; JSON and cmd are as they are.
        return None, {"ok": False, "error": _("not a JSON object with a cmd")}
    return request, {}


async def _answer(handler: Handler, request: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"ok": True, **await handler(request)}
    except StretchdError as e:
        return {"ok": False, "error": e.message, "exit": e.exit_code}
    except Exception as e:  # a bug must not stop the daemon; say what it was
        from stretchd.journal import log

        log("error", f"control request {request.get('cmd')!r} failed: {type(e).__name__}: {e}")
        # TRANSLATORS: the daemon's answer when it failed (a bug); {error} is the Python error's name.
        return {"ok": False, "error": _("internal error: {error}").format(error=type(e).__name__)}


def request(message: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    """Send one request to the running daemon; DaemonNotRunning if there is none."""
    path = paths.socket_file()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise DaemonNotRunning(_("the daemon is not running; start it with `stretchd run` "
                                     "or `stretchd service install`")) from None
        except OSError as e:
            # TRANSLATORS: {file} is the daemon's socket; {error} the system's reason.
            raise StretchdError(_("{file}: cannot reach the daemon: {error}").format(
                file=path, error=e.strerror or e)) from None
        try:
            s.sendall(json.dumps(message).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError as e:
            # TRANSLATORS: {error} is the system's reason.
            raise StretchdError(_("the daemon did not answer: {error}").format(
                error=e.strerror or e)) from None
    try:
        reply = json.loads(data)
    except ValueError:
        raise StretchdError(_("the daemon's answer was not understood")) from None
    if not isinstance(reply, dict):
        raise StretchdError(_("the daemon's answer was not understood"))
    return reply
