"""Installed and removed like a tool: the sdist and the wheel built (`python -m build`) and
checked (`twine check`), the wheel installed with pipx by an ordinary user in a clean home,
and used from there (`--version`, `doctor`, `man stretchd`, a completion); then `service
uninstall` and `pipx uninstall` leave nothing of stretchd but the user's config and history."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.kit import require
from harness.sessions import USER, ensure_user, root_env

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_pipx_installs_a_tool_with_its_man_page_and_removes_it_leaving_config_and_history(
        tmp_path: Path) -> None:
    require("runuser", "man", "bash")
    if not Path("/usr/bin/python3").exists():
        pytest.fail("Debian's python3 (with python3-venv) is needed for pipx; .ci/run installs it")
    user = ensure_user()
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
                           capture_output=True, text=True, check=False)  # the sdist, then its wheel
    assert built.returncode == 0, built.stderr[-2000:]
    made = sorted(p.name for p in dist.iterdir())
    assert len(made) == 2 and made[0].endswith(".whl") and made[1].endswith(".tar.gz"), made
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dist.iterdir())],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    home = Path(f"/tmp/stretchd-install-{os.getpid()}")  # the user's clean home (tmp_path is root's)
    home.mkdir(mode=0o700)
    try:
        os.chown(home, user.pw_uid, user.pw_gid)
        wheel = home / next(dist.glob("*.whl")).name
        shutil.copy(next(dist.glob("*.whl")), wheel)
        os.chown(wheel, user.pw_uid, user.pw_gid)
        env = {"HOME": str(home), "PATH": f"{home}/.local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80",
               "XDG_RUNTIME_DIR": str(home / "run")}

        def run(*argv: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
            done = subprocess.run(["runuser", "-u", USER, "--", "env", "-i",
                                   *(f"{k}={v}" for k, v in env.items()), *argv],
                                  capture_output=True, text=True, cwd=home, env=root_env(), check=False)
            if ok:
                assert done.returncode == 0, f"{' '.join(argv)}: {done.stdout[-1000:]}{done.stderr[-2000:]}"
            return done

        run("mkdir", "-m", "0700", str(home / "run"))
        # pipx 1.5 or later links a wheel's man pages (Debian 12's 1.1 does not).
        run("/usr/bin/python3", "-m", "venv", str(home / ".pipx-itself"))
        run(str(home / ".pipx-itself/bin/pip"), "install", "--quiet", "pipx>=1.5")
        pipx = str(home / ".pipx-itself/bin/pipx")
        run(pipx, "install", "--python", "/usr/bin/python3", str(wheel))

        assert run("stretchd", "--version").stdout.strip().startswith("stretchd ")
        assert "notification server:" in run("stretchd", "doctor").stdout
        # The wheel carries the compiled catalogs: German for LANGUAGE=de.
        from babel.messages.pofile import read_po

        with (ROOT / "po" / "de.po").open("rb") as f:
            two = read_po(f).get("{file}: ok, {n} reminder").string[1]  # German's plural, for 2
        german = two.format(file="FILE", n=2).split("FILE", 1)[1]
        assert german in run("env", "LANGUAGE=de", "stretchd", "config", "check").stdout
        assert german not in run("stretchd", "config", "check").stdout  # C.UTF-8: English
        linked = home / ".local/share/man/man1/stretchd.1"  # pipx's link into the venv's page
        assert linked.is_symlink() and linked.resolve().is_file()
        assert run("man", "-w", "stretchd").stdout.strip() == str(linked.resolve())
        page = run("man", "stretchd").stdout
        assert "stretchd completion [OPTIONS] {bash|zsh|fish}" in page and "EXIT STATUS" in page
        # The user's own files, as a person has them: a config and a history.
        run("stretchd", "schedule", "add", "lunch", "12:30")
        run("stretchd", "skip", "lunch")
        script = run("stretchd", "completion", "bash").stdout
        probe = (script + '\nCOMP_WORDS=(stretchd skip "")\nCOMP_CWORD=2\n'
                 '_stretchd_completion stretchd skip ""\nprintf "%s\\n" "${COMPREPLY[@]}"\n')
        assert "lunch" in run("bash", "--norc", "--noprofile", "-c", probe).stdout.split()

        run("stretchd", "service", "uninstall")
        run(pipx, "uninstall", "stretchd")
        assert run("sh", "-c", "command -v stretchd", ok=False).returncode != 0
        assert run("man", "-w", "stretchd", ok=False).returncode != 0
        left = sorted(str(rel) for rel in (p.relative_to(home) for p in home.rglob("*"))
                      if "stretchd" in str(rel) and rel.parts[0] not in (".pipx-itself", ".cache")
                      and rel.name != wheel.name
                      and rel.name != ".stretchd.lock")  # pipx's own record that it once had it
        assert {".config/stretchd/config.toml", ".local/state/stretchd/stretchd.sqlite3"} <= set(left)
        assert all(rel.startswith((".config/stretchd", ".local/state/stretchd")) for rel in left), left
    finally:
        shutil.rmtree(home, ignore_errors=True)
