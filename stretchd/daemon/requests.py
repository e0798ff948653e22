"""The control socket's requests, each answered by its own function: a table from the request's
type to what the daemon does with it (control.py frames them, commands.py types them)."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from stretchd.daemon import commands
from stretchd.daemon.ports import Action
from stretchd.daemon.presenting import Presenter
from stretchd.daemon.shared import Shared
from stretchd.errors import ConfigError
from stretchd.i18n import _
from stretchd.store.state import pause, resume, skip_next, snooze_minutes, snooze_next, status, unskip

Reply = dict[str, Any]


class Requests:
    def __init__(self, shared: Shared, presenter: Presenter, *, rearm: Callable[[], None],
                 reload: Callable[[], str], running: Callable[[], dict[str, Any]]) -> None:
        self.shared = shared
        self.presenter = presenter
        self.rearm = rearm
        self.reload = reload
        self.running = running  # what `status` adds about the daemon itself
        self.table: dict[type[Any], Callable[[Any], Awaitable[Reply]]] = {
            commands.Status: self.status, commands.Snooze: self.snooze, commands.Skip: self.skip,
            commands.Unskip: self.unskip, commands.Pause: self.pause, commands.Resume: self.resume,
            commands.Reload: self.reload_config, commands.Ping: self.ping,
            commands.Walked: self.walked,
        }

    async def answer(self, message: dict[str, Any]) -> Reply:
        request = commands.from_wire(message)
        return await self.table[type(request)](request)

    async def status(self, request: commands.Status) -> Reply:
        showing = self.presenter.showing
        return {**status(self.shared.ctx, self.shared.now()), "running": True, "pid": os.getpid(),
                **self.running(),
                "showing": ({"reminder": showing.due.reminder.name, "snoozes": showing.snoozes}
                            if showing else None),
                "held": self.presenter.holds.status()}

    async def snooze(self, request: commands.Snooze) -> Reply:
        s, showing = self.shared, self.presenter.showing
        minutes = snooze_minutes(request.minutes, s.config)
        if showing is not None:
            return {"message": await self.presenter.act(showing, Action.SNOOZE, minutes)}
        reply = (self.presenter.answer_held(Action.SNOOZE, minutes, None)
                 or snooze_next(s.ctx, s.now(), minutes))
        self.rearm()
        return {"message": reply}

    async def skip(self, request: commands.Skip) -> Reply:
        showing = self.presenter.showing
        if showing is not None and request.reminder in (None, showing.due.reminder.name):
            return {"message": await self.presenter.act(showing, Action.SKIP)}
        return {"message": self.presenter.answer_held(Action.SKIP, None, request.reminder)
                or skip_next(self.shared.ctx, self.shared.now(), request.reminder)}

    async def unskip(self, request: commands.Unskip) -> Reply:
        s = self.shared
        now = s.now()
        reply, due = unskip(s.ctx, now, request.reminder)
        self.rearm()
        if due.at <= now:  # skipped while it showed, or since: show it now
            s.spawn(self.presenter.present(due, why="after an unskip"), f"showing {due.reminder.name}")
        return {"message": reply}

    async def pause(self, request: commands.Pause) -> Reply:
        return {"message": pause(self.shared.ctx, self.shared.now(), request.until)}

    async def resume(self, request: commands.Resume) -> Reply:
        return {"message": resume(self.shared.ctx)}

    async def reload_config(self, request: commands.Reload) -> Reply:
        try:
            return {"message": self.reload()}
        except ConfigError as e:
            # TRANSLATORS: {error} is what is wrong with the config, said in full.
            raise ConfigError(_("{error} (the daemon keeps the previous schedule)").format(
                error=e.message)) from None

    async def ping(self, request: commands.Ping) -> Reply:
        return {"message": "pong"}

    async def walked(self, request: commands.Walked) -> Reply:
        return {"message": "noted"}
