"""Every file stretchd touches is under the XDG directory the user (or the test) chose."""

from __future__ import annotations

from pathlib import Path

import pytest

from stretchd import paths


def test_paths_follow_the_xdg_variables(xdg: Path) -> None:
    assert paths.config_file() == xdg / "config" / "stretchd" / "config.toml"
    assert paths.user_routines_dir() == xdg / "config" / "stretchd" / "routines"
    assert paths.database_file().parent == xdg / "state" / "stretchd"
    assert paths.socket_file() == xdg / "run" / "stretchd" / "control.sock"
    assert paths.systemd_user_dir() == xdg / "config" / "systemd" / "user"


def test_paths_are_resolved_when_asked_not_at_import(xdg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg / "elsewhere"))
    assert paths.config_file() == xdg / "elsewhere" / "stretchd" / "config.toml"


def test_without_a_runtime_dir_the_socket_stays_private_under_state(
        xdg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert paths.socket_file() == xdg / "state" / "stretchd" / "run" / "control.sock"
