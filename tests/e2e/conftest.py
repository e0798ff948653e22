from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.clock import outer_clock_env
from harness.kit import Tmux, require, unavailable, wait_for
from harness.logind import LogindBus


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    require("tmux")
    t = Tmux(tmp_path / "tmux.sock")
    yield t
    t.kill()


@pytest.fixture
def xdg_env() -> dict[str, str]:
    """The test's XDG directories, to hand to programs started outside this process."""
    keys = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR", "HOME", "PATH")
    return {**{k: os.environ[k] for k in keys if k in os.environ}, **outer_clock_env()}


# The desktop harness, appended here (rather than at the imports) to keep this an append.
from harness.desktop import Desktop  # noqa: E402


@pytest.fixture
def desktop(xdg: Path, tmp_path: Path) -> Iterator[Desktop]:
    """A private session bus, Xvfb, dunst and a bus monitor; all stopped after the test.

    Depends on xdg so that desktop.env carries the test's XDG directories."""
    require("dbus-daemon", "dbus-monitor", "dbus-send", "Xvfb", "dunst", "dunstctl")
    with Desktop(tmp_path / "desktop") as d:
        yield d


@pytest.fixture
def write_config(xdg: Path):  # type: ignore[no-untyped-def]
    """Write the user's config.toml."""

    def write(text: str) -> Path:
        path = xdg / "config" / "stretchd" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write


@pytest.fixture
def daemons(tmp_path: Path) -> Iterator[list[object]]:
    """Daemons started by a test, stopped after it whatever happens."""
    started: list[object] = []
    yield started
    for d in started:
        d.stop()  # type: ignore[attr-defined]


# Sources of what the person is doing (stretchd doctor, holding reminders) -----------------

@pytest.fixture
def resume_bus() -> Iterator[LogindBus]:
    """A private bus standing in for the system bus, where logind's PrepareForSleep comes from."""
    require("dbus-daemon", "dbus-send")
    with LogindBus() as bus:
        yield bus


@pytest.fixture
def logind(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private system bus with python-dbusmock's logind and one session of ours on it."""
    require("dbus-daemon", "dbus-send")
    # Debian's python3-dbusmock, run by the system's Python: it needs dbus-python, which a
    # venv would have to build from source.
    if subprocess.run(["/usr/bin/python3", "-c", "import dbusmock"], capture_output=True).returncode:
        unavailable("python3-dbusmock is not installed (apt-get install python3-dbusmock; .ci/run does)")
    conf = tmp_path / "system.conf"
    conf.write_text(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path={tmp_path}/system_bus</listen>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>
<allow own="*"/><allow user="*"/></policy></busconfig>""")
    bus = subprocess.Popen(["dbus-daemon", "--nofork", f"--config-file={conf}"])
    address = f"unix:path={tmp_path}/system_bus"
    wait_for(lambda: (tmp_path / "system_bus").exists(), 5, "the private system bus")
    env = {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": address}
    mock = subprocess.Popen(["/usr/bin/python3", "-m", "dbusmock", "--system", "--template", "logind"],
                            env=env, stdout=subprocess.DEVNULL)
    try:
        def call(method: str, *args: str) -> str:
            return subprocess.run(["dbus-send", "--system", "--print-reply",
                                   "--dest=org.freedesktop.login1", *args[:1], method, *args[1:]],
                                  env=env, capture_output=True, text=True, check=True).stdout

        wait_for(lambda: subprocess.run(
            ["dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.login1",
             "/org/freedesktop/login1", "org.freedesktop.DBus.Peer.Ping"], env=env,
            capture_output=True).returncode == 0, 10, "the logind mock")
        call("org.freedesktop.DBus.Mock.AddSession", "/org/freedesktop/login1", "string:c1",
             "string:seat0", f"uint32:{os.getuid()}", "string:me", "boolean:true")
        yield {"DBUS_SYSTEM_BUS_ADDRESS": address, "XDG_SESSION_ID": "c1"}
    finally:
        mock.terminate()
        bus.terminate()
        mock.wait(5)
        bus.wait(5)


@pytest.fixture
def pipewire(desktop: Desktop, tmp_path: Path) -> Iterator[dict[str, str]]:
    """PipeWire and WirePlumber on the desktop's session bus, with a virtual microphone."""
    require("pipewire", "wireplumber", "pw-cli", "pw-dump", "pw-record")
    env = {**desktop.env, "XDG_RUNTIME_DIR": str(tmp_path / "pw-run"), "PIPEWIRE_DEBUG": "0"}
    Path(env["XDG_RUNTIME_DIR"]).mkdir(mode=0o700)
    procs = [subprocess.Popen(["pipewire"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        wait_for(lambda: subprocess.run(["pw-cli", "info", "0"], env=env, capture_output=True,
                                        timeout=5).returncode == 0, 10, "pipewire")
        procs.append(subprocess.Popen(["wireplumber"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        subprocess.run(["pw-cli", "create-node", "adapter", "{ factory.name=support.null-audio-sink "
                        "node.name=fake-mic media.class=Audio/Source/Virtual object.linger=true "
                        "audio.position=[MONO] }"], env=env, check=True, capture_output=True, timeout=10)
        subprocess.run(["pw-cli", "create-node", "adapter", "{ factory.name=support.null-audio-sink "
                        "node.name=fake-speaker media.class=Audio/Sink object.linger=true "
                        "audio.position=[FL,FR] }"], env=env, check=True, capture_output=True, timeout=10)
        yield env
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(5)


# The desktop matrix: outcomes of the tests marked compat(row, check), for `make compat` ----

_compat: dict[str, dict[str, str]] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" and report.passed:
        return
    for marker in item.iter_markers("compat"):
        row, check = marker.args
        if "[" in item.name:  # a parametrized row: its parameter names it
            row = row.format(item.callspec.params.get("name", ""))  # type: ignore[attr-defined]
        _compat.setdefault(row, {})[check] = report.outcome


# An X display nobody touches, started with the first end-to-end test: by the time the away
# test runs, its idle time is long, and that test waits only for what is missing of its minute.
_idle_x: dict[str, Any] = {}


@pytest.fixture(scope="session", autouse=True)
def _idle_x_server() -> Iterator[None]:
    import shutil

    from harness.desktop import _read_line

    if shutil.which("Xvfb") is not None:
        for n in range(200, 260):
            if Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
                continue
            # Several pytest processes start side by side and may pick the same number: only
            # our own Xvfb's word counts (-displayfd: it writes the number once it accepts
            # clients; one that lost the race exits). A display another process owns would
            # go away with that process, and the away test's reading with it.
            read_fd, write_fd = os.pipe()
            try:
                # -noreset: with no client left, an X server resets, and its idle time with it.
                proc = subprocess.Popen(["Xvfb", f":{n}", "-noreset", "-nolisten", "tcp", "-screen", "0",
                                         "320x240x24", "-displayfd", str(write_fd)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, pass_fds=(write_fd,))
                os.close(write_fd)
                ready = _read_line(read_fd, timeout=10).strip()
            finally:
                os.close(read_fd)
            if ready == str(n) and proc.poll() is None:
                _idle_x.update(display=f":{n}", proc=proc)
                break
            proc.kill()
            proc.wait()
    yield
    if _idle_x:
        _idle_x["proc"].terminate()
        _idle_x["proc"].wait(10)
        _idle_x.clear()


@pytest.fixture
def idle_display() -> str:
    """That display (DISPLAY=...), idle since the first end-to-end test."""
    if not _idle_x:
        unavailable("Xvfb is not installed or did not start (apt-get install xvfb; .ci/run does)")
    return str(_idle_x["display"])


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("STRETCHD_COMPAT_OUT")
    if out and _compat:
        import json

        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(_compat, indent=1, sort_keys=True))
