"""The unit `stretchd service install` writes passes the real `systemd-analyze --user verify`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.kit import require, stretchd_command
from stretchd.desktop import service

pytestmark = pytest.mark.e2e


def unit_file() -> Path:
    """Where `service install` puts the unit with no user manager to ask (none runs here)."""
    from stretchd import paths

    return paths.systemd_user_dir() / "stretchd.service"


def verify(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    runtime = tmp_path / "verify-runtime"  # it needs a runtime directory; no manager needs to run
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime)}
    result = subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True,
                            text=True, check=False, timeout=30, env=env)
    # Other packages' user units are loaded too (mako's and swaync's both claim the
    # notification bus name, and systemd-analyze says so): only what concerns ours counts.
    result.stderr = "".join(line for line in result.stderr.splitlines(keepends=True)
                            if not re.match(r"(Failed to put bus name to hashmap|(mako|swaync)\.service:)", line))
    return result


def test_the_installed_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    require("systemd-analyze")
    service.install(enable=False)
    result = verify(unit_file(), tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


def test_a_stretchd_under_a_path_with_spaces_and_percent_passes_too(tmp_path: Path) -> None:
    """systemd would read "%" as a specifier and split at the space unless quoted."""
    require("systemd-analyze")
    exe = tmp_path / "my tools 100%" / "stretchd"
    exe.parent.mkdir()
    shutil.copy(stretchd_command()[0], exe)
    service.install(enable=False, exe=exe)
    result = verify(unit_file(), tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


def test_verify_names_an_exec_start_that_does_not_exist(tmp_path: Path) -> None:
    require("systemd-analyze")
    service.install(enable=False, exe=tmp_path / "gone" / "stretchd")
    result = verify(unit_file(), tmp_path)
    assert result.returncode != 0 and f"{tmp_path}/gone/stretchd is not executable" in result.stderr
