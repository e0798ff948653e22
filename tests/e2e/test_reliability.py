"""Reliability and security of a real `stretchd run` with no desktop (console reminders).

A flooded control socket, another user at the socket, kill -9 in the middle of commands, a
full state directory, and a config replaced or deleted under the running daemon. (A second
`stretchd run` is test_daemon_console.py's test_a_second_run_exits_at_once_and_the_first_carries_on.)

The tests that create a user or mount a tmpfs need root: they skip without it locally and
fail in CI (CI or STRETCHD_REQUIRE_E2E set), which runs as root.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import pwd
import random
import secrets
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from harness.history import database
from harness.kit import (
    DaemonProcess,
    control_socket,
    no_desktop_env,
    random_seed,
    require,
    stretchd_command,
    unavailable,
    wait_for,
)
from harness.kit import start_console_daemon as start


def require_root(why: str) -> None:
    if os.geteuid() == 0:
        return
    unavailable(f"needs root ({why}); CI runs as root")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as conn:
        return conn.execute(sql).fetchall()


def send(path: Path, payload: bytes) -> dict[str, Any] | None:
    """One request as a hostile client sends it; the reply, or None if the daemon hung up on us."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(15)
        s.connect(str(path))
        data = b""
        try:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # it answered and closed before taking everything: read what it said
        try:
            while chunk := s.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    return json.loads(data) if data else None


def timed_status(d: DaemonProcess) -> tuple[float, subprocess.CompletedProcess[str]]:
    began = time.monotonic()
    out = d.cli("status", "--json")
    return time.monotonic() - began, out


# 1. A flooded control socket ------------------------------------------------------------

GARBAGE = [
    *(random.Random(1).randbytes(n) for n in (1, 100, 4096, 60_000)),  # random bytes, no newline
    *(random.Random(2).randbytes(n) + b"\n" for n in (10, 1000)),
    b"\n", b"{not json\n", b'{"cmd": }\n', b"[1, 2]\n", b'"status"\n', b"null\n", b'{"cmd": 5}\n',
    b"\xff\xfe\x00{\n",
    b"[" * 50_000 + b"\n",  # nested deeper than the JSON parser recurses
    b'{"cmd": "explode"}\n', b'{"cmd": ""}\n', b'{"cmd": "status\\u0000"}\n', b'{"cmd": "\\ud800"}\n',
    b'{"cmd": "pause"}\n', b'{"cmd": "pause", "until": "soon"}\n',
    b'{"cmd": "pause", "until": "2030-01-01T00:00"}\n',  # no UTC offset
    b'{"cmd": "skip", "reminder": 5}\n', b'{"cmd": "skip", "reminder": "nosuch"}\n',
    b'{"cmd": "snooze", "minutes": -1}\n', b'{"cmd": "snooze", "minutes": "lots"}\n',
    b"x" * (10 * 1024 * 1024),  # a 10 MB message
]


def held(d: DaemonProcess) -> dict[str, Any]:
    """What the daemon holds: pause, snoozes, what is showing, the next reminders."""
    status = json.loads(d.cli("status", "--json", check=True).stdout)
    return {"paused_until": status["paused_until"], "snoozed": status["snoozed"],
            "showing": status["showing"], "next": [(n["reminder"], n["at"]) for n in status["next"]]}


def open_stalled(path: Path, n: int) -> list[socket.socket | OSError]:
    """n connections opened at the same moment, each sending half a request and stalling.

    Connected as the CLI connects (a socket with a timeout, so a non-blocking connect: a
    full listen backlog is EAGAIN, not a wait)."""
    barrier = threading.Barrier(n)
    got: list[socket.socket | OSError] = [OSError("not run")] * n

    def one(i: int) -> None:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(15)
        barrier.wait()
        try:
            s.connect(str(path))
            s.sendall(b'{"cmd": "sta')
            got[i] = s
        except OSError as e:
            s.close()
            got[i] = e

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got


def test_a_flooded_control_socket_keeps_memory_bounded_and_status_answers_within_1_s(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], daemons: list[Any],
        write_config: Any) -> None:
    """Whatever lands on my control socket (random bytes, bad JSON, unknown commands, a 10 MB
    message, 500 connections at once that send half a request and stall), the daemon stays
    small, `stretchd status` answers within 1 s meanwhile, nothing it holds changes, and it
    lives on."""
    quiet(write_config)
    d = start(tmp_path, xdg_env, daemons)
    path = control_socket()
    for _ in range(20):  # what a normal request allocates is in the baseline
        send(path, b'{"cmd": "status"}\n')
    status_before = held(d)
    before = rss_kib(d.proc.pid)
    peak = [before]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(0.02):
            peak[0] = max(peak[0], rss_kib(d.proc.pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    stalled: list[socket.socket | OSError] = []
    try:
        stalled = open_stalled(path, 500)
        refused = [str(s) for s in stalled if isinstance(s, OSError)]
        assert not refused, f"{len(refused)} of 500 connections refused: {set(refused)}"
        with ThreadPoolExecutor(8) as pool:
            replies = pool.map(lambda p: send(path, p), GARBAGE)
            timings = [timed_status(d) for _ in range(3)]  # while the garbage goes in
            replies = list(replies)
        for took, out in timings:
            assert out.returncode == 0, out.stderr
            assert took < 1.0, f"`stretchd status` took {took:.2f} s during the flood"
        for payload, reply in zip(GARBAGE, replies, strict=True):
            what = payload[:40]
            if reply is None:  # only the 10 MB message may be cut off without a word
                assert len(payload) > 1_000_000, f"no reply to {what!r}"
                continue
            assert reply["ok"] is False and reply["error"], (what, reply)
            assert "internal error" not in reply["error"], (what, reply)
        # The stalled ones are let go after the read timeout, each with a reply.
        for s in stalled:
            assert isinstance(s, socket.socket)
            s.settimeout(15)
            reply = json.loads(s.recv(65536))
            assert reply == {"ok": False, "error": "timed out reading the request"}
    finally:
        sampling.set()
        sampler.join()
        for s in stalled:
            if isinstance(s, socket.socket):
                s.close()
    after = rss_kib(d.proc.pid)
    assert peak[0] - before < 20 * 1024, f"RSS {before} KiB grew to {peak[0]} KiB during the flood"
    assert after - before < 20 * 1024, f"RSS {before} KiB grew to {after} KiB after the flood"
    assert d.proc.poll() is None
    assert held(d) == status_before
    assert query(database(), "SELECT count(*) FROM events") == [(0,)]
    assert "Traceback" not in d.err() and "internal error" not in d.err(), d.err()


def test_stopping_with_requests_in_flight_exits_0_without_a_traceback(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], daemons: list[Any]) -> None:
    """`systemctl --user stop` while clients are connected: a clean exit and a clean journal."""
    d = start(tmp_path, xdg_env, daemons)
    stalled = open_stalled(control_socket(), 20)
    try:
        assert d.stop() == 0
    finally:
        for s in stalled:
            if isinstance(s, socket.socket):
                s.close()
    err = d.err()
    assert "Traceback" not in err and "Exception" not in err, err
    assert "stopped" in err


# 2. Another user at the socket ------------------------------------------------------------

PROBE = r"""
import json, os, socket, sys
path, request = sys.argv[1], sys.argv[2]
result = {"uid": os.getuid(),
          "reaches_parent": os.access(os.path.dirname(os.path.dirname(path)), os.X_OK)}
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
try:
    s.connect(path)
except OSError as e:
    result["connect_errno"] = e.errno
else:
    try:
        s.sendall(request.encode() + b"\n")
    except BrokenPipeError:
        pass  # refused before it read the request: the reply is still there to read
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    result["reply"] = json.loads(data) if data else None
print(json.dumps(result))
"""


@pytest.fixture
def other_user() -> Iterator[tuple[int, int]]:
    """A throwaway system user (uid, gid), deleted after the test."""
    require_root("creates a user")
    require("useradd", "userdel", "setpriv")
    name = f"stretchd-probe-{secrets.token_hex(4)}"
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                   check=True, capture_output=True)
    try:
        pw = pwd.getpwnam(name)
        yield pw.pw_uid, pw.pw_gid
    finally:
        subprocess.run(["userdel", name], check=False, capture_output=True)


@pytest.fixture
def shared_runtime_dir(xdg_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """XDG_RUNTIME_DIR in a directory others may pass through (pytest's own base is 0700),
    so that what stops another user is stretchd's directory and socket, nothing above them."""
    d = Path(tempfile.mkdtemp(prefix="stretchd-rt-"))
    d.chmod(0o755)
    try:
        yield {**xdg_env, "XDG_RUNTIME_DIR": str(d)}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def as_user(user: tuple[int, int], path: Path, request: dict[str, Any]) -> dict[str, Any]:
    python = "/usr/bin/python3"  # not the venv's: it lives under /root, out of the user's reach
    if not os.access(python, os.X_OK):
        pytest.fail(f"{python} is needed to run a client as another user")
    uid, gid = user
    out = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                          python, "-I", "-c", PROBE, str(path), json.dumps(request)],
                         capture_output=True, text=True, timeout=20, cwd="/", env={"PATH": "/usr/bin:/bin"},
                         check=False)
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout)
    assert result["uid"] == uid
    return result


def pause_request() -> dict[str, Any]:
    return {"cmd": "pause", "until": (datetime.now().astimezone() + timedelta(hours=2)).isoformat()}


def quiet(write_config: Any) -> None:
    """A reminder hours away: the built-in 07:30 and 21:00 fall due (or within grace) when the
    suite runs at those times, and what is recorded then would be counted as a change."""
    write_config(f'[reminders.later]\ntime = "{datetime.now() + timedelta(hours=3):%H:%M}"\n')


def assert_unchanged(d: DaemonProcess, xdg: Path) -> None:
    status = json.loads(d.cli("status", "--json", check=True).stdout)
    assert status["paused_until"] is None and status["snoozed"] == []
    assert query(database(), "SELECT value FROM state WHERE key = 'paused_until'") == []
    assert query(database(), "SELECT count(*) FROM events") == [(0,)]


def test_another_user_cannot_even_connect(
        tmp_path: Path, xdg: Path, shared_runtime_dir: dict[str, str], daemons: list[Any],
        other_user: tuple[int, int], write_config: Any) -> None:
    """Another account on my machine cannot reach my daemon: my runtime directory is 0700,
    the socket 0600, and a connect from another user fails with EACCES; nothing changes."""
    quiet(write_config)
    d = start(tmp_path, shared_runtime_dir, daemons)
    runtime = Path(shared_runtime_dir["XDG_RUNTIME_DIR"]) / "stretchd"
    path = runtime / "control.sock"
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    result = as_user(other_user, path, pause_request())
    assert result["reaches_parent"] is True  # so it is stretchd's directory that stops it
    assert result.get("connect_errno") == errno.EACCES, result
    assert_unchanged(d, xdg)


def test_another_user_is_refused_by_peer_credentials_even_through_a_world_writable_socket(
        tmp_path: Path, xdg: Path, shared_runtime_dir: dict[str, str], daemons: list[Any],
        other_user: tuple[int, int], write_config: Any) -> None:
    """Even if the directory and socket were opened up to everyone (chmod 0777), the daemon
    checks who is calling (SO_PEERCRED): another user's pause is refused, and neither that
    nor a status request tells or changes anything."""
    quiet(write_config)
    d = start(tmp_path, shared_runtime_dir, daemons)
    runtime = Path(shared_runtime_dir["XDG_RUNTIME_DIR"]) / "stretchd"
    path = runtime / "control.sock"
    runtime.chmod(0o777)
    path.chmod(0o777)
    for request in (pause_request(), {"cmd": "status"}, {"cmd": "skip"}, {"cmd": "snooze", "minutes": 5}):
        result = as_user(other_user, path, request)
        assert "connect_errno" not in result, result
        assert result["reply"] == {"ok": False, "error": "permission denied"}, (request, result)
    assert_unchanged(d, xdg)
    assert d.proc.poll() is None


# 3. kill -9 in the middle of commands -----------------------------------------------------

COMMANDS: dict[str, tuple[list[str], str]] = {  # argv, how its success message starts
    "snooze": (["snooze", "5"], "snoozed "),
    "skip": (["skip"], "skipped "),
    "pause": (["pause", "--for", "1h"], "paused until "),
    "resume": (["resume"], ""),
    "history": (["history"], ""),
}


@pytest.mark.clock
def test_kill_9_at_random_moments_loses_no_change_the_cli_reported_done(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], daemons: list[Any],
        write_config: Any) -> None:
    """If the daemon is killed (OOM killer, power cut of the process) at any moment, a
    snooze, skip, pause or resume that `stretchd` told me was done is there after the
    restart, and the history database is never corrupted."""
    # Eight reminders (room for the skips), all hours away: nothing falls due, only commands write.
    now = datetime.now()
    write_config("".join(f'[reminders.r{k}]\ntime = "{now + timedelta(hours=2, minutes=15 * k):%H:%M}"\n'
                         for k in range(8)))
    env = no_desktop_env(xdg_env)
    seed = random_seed()  # fixed in CI; named in every failure (STRETCHD_TEST_SEED replays it)
    rng = random.Random(seed)
    db = database()
    done = {"snooze": 0, "skip": 0}  # exit 0 with the success message
    tried = {"snooze": 0, "skip": 0}  # done, plus those cut off by a kill (outcome unknown)
    paused_states: set[bool] = {False}  # what the pause state may be: known, or unknown after a kill
    kills = 0

    def check(when: str) -> None:
        note = f"{when} (seed {seed})"
        assert query(db, "PRAGMA integrity_check") == [("ok",)], note
        for kind, event in (("snooze", "snoozed"), ("skip", "skipped")):
            [(n,)] = query(db, f"SELECT count(*) FROM events WHERE kind = '{event}'")
            assert done[kind] <= n <= tried[kind], f"{note}: {n} {event} events; {done[kind]} done, " \
                                                  f"{tried[kind]} tried"
        paused = bool(query(db, "SELECT value FROM state WHERE key = 'paused_until'"))
        assert paused in paused_states, f"{note}: paused={paused}, expected one of {paused_states}"

    def run(name: str, kill_after: float | None) -> None:
        nonlocal d, kills
        argv, success = COMMANDS[name]
        p = subprocess.Popen([*stretchd_command(), *argv], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(d.proc.pid, signal.SIGKILL)
            d.proc.wait()
            kills += 1
        out, err = p.communicate(timeout=20)
        ok = p.returncode == 0 and out.startswith(success)
        if kill_after is None:  # with the daemon up and nothing killed, every command works
            assert ok, f"`stretchd {' '.join(argv)}` exited {p.returncode}: {out} {err} (seed {seed})"
        else:
            assert ok or (p.returncode == 1 and err.startswith("stretchd: ")), (argv, out, err)
        if name in done:
            tried[name] += 1
            done[name] += ok
        if name in ("pause", "resume"):
            state = name == "pause"
            if ok:
                paused_states.clear()
            paused_states.add(state)
        if kill_after is not None:
            check(f"after kill {kills}, before the restart")
            d = start(tmp_path, xdg_env, daemons)
            check(f"after restart {kills}")

    d = start(tmp_path, xdg_env, daemons)
    began = time.monotonic()
    names = rng.choices(list(COMMANDS), weights=[3, 2, 1, 1, 1], k=200)
    next_kill = rng.randint(5, 20)
    for i, name in enumerate(names):
        kill_after = rng.uniform(0.0, 0.2) if i == next_kill else None
        if kill_after is not None:
            next_kill = i + rng.randint(8, 20)
        run(name, kill_after)
    assert d.stop() == 0
    check("at the end")
    assert kills >= 8 and done["snooze"] > 0 and done["skip"] > 0
    assert time.monotonic() - began < 90


# 4. A full state directory --------------------------------------------------------------

@pytest.fixture
def small_state_dir(xdg: Path) -> Iterator[Path]:
    """$XDG_STATE_HOME/stretchd on a 2 MB tmpfs of its own, unmounted after the test."""
    require_root("mounts a tmpfs")
    require("mount", "umount")
    mnt = xdg / "state" / "stretchd"
    mnt.mkdir(mode=0o700)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mnt)],
                   check=True, capture_output=True)
    try:
        yield mnt
    finally:
        # Normally the daemon has stopped by now; if not (a failed test), detach it anyway.
        if subprocess.run(["umount", str(mnt)], check=False, capture_output=True).returncode != 0:
            subprocess.run(["umount", "--lazy", str(mnt)], check=False, capture_output=True)


def fill(directory: Path) -> Path:
    """Write a file until the file system has no space left."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError as e:
        assert e.errno == errno.ENOSPC, e
    finally:
        os.close(fd)
    return filler


@pytest.mark.clock
def test_a_full_state_directory_keeps_reminding_and_loses_nothing_once_space_is_freed(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], small_state_dir: Path,
        daemons: list[Any], write_config: Any) -> None:
    """With my disk full, I am still reminded; the daemon says why it cannot write (once),
    and when space is freed everything that happened meanwhile lands in the history.

    (A read-only remount cannot be tried on a live daemon: the kernel refuses to remount a
    file system read-only while a file on it is open for writing, as the database is.)"""
    require("faketime")
    write_config('[reminders.first]\ntime = "07:30:00"\nroutine = "shotgun"\n'
                 '[reminders.second]\ntime = "07:30:03"\nroutine = "shotgun"\n')
    d = start(tmp_path, xdg_env, daemons, faketime="2026-11-24 07:29:53")
    filler = fill(small_state_dir)
    wait_for(lambda: "Second stretch: Shotgun" in d.out(), 20, "the second reminder on the console")
    assert "First stretch: Shotgun" in d.out()
    failing = "cannot write the history"
    wait_for(lambda: failing in d.err(), 5, "the reason it cannot write, in the log")
    db = small_state_dir / "stretchd.sqlite3"
    assert query(db, "SELECT count(*) FROM events") == [(0,)]  # the disk really was full
    status = json.loads(d.cli("status", "--json", check=True).stdout)
    assert status["showing"] == {"reminder": "second", "snoozes": 0}
    filler.unlink()
    skipped = d.cli("skip", check=True)
    assert skipped.stdout.strip() == "skipped second"
    wait_for(lambda: "takes writes again" in d.err(), 5, "the store to take writes again")
    assert query(db, "SELECT reminder, kind FROM events ORDER BY id") == [
        ("first", "shown"), ("first", "superseded"), ("second", "shown"), ("second", "skipped")]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    err = d.err()
    assert err.count(failing) == 1, err
    assert "Traceback" not in err
    assert d.stop() == 0


@pytest.mark.clock
def test_with_the_state_directory_full_a_snooze_still_comes_back_and_nothing_shows_twice(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], small_state_dir: Path,
        daemons: list[Any], write_config: Any) -> None:
    """With my disk full, a reminder I snooze comes back when I asked, the clock check (here
    after a step of the clock, as after a suspend) does not show me a reminder that is already
    showing, and all of it is in the history once space is freed."""
    require("faketime")
    write_config('[reminders.first]\ntime = "07:30:00"\nroutine = "shotgun"\n')
    d = start(tmp_path, xdg_env, daemons, faketime="2026-11-24 07:29:10")
    filler = fill(small_state_dir)
    d.step_to_next()
    wait_for(lambda: "First stretch: Shotgun" in d.out(), 20, "the reminder on the console")
    d.clock.jump(20, wake=True)  # type: ignore[union-attr]  # the clock check while it shows
    wait_for(lambda: d.err().count("resumed from sleep") >= 3, 10, "the clock check")
    snoozed = d.cli("snooze", "1", check=True)
    assert snoozed.stdout.strip() == "snoozed first until 07:31"
    d.step_to_next()
    wait_for(lambda: "07:31 Time to stretch: First stretch: Shotgun" in d.out(), 20, "the snoozed reminder back")
    db = small_state_dir / "stretchd.sqlite3"
    assert query(db, "SELECT count(*) FROM events") == [(0,)]  # the disk really was full
    filler.unlink()
    assert d.cli("skip", check=True).stdout.strip() == "skipped first"
    wait_for(lambda: "takes writes again" in d.err(), 5, "the store to take writes again")
    assert query(db, "SELECT kind, detail FROM events ORDER BY id") == [
        ("shown", None), ("snoozed", None), ("shown", "after 1 snooze"), ("skipped", None)]
    assert d.out().count("Time to stretch") == 2
    err = d.err()
    assert err.count("cannot write the history") == 1 and "Traceback" not in err, err


# 5. The config replaced or deleted under the running daemon -------------------------------

def lunch_at(at: str) -> str:
    return f'[reminders.lunch]\ntime = "{at}"\nroutine = "shotgun"\n'


@pytest.mark.clock
@pytest.mark.minute
def test_a_config_replaced_by_an_editors_rename_write_is_picked_up_by_the_minute_check(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], daemons: list[Any],
        write_config: Any) -> None:
    """When my editor saves config.toml by writing a new file and renaming it over the old
    one, the running daemon picks up the change within a minute, with no signal from me.
    (A real minute: the daemon's minute check.)"""
    require("faketime")
    path = write_config('[reminders.morning]\ntime = "09:00"\n')
    d = start(tmp_path, xdg_env, daemons, faketime="2026-11-24 07:00:30")
    new = path.with_name(".config.toml.swp")
    new.write_text('[reminders.morning]\ntime = "09:00"\n' + lunch_at("07:03"))
    os.replace(new, path)
    wait_for(lambda: "config reloaded: 2 reminders" in d.err(), 10 * 60, "the minute check to reload")
    status = json.loads(d.cli("status", "--json", check=True).stdout)
    assert [n["reminder"] for n in status["next"]][:2] == ["lunch", "morning"]
    d.step_to_next()
    wait_for(lambda: "Lunch stretch: Shotgun" in d.out(), 20, "the new reminder on the console")
    assert "Traceback" not in d.err()


@pytest.mark.clock
@pytest.mark.minute
def test_a_deleted_config_keeps_the_last_good_schedule_and_says_so_once(
        tmp_path: Path, xdg: Path, xdg_env: dict[str, str], daemons: list[Any],
        write_config: Any) -> None:
    """If config.toml disappears under the daemon (a mistaken rm, a checkout in progress), it
    keeps reminding on the schedule it had rather than falling back to the defaults, and
    says so once in the log. (Real minutes: the daemon's minute check.)"""
    require("faketime")
    path = write_config(lunch_at("07:05:00"))
    d = start(tmp_path, {**xdg_env, "STRETCHD_DEBUG": "1"}, daemons, faketime="2026-11-24 07:01:00")
    path.unlink()
    removed = "was removed; keeping the last good config"
    wait_for(lambda: removed in d.err(), 10 * 60, "the minute check to notice")
    status = json.loads(d.cli("status", "--json", check=True).stdout)
    assert [n["reminder"] for n in status["next"]] == ["lunch"]
    d.step_to_next()
    wait_for(lambda: "Lunch stretch: Shotgun" in d.out(), 20, "the reminder from the deleted config")
    checks = d.err().split(removed, 1)[1].count("minute check done")
    wait_for(lambda: d.err().split(removed, 1)[1].count("minute check done") >= checks + 1, 10 * 60,
             "one more minute check: the removal is not announced again")
    err = d.err()
    assert err.count(removed) == 1, err
    assert "config reloaded" not in err and "Traceback" not in err
