"""[sync]: one habit across computers. What this computer records goes to its own files in the
shared folder as it happens; what the others wrote is read as soon as inotify says it came,
and an answer there (Start, Skip, Snooze, a completed walkthrough) settles the same reminder
here: its notification closes, it does not show later, and the history says where it was
answered. With no folder (not mounted, not there yet), this computer runs alone and catches
up when the folder is back; the local history never depends on it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from stretchd.daemon.holding import Holds
from stretchd.daemon.presenting import Presenter
from stretchd.daemon.shared import Shared
from stretchd.errors import StretchdError
from stretchd.i18n import N_, _
from stretchd.journal import log
from stretchd.store import peers
from stretchd.store.buffered import BufferedStore
from stretchd.store.history import History
from stretchd.store.sharing import Exchange, Taken, settle
from stretchd.sync.events import Event, clash_text
from stretchd.sync.folder import FolderError, SharedFolder
from stretchd.sync.watch import Watch

MAX_SAID = 1000  # problems remembered so each is logged once


class Syncing:
    def __init__(self, shared: Shared, presenter: Presenter, holds: Holds, *,
                 rearm: Callable[[], None], publish: Callable[[], None]) -> None:
        self.shared = shared
        self.presenter = presenter
        self.holds = holds
        self.rearm = rearm
        self.publish = publish
        self.exchange: Exchange | None = None
        self.watch: Watch | None = None
        self.identity: tuple[int, int] | None = None
        self.setting: tuple[object, str] | None = None  # the [sync] the folder was set up for
        self.state = "off"  # "off" (no [sync]), "alone" (no folder now), "on"
        self.why = ""
        self.clashes: set[str] = set()
        self._said: set[str] = set()
        self._pending: set[str] = set()
        self._scheduled = False
        self._send_scheduled = False
        self._everything = False  # inotify's queue overflowed: read every file
        self._seen: set[object] = set()  # folders set up since the start
        # Answers for an occurrence being shown or held at that moment: applied once that is
        # done, or the SHOWING or HELD it records would come after them.
        self._waiting: dict[tuple[str, str], list[Event]] = {}
        presenter.done_presenting = self._presented

    # Setting up ------------------------------------------------------------------------

    def _history(self) -> History | None:
        """The history file as the store has it now (it follows a file replaced under it, or
        one opened for writing at last); None while it can only be read."""
        store = self.shared.store
        if isinstance(store, BufferedStore):
            if store.reading_only:
                return None
            store = store.store
        return store if isinstance(store, History) else None

    def _current(self) -> Exchange | None:
        """The exchange, over the history the store has now: built again if that changed."""
        if self.exchange is not None and self.exchange.history is not self._history():
            self.close()
            self.setting = None
            self.setup()
        return self.exchange

    def setup(self) -> None:
        """Watch the configured folder (at start, after a reload that changed [sync], and each
        minute while the folder is not there); catch up on what came meanwhile, quietly."""
        sync = self.shared.config.sync
        setting = (sync.folder, sync.name)
        if (setting == self.setting and self.state == "on" and self._same_folder()
                and self.exchange is not None and self.exchange.history is self._history()):
            return
        self.close()
        self.setting = setting
        if sync.folder is None:
            self.state, self.why = "off", ""
            return
        folder = SharedFolder(sync.folder, sync.name)
        history = self._history()
        # A folder seen before and gone now is a drive unmounted, or a folder moved: it is
        # waited for, not made again where it was.
        there = folder.present() if sync.folder in self._seen else folder.make()
        if history is None:
            # TRANSLATORS: why [sync] runs without the shared folder, shown by `stretchd status`.
            self._alone(N_("the history cannot be written"))
            return
        if not there:
            # TRANSLATORS: why [sync] runs without the shared folder, shown by `stretchd status`.
            self._alone(N_("{folder} is not there (not mounted, or its parent folder is missing)"),
                        folder=sync.folder)
            return
        watch = Watch(folder.path, self._changed, self._gone)
        try:
            watch.start()
        except (OSError, RuntimeError) as e:  # RuntimeError: no loop (a reload in a test)
            # TRANSLATORS: why [sync] runs without the shared folder, shown by `stretchd status`.
            self._alone(N_("{folder} cannot be watched: {error}"), folder=sync.folder,
                        error=getattr(e, "strerror", None) or e)
            return
        try:
            exchange = Exchange(history, folder)
        except StretchdError as e:
            watch.close()
            self._alone_as(e.message, e.message)
            return
        self._seen.add(sync.folder)
        self.watch, self.exchange, self.identity = watch, exchange, folder.identity()
        self.state, self.why = "on", ""
        log("info", f"sharing the history in {folder.path} as '{folder.device}'")
        if folder.open_to_others():
            self._say("warning", f"{folder.path}: other users can write in it; files not yours "
                                 "there are not read")
        self._take(None)
        self.send()

    def _same_folder(self) -> bool:
        return self.exchange is not None and self.exchange.folder.identity() == self.identity

    def _alone(self, why: str, /, **values: object) -> None:
        """Run without the folder, for `why` (marked with N_, its placeholders filled from
        values): said in English in the log, and in the person's language by `stretchd status`."""
        self._alone_as(_(why).format(**values), why.format(**values))

    def _alone_as(self, shown: str, said: str) -> None:
        """Run without the folder: `shown` by `stretchd status`, `said` in the log."""
        self.state, self.why = "alone", shown
        self._say("warning", f"[sync]: running alone: {said}; catching up when it is back")

    def _gone(self) -> None:
        setting = self.setting
        self.close()
        if setting:
            # TRANSLATORS: why [sync] runs without the shared folder, shown by `stretchd status`.
            self._alone(N_("{folder} went away (unmounted, moved or deleted)"), folder=setting[0])
        else:
            # TRANSLATORS: why [sync] runs without the shared folder, shown by `stretchd status`.
            self._alone(N_("the folder went away (unmounted, moved or deleted)"))
        self.publish()

    def close(self) -> None:
        if self.watch is not None:
            self.watch.close()
        self.watch, self.exchange = None, None

    def tick(self) -> None:
        """Each minute: a folder back (or another one mounted there) is taken up; what could
        not be written to it is written now."""
        if self.shared.config.sync.folder is None and self.state == "off":
            return
        self.setup()
        self.send()
        # A look at every file too (a stat and a short read each): a change inotify could not
        # report (its queue overflowed; another machine writing to a network share) is read
        # within the minute. The minute check runs anyway: no wakeup of its own.
        self._take(None)

    # Out ------------------------------------------------------------------------------

    def soon(self) -> None:
        """Something was recorded: share it once the loop is free (writes come in bursts)."""
        if self.exchange is None or self._send_scheduled:
            return
        self._send_scheduled = True

        def go() -> None:
            self._send_scheduled = False
            self.send()

        try:
            asyncio.get_running_loop().call_soon(go)
        except RuntimeError:
            self._send_scheduled = False

    def send(self) -> None:
        exchange = self._current()
        if exchange is None:
            return
        try:
            exchange.send()
        except (FolderError, StretchdError) as e:
            self._say("warning", f"[sync]: not shared yet, tried again in a minute: {e}")

    # In -------------------------------------------------------------------------------

    def _changed(self, names: set[str] | None) -> None:
        """inotify named these files (None: its queue overflowed, so any may have changed)."""
        if names is None:
            self._everything = True
        else:
            self._pending |= names
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._process)

    def _process(self) -> None:
        self._scheduled = False
        names, self._pending = self._pending, set()
        if self._everything:
            self._everything = False
            self._take(None)
        elif names:
            self._take(names)

    def _take(self, names: set[str] | None) -> None:
        exchange = self._current()
        if exchange is None:
            return
        try:
            taken = exchange.take_in(names)
        except StretchdError as e:
            self._say("warning", f"[sync]: {e.message}; read again in a minute")
            return
        self._apply(taken)
        if taken.more:  # a large file is read a piece at a time, the loop free between
            self._changed(taken.more)

    def _apply(self, taken: Taken) -> None:
        for problem in taken.problems:
            self._say("warning", problem)
        me = self.exchange.folder.device if self.exchange else ""
        for device in sorted(taken.clashes - self.clashes):
            self.clashes.add(device)
            self._say("warning", f"[sync]: {clash_text(device, me)}")
        changed = False
        for event in taken.new:
            try:
                changed |= self._settle(event)
            except StretchdError as e:
                self._say("warning", e.message)
        if taken.new or changed:
            self.publish()

    def _presented(self, ident: tuple[str, str]) -> None:
        waiting = self._waiting.pop(ident, [])
        if any([self._settle(e) for e in waiting]):
            self.publish()

    def _settle(self, event: Event) -> bool:
        """Apply an answer from another computer to the same occurrence here: its
        notification closes, a held one is let go, a snooze's end gets its alarm."""
        s = self.shared
        if event.reminder and event.occurrence and self.presenter.presenting(
                event.reminder, event.occurrence):
            self._waiting.setdefault((event.reminder, event.occurrence), []).append(event)
            return False
        done = settle(s.store, s.config, s.tz, event, s.now())
        if done is None:
            return False
        ident = (done.reminder, done.occurrence)
        showing = self.presenter.showing
        if showing is not None and (showing.due.reminder.name, showing.due.key) == ident:
            self.presenter.showing = None
            self.presenter.forget_on_screen()
            s.spawn(self.presenter.notifier.close(showing.handle), f"closing {done.reminder}")
        self.holds.held.pop(ident, None)
        log("info", f"{done.reminder} {done.occurrence}: {done.detail}")
        if done.until is not None:
            self.rearm()
        return True

    # Said once -------------------------------------------------------------------------

    def _say(self, level: str, text: str) -> None:
        if text in self._said:
            return
        if len(self._said) >= MAX_SAID:
            self._said.clear()
        self._said.add(text)
        log(level, text)

    def info(self) -> dict[str, Any] | None:
        """For `stretchd status`: the folder, this computer's name in it, and how it stands."""
        sync = self.shared.config.sync
        if sync.folder is None:
            return None
        computers: dict[str, str] = {}
        history = self._history()
        if history is not None:
            with contextlib.suppress(StretchdError):
                computers = peers.computers(history)
        return {"folder": str(sync.folder), "device": sync.name, "state": self.state,
                "why": self.why or None, "clashes": sorted(self.clashes), "computers": computers}
