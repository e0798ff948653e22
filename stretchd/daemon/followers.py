"""`stretchd status --follow` clients: the state now, then a line each time it changes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from stretchd.errors import StretchdError
from stretchd.i18n import _
from stretchd.journal import log


class Followers:
    """The connected clients and the state they were last sent; `state` reads it afresh."""

    def __init__(self, state: Callable[[], dict[str, Any]]) -> None:
        self.state = state
        self.writers: set[asyncio.StreamWriter] = set()
        self.sent: dict[str, Any] | None = None

    def publish(self) -> None:
        """Send the state to every follower if it changed (nothing is done with none)."""
        if not self.writers:
            return
        try:
            state = self.state()
        except StretchdError as e:
            log("warning", f"status for followers: {e.message}")
            return
        except Exception as e:  # a bug here must not stop the clock watch or a request
            log("error", f"status for followers failed: {type(e).__name__}: {e}")
            return
        if state == self.sent:
            return
        self.sent = state
        line = (json.dumps(state) + "\n").encode()
        for writer in list(self.writers):
            try:
                writer.write(line)
            except (OSError, RuntimeError):
                self.writers.discard(writer)

    async def follow(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A client: the state now, then a line a change, until it goes."""
        self.writers.add(writer)
        self.sent = None  # the newcomer gets the state now (the others see it again)
        self.publish()
        if self.sent is None:  # it could not be read: say why, and let the client retry
            self.writers.discard(writer)
            # What a status bar shows in its place (its text and tooltip).
            error = _("the daemon cannot read its state; see its log")
            writer.write((json.dumps({"ok": False, "error": error}) + "\n").encode())
            return
        try:
            while await reader.read(4096):  # it sends nothing more; b"" when it goes
                pass
        except (OSError, ConnectionError):
            pass
        finally:
            self.writers.discard(writer)
