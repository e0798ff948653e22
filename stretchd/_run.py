"""`stretchd run` after its exec: the daemon in a fresh interpreter, free of the CLI's imports.

The daemon lives all day, so what it imports it holds all day: click and its friends stay in
the short-lived CLI process, and ssl with OpenSSL (asyncio and dbus-fast fall back without
them; the daemon speaks no TLS) stay out altogether. About 5 MB of resident memory.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stretchd.daemon.core import Daemon


async def live(daemon: Daemon) -> None:
    """The daemon's life: arm, serve the socket, say READY=1, and run until SIGTERM/SIGINT;
    SIGHUP re-reads the config (an invalid one: logged, and the old schedule runs on)."""
    import asyncio
    import contextlib
    import signal

    from stretchd.desktop.sleep import watch_resume
    from stretchd.errors import ConfigError
    from stretchd.i18n import _
    from stretchd.ipc.control import serve
    from stretchd.journal import log, sd_notify

    def sighup() -> None:
        with contextlib.suppress(ConfigError):
            daemon.reload()

    daemon.arm()
    daemon.alarms.start()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, daemon.stopping.set)
    loop.add_signal_handler(signal.SIGINT, daemon.stopping.set)
    loop.add_signal_handler(signal.SIGHUP, sighup)

    def unhandled(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        # One line in the log, not a traceback. A library's own write to a bus that just went
        # away (dbus-fast's future nobody awaits) is routine; anything else is a fault to see.
        exc = context.get("exception")
        routine = isinstance(exc, ConnectionError | EOFError)
        log("debug" if routine else "error", f"{context.get('message', 'unhandled')}: "
                                             f"{type(exc).__name__ + ': ' + str(exc) if exc else ''}")

    loop.set_exception_handler(unhandled)
    daemon.catch_up_since_last_run()
    server = await serve(daemon.handle, daemon.follow)
    system_bus = await watch_resume(daemon.resumed, log)  # kept referenced: the signal keeps coming
    config = daemon.config
    source = daemon.config_path if config.path else "the built-in default"
    log("info", f"running: {len(config.reminders)} reminders from {source}")
    # TRANSLATORS: the daemon's status as systemd shows it (`systemctl --user status stretchd`).
    sd_notify("READY=1\nSTATUS=" + _("reminders armed"))
    watch = daemon.spawn(daemon.watch_clock(), "the clock watch")
    if daemon.config.hold.when:
        from stretchd.desktop.senses import DesktopSenses

        daemon.spawn(DesktopSenses(log).say_unseen(daemon.config.hold), "reading what can hold a reminder")
    await daemon.stopping.wait()
    sd_notify("STOPPING=1")
    await daemon.close_showing()
    daemon.note_alive(daemon.now())
    watch.cancel()
    server.close()
    daemon.alarms.shutdown()
    del system_bus
    log("info", "stopped")


def main() -> int:
    """Wire the daemon's parts and run it: the exit code (0 stopped, 1 cannot start, 78 invalid
    config)."""
    for module in ("ssl", "_ssl", "_hashlib"):
        sys.modules.setdefault(module, None)  # type: ignore[arg-type]
    import asyncio

    from stretchd.text import tolerant_output

    tolerant_output()

    from stretchd import paths
    from stretchd.config.loading import load_everything
    from stretchd.daemon.core import Daemon
    from stretchd.desktop.notify import ConsoleNotifier, DesktopNotifier, FallbackNotifier
    from stretchd.desktop.senses import DesktopSenses
    from stretchd.desktop.terminal import SystemTerminal
    from stretchd.errors import ConfigError, StretchdError
    from stretchd.ipc.control import acquire_lock
    from stretchd.journal import log
    from stretchd.schedule.alarms import SchedulerAlarms
    from stretchd.schedule.zone import ZoneWatch, local_zone
    from stretchd.store.buffered import BufferedStore
    from stretchd.store.history import History

    try:
        lock = acquire_lock()
    except StretchdError as e:
        log("error", e.message)
        return e.exit_code
    config_path = paths.config_file()
    try:
        loaded = load_everything(config_path, log)
    except ConfigError as e:
        for problem in e.problems:
            log("error", problem)
        log("error", "not started: fix the config (`stretchd config check`) and start again")
        lock.close()
        return e.exit_code
    database = paths.database_file()
    try:
        store = BufferedStore(History(database), log)
    except StretchdError as e:
        # Reminding matters more than remembering: carry on, the history read as it stands and
        # what happens kept in memory, written when the history takes writes again.
        log("error", f"{e.message}; reminding anyway, keeping what happens in memory until the "
                     "history takes writes again")
        store = BufferedStore(History.for_reading(database), log, reopen=lambda: History(database))
    tz = local_zone()
    daemon = Daemon(loaded, alarms=SchedulerAlarms(tz), store=store,
                    notifier=FallbackNotifier(DesktopNotifier(), ConsoleNotifier(), log),
                    terminal=lambda config: SystemTerminal(config.defaults.terminal,
                                                            window=config.walkthrough.window),
                    senses=DesktopSenses(log),
                    tz=tz, config_path=config_path, zone=ZoneWatch())
    try:
        asyncio.run(live(daemon))
    except KeyboardInterrupt:
        pass
    finally:
        store.close()
        lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
