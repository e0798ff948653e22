"""A private headless desktop for end-to-end tests: D-Bus session bus, Xvfb, dunst, a bus monitor.

Everything runs as a child of the test process and is stopped by `Desktop.stop()`:

- dbus-daemon with its own config, so nothing can be D-Bus-activated on it. The stock
  session.conf lists /usr/share/dbus-1/services, where Debian's dunst installs a service
  file for org.freedesktop.Notifications: with it, a notification sent while the test has
  killed dunst would start a stray dunst with the default config.
- Xvfb on a free display; dunst needs X.
- dunst with a config in the work directory: nothing times out, and `dmenu` is a script
  that picks a button, so that `dunstctl context` can press a named button.
- `dbus-monitor --pcap` for the fixture's lifetime. Its binary output is parsed here with
  a small D-Bus decoder: the text output prints strings without escaping, so a body with
  a quote or a newline cannot be parsed back reliably. pcap also carries the monitor's
  own receive timestamp (microseconds), which is what lateness is measured against.
"""

from __future__ import annotations

import copy
import json
import os
import select
import shlex
import signal
import struct
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from harness.clock import outer_clock_env

NOTIFICATIONS = "org.freedesktop.Notifications"
# Marker signals for sync(); a path of our own so the monitor can match them and nothing
# else listens.
SYNC_PATH = "/org/stretchd/TestHarness"
SYNC_INTERFACE = "org.stretchd.TestHarness"

# What dbus-monitor records. Replies are matched to Notify calls here (a match rule cannot
# name a reply_serial), so all replies and errors are captured: on a private bus it's little.
MONITOR_RULES = (
    f"type='method_call',interface='{NOTIFICATIONS}',member='Notify'",
    f"type='signal',interface='{NOTIFICATIONS}'",
    "type='method_return'",
    "type='error'",
    f"type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='{NOTIFICATIONS}'",
    f"type='signal',path='{SYNC_PATH}'",
)

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- session.conf without service directories: nothing gets activated on this bus. -->
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

DUNSTRC = """# Written by tests/e2e/desktop.py.
[global]
    # Show every notification rather than queueing past a limit, so count() sees them all.
    notification_limit = 0
    # Identical notifications would otherwise merge into one, and a test sending the same
    # reminder twice would see one.
    stack_duplicates = false
    history_length = 100
    dmenu = "{dmenu}"

# timeout = 0: a notification stays until the test acts on it.
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
"""

# dunstctl context writes one line per button, `#Label (Summary) [id,key]`, to this
# script's stdin and invokes the line it prints. It runs in dunst's environment, so the
# wanted line comes through a file. All of stdin is read first: exiting early could hand
# dunst a broken pipe.
DMENU_SCRIPT = """#!/bin/sh
menu=$(cat)
printf '%s\\n---\\n' "$menu" >> {log}
want=$(cat {choice} 2>/dev/null)
[ -n "$want" ] || exit 0
printf '%s\\n' "$menu" | grep -F -m 1 -e "$want"
exit 0
"""

# The caller's XDG variables that name directories. XDG_SESSION_TYPE, XDG_CURRENT_DESKTOP
# and the like describe the caller's real session, not this one, so they stay out.
ENV_KEYS = ("PATH", "HOME")

CLOSE_REASONS = {1: "expired", 2: "dismissed", 3: "closed by CloseNotification", 4: "undefined"}


def desktop_env_from(environ: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    env = {k: v for k, v in environ.items()
           if k in ENV_KEYS or (k.startswith("XDG_") and k.endswith(("_HOME", "_DIR", "_DIRS")))}
    return {**env, **outer_clock_env()}


# --- a D-Bus wire-format decoder: just enough to read what dbus-monitor captures ----------

_FIXED = {"y": "B", "b": "I", "n": "h", "q": "H", "i": "i", "u": "I", "x": "q", "t": "Q",
          "d": "d", "h": "I"}
_ALIGN = {"y": 1, "b": 4, "n": 2, "q": 2, "i": 4, "u": 4, "x": 8, "t": 8, "d": 8, "h": 4,
          "s": 4, "o": 4, "g": 1, "v": 1, "a": 4, "(": 8, "{": 8}
_MESSAGE_TYPES = {1: "method_call", 2: "method_return", 3: "error", 4: "signal"}
_HEADER_FIELDS = {1: "path", 2: "interface", 3: "member", 4: "error_name", 5: "reply_serial",
                  6: "destination", 7: "sender", 8: "signature"}


def _type_end(sig: str, i: int) -> int:
    """The index just past the single complete type that starts at sig[i]."""
    c = sig[i]
    if c == "a":
        return _type_end(sig, i + 1)
    if c in "({":
        close = ")" if c == "(" else "}"
        i += 1
        while sig[i] != close:
            i = _type_end(sig, i)
    return i + 1


class _Decoder:
    def __init__(self, data: bytes, little_endian: bool) -> None:
        self.data = data
        self.pos = 0
        self.order = "<" if little_endian else ">"

    def align(self, n: int) -> None:
        self.pos += -self.pos % n

    def _unpack(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        self.align(size)
        (v,) = struct.unpack_from(self.order + fmt, self.data, self.pos)
        self.pos += size
        return v

    def values(self, sig: str) -> list[Any]:
        out, i = [], 0
        while i < len(sig):
            j = _type_end(sig, i)
            out.append(self.value(sig[i:j]))
            i = j
        return out

    def value(self, t: str) -> Any:
        c = t[0]
        if c in _FIXED:
            v = self._unpack(_FIXED[c])
            return bool(v) if c == "b" else v
        if c in "sog":
            n = self._unpack("B" if c == "g" else "I")
            s = self.data[self.pos:self.pos + n].decode("utf-8", "replace")
            self.pos += n + 1  # the terminating NUL
            return s
        if c == "v":
            return self.value(self.value("g"))
        if c == "(":
            self.align(8)
            return tuple(self.values(t[1:-1]))
        if c == "a":
            n = self._unpack("I")
            elem = t[1:]
            self.align(_ALIGN[elem[0]])  # padding to the element comes even when empty
            end = self.pos + n
            if elem == "y":
                self.pos = end
                return self.data[end - n:end]
            if elem[0] == "{":
                d = {}
                while self.pos < end:
                    self.align(8)
                    k, v = self.values(elem[1:-1])
                    d[k] = v
                return d
            items = []
            while self.pos < end:
                items.append(self.value(elem))
            return items
        raise ValueError(f"unsupported D-Bus type {t!r}")


@dataclass
class BusMessage:
    type: str
    serial: int
    time: float  # when dbus-monitor received it (its wall clock, microseconds)
    seen: float  # when this process parsed it
    path: str | None = None
    interface: str | None = None
    member: str | None = None
    error_name: str | None = None
    reply_serial: int | None = None
    destination: str | None = None
    sender: str | None = None
    signature: str = ""
    body: list[Any] = field(default_factory=list)


def parse_message(data: bytes, when: float, seen: float) -> BusMessage:
    d = _Decoder(data, data[:1] == b"l")
    _endian, mtype, _flags, _version, _length, serial, fields = d.values("yyyyuua(yv)")
    headers = {_HEADER_FIELDS[code]: v for code, v in fields if code in _HEADER_FIELDS}
    d.align(8)
    body = d.values(headers.get("signature", ""))
    return BusMessage(type=_MESSAGE_TYPES.get(mtype, str(mtype)), serial=serial, time=when,
                      seen=seen, body=body, **headers)


def _read_exact(stream: IO[bytes], n: int) -> bytes | None:
    data = stream.read(n)
    return data if data is not None and len(data) == n else None


def _read_line(fd: int, timeout: float) -> str:
    """One line from a pipe, or what came before EOF/timeout (then without a newline)."""
    buf = b""
    deadline = time.monotonic() + timeout
    while not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace")


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"({path.name}: none)"
    return f"--- {path.name} ---\n" + "\n".join(text.splitlines()[-lines:])


class Desktop:
    """A private session bus, Xvfb, dunst and a bus monitor. Use as a context manager."""

    def __init__(self, workdir: Path, environ: dict[str, str] | None = None,
                 screen: str = "1280x800x24") -> None:
        self.workdir = workdir
        self.screen = screen
        # Complete, not an overlay: give it as env= to programs under test.
        self.env: dict[str, str] = desktop_env_from(os.environ if environ is None else environ)
        self.display: int | None = None
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._clients: list[subprocess.Popen[Any]] = []
        self._logs: list[IO[bytes]] = []
        self._choice = workdir / "dmenu-choice"
        self._menu_log = workdir / "dmenu.log"
        self._cond = threading.Condition()
        self._reader: threading.Thread | None = None
        # All below are guarded by _cond and written by the monitor's reader thread.
        self._notifications: list[dict[str, Any]] = []
        self._pending: dict[tuple[str | None, int], dict[str, Any]] = {}
        self._closed: list[dict[str, Any]] = []
        self._invoked: list[dict[str, Any]] = []
        self._syncs: set[str] = set()
        self._owner: str | None = None
        self._owners_seen = 0
        self._monitor_ready = False
        self._monitor_eof = False
        self._parse_errors: list[str] = []

    # --- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> Desktop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Desktop:
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self._start_bus()
            self._start_xvfb()
            self._start_monitor()
            self._write_dunst_config()
            self.start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop everything started here, clients first; safe to call twice."""
        for proc in self._clients:
            self._terminate(proc)
        self._clients.clear()
        for name in ("dunst", "monitor", "xvfb", "bus"):
            if name in self._procs:
                proc = self._procs.pop(name)
                # The reader thread drains the monitor's pipe to EOF; close it only after.
                self._terminate(proc, close=name != "monitor")
                if name == "monitor" and self._reader is not None:
                    self._reader.join(timeout=5)
                    self._reader = None
                    self._terminate(proc)
        for log in self._logs:
            log.close()
        self._logs.clear()

    @staticmethod
    def _terminate(proc: subprocess.Popen[Any], close: bool = True) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=3)
        for stream in (proc.stdin, proc.stdout, proc.stderr) if close else ():
            if stream is not None:
                stream.close()

    def _log(self, name: str) -> IO[bytes]:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 (closed in stop())
        self._logs.append(log)
        return log

    def _start_bus(self) -> None:
        config = self.workdir / "bus.conf"
        config.write_text(BUS_CONFIG)
        # --nofork keeps dbus-daemon our child, so stop() can wait for it.
        proc = subprocess.Popen(
            ["dbus-daemon", "--nofork", f"--config-file={config}", "--print-address=1"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log("dbus-daemon"),
            env=self.env)
        self._procs["bus"] = proc
        assert proc.stdout is not None
        address = _read_line(proc.stdout.fileno(), timeout=5).strip()
        if not address:
            raise AssertionError("dbus-daemon printed no address\n"
                                 + _tail(self.workdir / "dbus-daemon.log"))
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address

    def _start_xvfb(self) -> None:
        for n in range(100, 200):
            # The usual X convention for a free display; Xvfb still refuses a taken one
            # (another test may race us to it), and then the next number is tried.
            if Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
                continue
            read_fd, write_fd = os.pipe()
            try:
                # -displayfd: Xvfb writes the display number there once it accepts clients.
                proc = subprocess.Popen(
                    ["Xvfb", f":{n}", "-nolisten", "tcp", "-screen", "0", self.screen,
                     "-displayfd", str(write_fd)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=self._log("xvfb"), pass_fds=(write_fd,))
                os.close(write_fd)
                ready = _read_line(read_fd, timeout=10).strip()
            finally:
                os.close(read_fd)
            if ready == str(n):
                self._procs["xvfb"] = proc
                self.display = n
                self.env["DISPLAY"] = f":{n}"
                return
            self._terminate(proc)
        raise AssertionError("no free X display in :100-:199\n" + _tail(self.workdir / "xvfb.log"))

    def _start_monitor(self) -> None:
        proc = subprocess.Popen(["dbus-monitor", "--session", "--pcap", *MONITOR_RULES],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=self._log("monitor"), env=self.env)
        self._procs["monitor"] = proc
        assert proc.stdout is not None
        self._reader = threading.Thread(target=self._read_monitor, args=(proc.stdout,),
                                        name="dbus-monitor reader", daemon=True)
        self._reader.start()
        # BecomeMonitor makes the bus take away the monitor's names: the NameLost signal
        # says the monitor is active, and everything dispatched after it is captured.
        self._wait(lambda: self._monitor_ready, 5, "dbus-monitor to become a monitor")

    def _write_dunst_config(self) -> None:
        dmenu = self.workdir / "dmenu.sh"
        dmenu.write_text(DMENU_SCRIPT.format(log=shlex.quote(str(self._menu_log)),
                                             choice=shlex.quote(str(self._choice))))
        dmenu.chmod(0o755)
        if any(c.isspace() or c == '"' for c in str(dmenu)):
            # dunst splits the dmenu value like a shell command line.
            raise AssertionError(f"the dmenu script's path must have no spaces: {dmenu}")
        (self.workdir / "dunstrc").write_text(DUNSTRC.format(dmenu=dmenu))

    # --- the notification server --------------------------------------------------------

    def start_server(self, timeout: float = 5.0) -> None:
        """Start dunst and wait until it owns org.freedesktop.Notifications."""
        if "dunst" in self._procs:
            raise AssertionError("dunst is already running")
        with self._cond:
            owners_before = self._owners_seen
        proc = subprocess.Popen(["dunst", "-config", str(self.workdir / "dunstrc")],
                                stdin=subprocess.DEVNULL, stdout=self._log("dunst"),
                                stderr=subprocess.STDOUT, env=self.env)
        self._procs["dunst"] = proc

        def owned() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"dunst exited with {proc.returncode}\n"
                                     + _tail(self.workdir / "dunst.log"))
            return self._owners_seen > owners_before and self._owner is not None

        self._wait(owned, timeout, f"dunst to own {NOTIFICATIONS}")

    def kill_server(self, timeout: float = 5.0) -> None:
        """Stop dunst (SIGTERM) and wait until the bus says the name has no owner."""
        proc = self._procs.pop("dunst", None)
        if proc is None:
            raise AssertionError("dunst is not running")
        self._terminate(proc)
        self._wait(lambda: self._owner is None, timeout, f"{NOTIFICATIONS} to lose its owner")

    def pids(self) -> dict[str, int]:
        """Process ids of what runs now: bus, xvfb, monitor, dunst (to measure or to signal)."""
        return {name: proc.pid for name, proc in self._procs.items() if proc.poll() is None}

    def server_owner(self) -> str | None:
        """The unique bus name of the running notification server, None when there is none."""
        with self._cond:
            return self._owner

    # --- dunstctl -----------------------------------------------------------------------

    def dunstctl(self, *args: str, timeout: float = 5.0) -> str:
        out = subprocess.run(["dunstctl", *args], env=self.env, capture_output=True,
                             text=True, timeout=timeout, check=False)
        if out.returncode != 0:
            raise AssertionError(f"dunstctl {' '.join(args)} failed ({out.returncode}): "
                                 f"{out.stderr.strip()}")
        return out.stdout

    def count(self, which: str = "displayed") -> int:
        """How many notifications dunst has: displayed, waiting or in history."""
        return int(self.dunstctl("count", which).strip())

    def wait_count(self, n: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while (got := self.count()) != n:
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {n} displayed "
                                     f"notifications; dunst shows {got}; {self._describe()}")
            time.sleep(0.05)

    def history(self) -> list[dict[str, Any]]:
        """Closed notifications, newest first, as plain dicts (summary, body, appname, id, ...)."""
        raw = json.loads(self.dunstctl("history"))
        entries = raw["data"][0] if raw.get("data") else []
        out = []
        for entry in entries:
            # dunstctl prints each field as {"type": <D-Bus signature>, "data": <value>}.
            flat = {k: v.get("data") if isinstance(v, dict) else v for k, v in entry.items()}
            for key, default in (("summary", ""), ("body", ""), ("appname", ""), ("id", None)):
                flat.setdefault(key, default)
            out.append(flat)
        return out

    # --- actions on the notification ----------------------------------------------------

    def click(self, label: str, timeout: float = 5.0, summary: str | None = None) -> dict[str, Any]:
        """Press the button whose label contains `label` on the newest shown notification that
        has one (and whose summary contains `summary`, if given). Returns the ActionInvoked."""
        shown = self.shown()
        target = None
        for n in reversed(shown):
            if summary is not None and summary not in n["summary"]:
                continue
            key = next((k for k, text in n["actions"].items() if label in text), None)
            if key is not None:
                target = (n, key)
                break
        if target is None:
            raise AssertionError(f"no shown notification has a button labelled {label!r}; "
                                 f"{self._describe()}")
        n, key = target
        # The menu line ends in "[id,key]": unique even when two notifications share a label.
        self._choice.write_text(f"[{n['id']},{key}]")
        with self._cond:
            mark = len(self._invoked)
        try:
            self.dunstctl("context")
            return self._wait_event(self._invoked, mark, timeout,
                                    f"dunst to invoke {key!r} on notification {n['id']}",
                                    lambda e: e["id"] == n["id"] and e["action"] == key)
        except AssertionError as e:
            raise AssertionError(f"{e}\nwhat dunst offered the dmenu script:\n"
                                 + _tail(self._menu_log)) from None
        finally:
            self._choice.write_text("")

    def click_body(self, timeout: float = 5.0) -> dict[str, Any]:
        """Click the top notification's body (`dunstctl action 0`). Returns the ActionInvoked:
        its action is "default" (or, as dunst does, the only action there is)."""
        with self._cond:
            mark = len(self._invoked)
        self.dunstctl("action", "0")
        return self._wait_event(self._invoked, mark, timeout, "dunst to invoke an action")

    def dismiss(self, timeout: float = 5.0) -> dict[str, Any]:
        """Close the newest notification as a user would (`dunstctl close`, reason 2).
        Returns the NotificationClosed."""
        with self._cond:
            mark = len(self._closed)
        self.dunstctl("close")
        return self._wait_event(self._closed, mark, timeout, "a NotificationClosed")

    def close_all(self, timeout: float = 5.0) -> None:
        self.dunstctl("close-all")
        self.wait_count(0, timeout)

    # --- what the bus saw -----------------------------------------------------------------

    def notifications(self) -> list[dict[str, Any]]:
        """Every Notify call seen, oldest first. Keys: index, time (when dbus-monitor received
        it: time.time()'s clock), seen, sender, app_name, replaces_id, app_icon, summary, body,
        actions ({key: label}), hints, expire_timeout, id and server (from the reply; None
        until then), error, closed (reason), closed_time, invoked (action keys), replaced_by."""
        with self._cond:
            return copy.deepcopy(self._notifications)

    def closed(self) -> list[dict[str, Any]]:
        """NotificationClosed signals: id, reason, time, server."""
        with self._cond:
            return copy.deepcopy(self._closed)

    def invoked(self) -> list[dict[str, Any]]:
        """ActionInvoked signals: id, action, time, server."""
        with self._cond:
            return copy.deepcopy(self._invoked)

    def shown(self) -> list[dict[str, Any]]:
        """Notifications the running server has open (displayed or waiting), oldest first:
        answered with an id, and not closed, replaced, or lost with an earlier server."""
        self.sync()
        with self._cond:
            return copy.deepcopy(self._open())

    def _open(self) -> list[dict[str, Any]]:
        return [n for n in self._notifications
                if n["id"] is not None and n["server"] == self._owner and n["closed"] is None
                and n["replaced_by"] is None]

    def wait_notify(self, match: str | Callable[[dict[str, Any]], object] | None = None,
                    timeout: float = 5.0, since: int = 0) -> dict[str, Any]:
        """The first Notify call from index `since` on (`len(notifications())` before acting
        skips earlier ones) whose summary contains `match`, or for which `match(n)` is true,
        once the server has answered it (id or error set)."""
        pred: Callable[[dict[str, Any]], object]
        if match is None:
            pred = bool
        elif isinstance(match, str):
            text = match
            pred = lambda n: text in n["summary"]  # noqa: E731
        else:
            pred = match

        def found() -> dict[str, Any] | None:
            return next((n for n in self._notifications[since:]
                         if (n["id"] is not None or n["error"] is not None) and pred(n)), None)

        return copy.deepcopy(self._wait(found, timeout, f"a Notify call matching {match!r}"))

    def sync(self, timeout: float = 5.0) -> None:
        """Return once the monitor has processed everything the bus dispatched before now.

        The bus daemon hands messages to a monitor in the order it dispatches them, so once
        a marker signal sent now comes through, all earlier traffic has too."""
        token = uuid.uuid4().hex
        subprocess.run(["dbus-send", "--session", "--type=signal", SYNC_PATH,
                        f"{SYNC_INTERFACE}.Sync", f"string:{token}"],
                       env=self.env, check=True, timeout=timeout, capture_output=True)
        self._wait(lambda: token in self._syncs, timeout, "the monitor to catch up")

    def spawn(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[str]:
        """Start a client program with the desktop's environment, stdout and stderr piped as
        text; it is killed at stop() if still running."""
        kwargs.setdefault("env", self.env)
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.PIPE)
        proc: subprocess.Popen[str] = subprocess.Popen(list(argv), text=True, **kwargs)
        self._clients.append(proc)
        return proc

    # --- waiting ----------------------------------------------------------------------

    def _wait(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Wait, under the lock, until predicate() is truthy; the reader thread notifies."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                # Wake now and then anyway: a predicate may look at a process, not the bus.
                self._cond.wait(min(left, 0.1))
        raise AssertionError(f"timed out after {timeout} s waiting for {what}; {self._describe()}")

    def _wait_event(self, events: list[dict[str, Any]], mark: int, timeout: float, what: str,
                    pred: Callable[[dict[str, Any]], bool] = lambda e: True) -> dict[str, Any]:
        event = self._wait(lambda: next((e for e in events[mark:] if pred(e)), None), timeout,
                           what)
        return dict(event)

    def _describe(self) -> str:
        """What the bus showed, for failure messages."""
        def brief(n: dict[str, Any]) -> str:
            state = ("error " + n["error"] if n["error"] else
                     f"closed ({CLOSE_REASONS.get(n['closed'], n['closed'])})" if n["closed"] is not None else
                     "replaced" if n["replaced_by"] is not None else
                     "open" if n["id"] is not None else "unanswered")
            return (f"#{n['index']} id={n['id']} {n['summary']!r} buttons="
                    f"{list(n['actions'].values())} {state}")

        with self._cond:
            lines = [brief(n) for n in self._notifications[-10:]]
            extra = []
            if self._monitor_eof:
                extra.append("dbus-monitor has exited")
            if self._parse_errors:
                extra.append(f"undecodable messages: {self._parse_errors[-3:]}")
            owner = self._owner
        return (f"server {owner or 'absent'}; Notify calls seen (last 10): "
                + ("; ".join(lines) or "none") + "".join(f"; {e}" for e in extra))

    # --- the monitor's reader thread -----------------------------------------------------

    def _read_monitor(self, stream: IO[bytes]) -> None:
        try:
            header = _read_exact(stream, 24)
            if header is None:
                return
            magic = struct.unpack("<I", header[:4])[0]
            order = "<" if magic == 0xA1B2C3D4 else ">"
            while (record := _read_exact(stream, 16)) is not None:
                sec, usec, length, _orig = struct.unpack(order + "IIII", record)
                data = _read_exact(stream, length)
                if data is None:
                    return
                seen = time.time()
                try:
                    # dbus-monitor runs on this run's clock, a moved one included: it gets
                    # the run's faketime settings (desktop_env_from).
                    msg = parse_message(data, sec + usec / 1e6, seen)
                except Exception as e:  # one bad message must not stop the monitor
                    with self._cond:
                        self._parse_errors.append(repr(e))
                    continue
                with self._cond:
                    self._handle(msg)
                    self._cond.notify_all()
        finally:
            with self._cond:
                self._monitor_eof = True
                self._cond.notify_all()

    def _handle(self, msg: BusMessage) -> None:
        b = msg.body
        if msg.type == "signal" and msg.sender == "org.freedesktop.DBus":
            if msg.member == "NameLost":
                self._monitor_ready = True
            elif msg.member == "NameOwnerChanged" and b and b[0] == NOTIFICATIONS:
                self._owner = b[2] or None
                self._owners_seen += 1
        elif msg.type == "signal" and msg.path == SYNC_PATH and b:
            self._syncs.add(b[0])
        elif (msg.type == "method_call" and msg.interface == NOTIFICATIONS
              and msg.member == "Notify" and len(b) == 8):
            app_name, replaces_id, app_icon, summary, body, actions, hints, expire = b
            n: dict[str, Any] = {
                "index": len(self._notifications), "time": msg.time, "seen": msg.seen,
                "sender": msg.sender, "app_name": app_name, "replaces_id": replaces_id,
                "app_icon": app_icon, "summary": summary, "body": body,
                "actions": dict(zip(actions[::2], actions[1::2], strict=False)),
                "hints": hints, "expire_timeout": expire, "id": None, "server": None,
                "error": None, "closed": None, "closed_time": None, "invoked": [],
                "replaced_by": None}
            self._notifications.append(n)
            self._pending[(msg.sender, msg.serial)] = n
        elif msg.type in ("method_return", "error"):
            call = self._pending.pop((msg.destination, msg.reply_serial or 0), None)
            if call is None:
                return
            if msg.type == "error":
                call["error"] = f"{msg.error_name}: {b[0] if b else ''}"
                return
            call["id"], call["server"] = b[0], msg.sender
            # The server answers a replacement with the id it replaced.
            for old in self._notifications:
                if (old is not call and old["id"] == call["id"] and old["server"] == call["server"]
                        and old["closed"] is None and old["replaced_by"] is None):
                    old["replaced_by"] = call["index"]
        elif msg.type == "signal" and msg.interface == NOTIFICATIONS and len(b) >= 2:
            if msg.member == "NotificationClosed":
                event = {"id": b[0], "reason": b[1], "time": msg.time, "server": msg.sender}
                self._closed.append(event)
                for n in self._find(msg.sender, b[0]):
                    n["closed"], n["closed_time"] = b[1], msg.time
            elif msg.member == "ActionInvoked":
                self._invoked.append({"id": b[0], "action": b[1], "time": msg.time,
                                      "server": msg.sender})
                for n in self._find(msg.sender, b[0]):
                    n["invoked"].append(b[1])

    def _find(self, server: str | None, nid: int) -> list[dict[str, Any]]:
        """The open notification with this id from this server (ids restart with dunst)."""
        n = next((n for n in reversed(self._notifications)
                  if n["server"] == server and n["id"] == nid and n["closed"] is None
                  and n["replaced_by"] is None), None)
        return [] if n is None else [n]
