"""Two real Syncthing instances on loopback keeping one folder the same, for the end-to-end tests.

Nothing listens beyond 127.0.0.1 or talks to the internet: no discovery, relays, NAT, STUN or reports.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

from harness.kit import require

# Options that keep an instance on loopback and quiet. generate() writes them into config.xml
# as well as SyncthingPair setting them through the REST API: a fresh config would listen on
# 0.0.0.0:22000 and announce itself to the global discovery servers before the API is reachable.
LOOPBACK_OPTIONS: dict[str, Any] = {
    "globalAnnounceEnabled": False,
    "localAnnounceEnabled": False,
    "relaysEnabled": False,
    "natEnabled": False,
    "urAccepted": -1,
    "crashReportingEnabled": False,
    "stunKeepaliveStartS": 0,  # 0: no STUN
    "autoUpgradeIntervalH": 0,
    "startBrowser": False,
    "restartOnWakeup": False,  # with --no-restart a "restart" is an exit
}

# A proxy would carry our REST calls (urllib) or Syncthing's own dials (all_proxy) off loopback.
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")

Which = Literal["a", "b"]


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports on 127.0.0.1 that were free a moment ago."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class SyncthingError(AssertionError):
    """A REST call failed; the message carries the status and Syncthing's answer."""


class Syncthing:
    """One Syncthing instance: its home (keys, config.xml, database, log) and its copy of the folder."""

    def __init__(self, home: Path, folder: Path, name: str) -> None:
        self.home = home
        self.folder = folder
        self.name = name
        # Chosen at the first start and kept, so that the other instance can find it again.
        self.gui_port: int | None = None
        self.listen_port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._device_id: str | None = None
        self._api_key: str | None = None
        self._log_file: IO[bytes] | None = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def log_path(self) -> Path:
        return self.home / "syncthing.log"

    @property
    def config_path(self) -> Path:
        return self.home / "config.xml"

    def env(self) -> dict[str, str]:
        """os.environ on the real clock, with this instance's HOME and no upgrades or proxies."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("LD_PRELOAD", "FAKETIME")) and k.lower() not in PROXY_VARIABLES}
        env.update(HOME=str(self.home), STNOUPGRADE="1", STNODEFAULTFOLDER="1", STTRACE="",
                   # Names the SHA-256 implementation, which skips a benchmark of about 1 s per start.
                   STHASHING="minio")
        return env

    def generate(self) -> None:
        """Keys and a config.xml in home (no default folder), with LOOPBACK_OPTIONS already set."""
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._run("generate", f"--home={self.home}")
        self._device_id = self._api_key = None

        def loopback(options: ET.Element) -> None:
            for key, value in LOOPBACK_OPTIONS.items():
                element = options.find(key)
                if element is None:
                    element = ET.SubElement(options, key)
                element.text = str(value).lower() if isinstance(value, bool) else str(value)

        self._edit_options(loopback)

    @property
    def device_id(self) -> str:
        if self._device_id is None:
            self._device_id = self._run(f"--home={self.home}", "--device-id").strip()
        return self._device_id

    @property
    def api_key(self) -> str:
        if self._api_key is None:
            key = ET.parse(self.config_path).getroot().findtext("gui/apikey")
            assert key, f"no <gui><apikey> in {self.config_path}"
            self._api_key = key
        return self._api_key

    @property
    def listen_address(self) -> str:
        assert self.listen_port is not None, f"syncthing {self.name} was never started"
        return f"tcp://127.0.0.1:{self.listen_port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start on the ports of the previous start (free ones the first time); wait for ping (30 s)."""
        self.launch()
        self.wait_ping()

    def launch(self) -> None:
        """start() without the wait, to start two at once."""
        if self.running:
            return
        if self.gui_port is None or self.listen_port is None:
            self.gui_port, self.listen_port = free_ports(2)

            def listen(options: ET.Element) -> None:
                for element in options.findall("listenAddress"):
                    options.remove(element)
                ET.SubElement(options, "listenAddress").text = self.listen_address

            self._edit_options(listen)
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 - open for the process's lifetime
        self._log_file.write(f"--- harness: starting syncthing {self.name}\n".encode())
        self._log_file.flush()
        self.process = subprocess.Popen(
            ["syncthing", "serve", f"--home={self.home}", "--no-browser", "--no-restart",
             f"--gui-address=http://127.0.0.1:{self.gui_port}"],
            stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT, env=self.env())

    def wait_ping(self, timeout: float = 30) -> None:
        wait(self._ping, timeout, f"syncthing {self.name} to answer GET /rest/system/ping", self)

    def stop(self) -> None:
        """Terminate and wait (kill after 10 s); a second call does nothing."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the REST API: the parsed JSON answer, or None when the answer is empty."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.gui_port}{path}", data=data, method=method,
            headers={"X-API-Key": self.api_key, "Content-Type": "application/json"})
        try:
            with self._opener.open(request, timeout=10) as response:
                text = response.read()
        except urllib.error.HTTPError as e:
            raise SyncthingError(f"syncthing {self.name}: {method} {path}: HTTP {e.code}: "
                                 f"{e.read().decode(errors='replace').strip()}") from e
        return json.loads(text) if text.strip() else None

    def log(self, tail: int | None = None) -> str:
        """Its log (the output of every start), or the last `tail` lines of it."""
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-tail:]) if tail else text

    def connected_to(self, other: Syncthing) -> bool:
        connections = self.api("GET", "/rest/system/connections")["connections"]
        return bool(connections.get(other.device_id, {}).get("connected"))

    def folder_status(self, folder_id: str) -> dict[str, Any]:
        """GET /rest/db/status: "state" is idle, scanning, syncing, error…"""
        status: dict[str, Any] = self.api("GET", f"/rest/db/status?folder={folder_id}")
        return status

    def _ping(self) -> bool:
        try:
            return bool(self.api("GET", "/rest/system/ping") == {"ping": "pong"})
        except (OSError, SyncthingError):  # refused until the GUI listener is up
            return False

    def _edit_options(self, edit: Callable[[ET.Element], None]) -> None:
        tree = ET.parse(self.config_path)
        options = tree.getroot().find("options")
        assert options is not None, f"no <options> in {self.config_path}"
        edit(options)
        tree.write(self.config_path)

    def _run(self, *args: str) -> str:
        out = subprocess.run(["syncthing", *args], capture_output=True, text=True, check=False,
                             timeout=60, env=self.env())
        if out.returncode != 0:
            raise AssertionError(f"syncthing {' '.join(args)} exited {out.returncode}:\n"
                                 f"{out.stdout}{out.stderr}")
        return out.stdout

    def __repr__(self) -> str:
        return f"Syncthing({self.name!r}, gui={self.gui_port}, listen={self.listen_port})"


class SyncthingPair:
    """Instances a and b sharing one folder (folder_a on a, folder_b on b), connected on loopback."""

    def __init__(self, workdir: Path, folder_a: Path, folder_b: Path, folder_id: str = "stretchd") -> None:
        self.workdir = workdir
        self.folder_id = folder_id
        self.a = Syncthing(workdir / "a", folder_a, "a")
        self.b = Syncthing(workdir / "b", folder_b, "b")

    def __enter__(self) -> SyncthingPair:
        require("syncthing")
        try:
            for st in (self.a, self.b):
                st.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                st.generate()
                st.launch()
            for st, other in ((self.a, self.b), (self.b, self.a)):
                st.wait_ping()
                self._configure(st, other)
            self._wait_connected()
            for st in (self.a, self.b):
                self._wait_folder_ready(st)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.a.stop()
        self.b.stop()

    def instance(self, which: Which) -> Syncthing:
        return {"a": self.a, "b": self.b}[which]

    def stop(self, which: Which) -> None:
        self.instance(which).stop()

    def start(self, which: Which) -> None:
        """Start it again (same home, config and ports) and wait until the two are connected."""
        self.instance(which).start()
        self._wait_connected()

    def wait_same(self, rel_path: str, timeout: float = 30) -> bytes:
        """Wait until rel_path has the same bytes in both folders, and return them."""
        path_a, path_b = self.a.folder / rel_path, self.b.folder / rel_path
        deadline = time.monotonic() + timeout
        while True:
            content_a, content_b = _read(path_a), _read(path_b)
            if content_a is not None and content_a == content_b:
                return content_a
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{rel_path} is not the same in both folders after {timeout} s:\n"
                    f"a ({path_a}): {content_a!r}\nb ({path_b}): {content_b!r}\n{self.logs()}")
            time.sleep(0.1)

    def logs(self, tail: int = 40) -> str:
        """The last lines of both instances' logs, for a failure message."""
        return _tails((self.a, self.b), tail)

    def _configure(self, st: Syncthing, other: Syncthing) -> None:
        st.api("PATCH", "/rest/config/options", {**LOOPBACK_OPTIONS, "listenAddresses": [st.listen_address]})
        # Its own name too (the default is the host name, the same for both), for readable logs.
        st.api("PATCH", f"/rest/config/devices/{st.device_id}", {"name": st.name})
        st.api("PUT", f"/rest/config/devices/{other.device_id}", {
            "deviceID": other.device_id, "name": other.name, "addresses": [other.listen_address],
            "autoAcceptFolders": False, "introducer": False})
        st.api("PUT", f"/rest/config/folders/{self.folder_id}", {
            "id": self.folder_id, "label": self.folder_id, "path": str(st.folder), "type": "sendreceive",
            "devices": [{"deviceID": st.device_id}, {"deviceID": other.device_id}],
            "rescanIntervalS": 3600, "fsWatcherEnabled": True, "fsWatcherDelayS": 1})

    def _wait_connected(self, timeout: float = 60) -> None:
        wait(lambda: self.a.connected_to(self.b) and self.b.connected_to(self.a), timeout,
             "a and b to be connected", self.a, self.b)

    def _wait_folder_ready(self, st: Syncthing, timeout: float = 30) -> None:
        """Idle after its first scan, with the .stfolder marker Syncthing makes when a folder is added
        (without it Syncthing stops the folder: "folder marker missing")."""
        def ready() -> bool:
            status = st.folder_status(self.folder_id)
            if status.get("state") == "error":
                raise AssertionError(f"syncthing {st.name}: folder {self.folder_id} failed: {status}\n"
                                     f"{st.log(40)}")
            return status.get("state") == "idle" and (st.folder / ".stfolder").exists()

        wait(ready, timeout, f"syncthing {st.name}'s folder {self.folder_id} to be idle, with its "
             f".stfolder marker in {st.folder}", st)


def wait(predicate: Callable[[], object], timeout: float, what: str, *instances: Syncthing) -> None:
    """Wait for predicate, failing early if an instance exits; a failure shows their logs' tails."""
    deadline = time.monotonic() + timeout
    while True:
        for st in instances:  # before predicate, whose REST calls would fail as "connection refused"
            if not st.running:
                code = None if st.process is None else st.process.returncode
                raise AssertionError(f"syncthing {st.name} is not running (exit status {code}) while "
                                     f"waiting for {what}\n{_tails(instances)}")
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{_tails(instances)}")
        time.sleep(0.1)


def _tails(instances: tuple[Syncthing, ...], lines: int = 40) -> str:
    return "".join(f"--- syncthing {st.name} ({st.log_path}), last {lines} lines:\n{st.log(lines)}\n"
                   for st in instances)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
