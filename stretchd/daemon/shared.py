"""What every part of the daemon reads: the config as loaded now, the zone, the clock, the
store, and the one place tasks are started (each kept, its failure logged)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from stretchd.config import Config
from stretchd.config.loading import Loaded
from stretchd.journal import log
from stretchd.store.history import Store
from stretchd.store.state import Context


@dataclass
class Shared:
    loaded: Loaded  # replaced on a reload
    store: Store
    tz: tzinfo  # replaced when the machine's zone changes
    now: Callable[[], datetime]
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def config(self) -> Config:
        return self.loaded.config

    @property
    def ctx(self) -> Context:
        return Context(self.config, self.store, self.tz)

    def grace(self) -> timedelta:
        return timedelta(minutes=self.config.defaults.grace_minutes)

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        """Run coro as a task the daemon keeps, and log its exception rather than lose it."""
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self.tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                e = t.exception()
                log("error", f"{what} failed: {type(e).__name__}: {e}")

        task.add_done_callback(done)
        return task

    def spawn_soon(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        """spawn, where a loop runs (a reload called outside the daemon, in tests, has none)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            coro.close()
            return
        self.spawn(coro, what)
