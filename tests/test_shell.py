"""At home in the shell: the completion scripts and what they complete from the user's own
files, and stretchd(1) written from the commands' help."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click
import pytest
from click.shell_completion import BashComplete
from click.testing import CliRunner

from harness.kit import require
from stretchd.cli import cli

CONFIG = """\
[reminders.morning]
time = "07:30"

[reminders.lunch]
time = "12:30"
"""


def completions(*words: str) -> list[str]:
    """What `stretchd WORDS<TAB>` offers (the last word is the one being typed)."""
    comp = BashComplete(cli, {}, "stretchd", "_STRETCHD_COMPLETE")
    return [item.value for item in comp.get_completions(list(words[:-1]), words[-1])]


def write_config(xdg: Path, text: str = CONFIG) -> None:
    path = xdg / "config" / "stretchd" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize(("shell", "mark"), [("bash", "complete -o nosort -F _stretchd_completion stretchd"),
                                             ("zsh", "#compdef stretchd"),
                                             ("fish", "complete --no-files --command stretchd")])
def test_completion_prints_the_shells_own_script(shell: str, mark: str) -> None:
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0
    assert mark in result.output and "_STRETCHD_COMPLETE" in result.output


def test_an_unknown_shell_is_a_usage_error_naming_the_three() -> None:
    result = CliRunner().invoke(cli, ["completion", "ksh"])
    assert result.exit_code == 2
    assert "'bash', 'zsh', 'fish'" in result.output and "Traceback" not in result.output


def test_commands_and_options_complete() -> None:
    assert {"walk", "status", "completion", "schedule"} <= set(completions(""))
    assert completions("sch") == ["schedule"]
    assert "--no-pictures" in completions("walk", "--no-p")


def test_reminder_names_come_from_the_users_config(xdg: Path) -> None:
    write_config(xdg)
    assert completions("skip", "") == ["lunch", "morning"]
    assert completions("unskip", "m") == ["morning"]
    assert completions("schedule", "set", "l") == ["lunch"]
    assert completions("schedule", "remove", "") == ["lunch", "morning"]


def test_routine_names_come_from_the_built_ins_and_the_users_folder(user_routines: Path) -> None:
    (user_routines / "desk-break.toml").write_text("title = 'mine'\n")
    assert completions("walk", "") == ["desk-break", "hips-lower-back", "shotgun", "si-joints"]
    assert completions("routines", "show", "s") == ["shotgun", "si-joints"]
    assert completions("schedule", "add", "x", "08:00", "--routine", "h") == ["hips-lower-back"]


@pytest.mark.parametrize("text", ["[reminders.morning\n", "\xff\xfe not text", None])
def test_a_broken_or_missing_config_completes_nothing_and_says_nothing(xdg: Path, text: str | None,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    if text is not None:
        path = xdg / "config" / "stretchd" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("latin-1"))
    assert completions("skip", "") == []
    assert capsys.readouterr() == ("", "")


def test_bash_completes_from_the_script_stretchd_prints(xdg: Path) -> None:
    """The real bash, with the script sourced as the README says, asking the real stretchd."""
    import sys

    bash = shutil.which("bash")
    assert bash is not None
    write_config(xdg)
    bindir = Path(sys.executable).parent
    script = subprocess.run([str(bindir / "stretchd"), "completion", "bash"], capture_output=True,
                            text=True, check=True).stdout
    probe = (script + '\nCOMP_WORDS=(stretchd skip "")\nCOMP_CWORD=2\n_stretchd_completion stretchd skip ""\n'
             'printf "%s\\n" "${COMPREPLY[@]}"\n')
    import os

    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}"}
    out = subprocess.run([bash, "--norc", "--noprofile", "-c", probe], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    assert out == ["lunch", "morning"]


def _script(shell: str) -> tuple[str, dict[str, str]]:
    """The script the installed stretchd prints for shell, and an environment finding it."""
    import os
    import sys

    bindir = Path(sys.executable).parent
    script = subprocess.run([str(bindir / "stretchd"), "completion", shell], capture_output=True,
                            text=True, check=True).stdout
    return script, {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}"}


def test_fish_completes_from_the_script_stretchd_prints(xdg: Path, tmp_path: Path) -> None:
    require("fish")
    write_config(xdg)
    script, env = _script("fish")
    (tmp_path / "stretchd.fish").write_text(script)
    out = subprocess.run(["fish", "--no-config", "-c",
                          f"source {tmp_path / 'stretchd.fish'}; complete -C 'stretchd skip '"],
                         capture_output=True, text=True, env=env, check=True).stdout.split()
    assert out == ["lunch", "morning"]


def test_zsh_runs_the_script_stretchd_prints(xdg: Path, tmp_path: Path) -> None:
    """zsh runs the completion function as its completion system would call it (words,
    CURRENT), with compadd standing in to print what it is given."""
    require("zsh")
    write_config(xdg)
    script, env = _script("zsh")
    (tmp_path / "_stretchd").write_text(script)
    probe = (f"compdef() {{ :; }}; source {tmp_path / '_stretchd'}; "
             'compadd() { print -l -- "${(@P)${@[-1]}}"; }; _describe() { :; }; '
             'words=(stretchd skip ""); CURRENT=3; _stretchd_completion')
    out = subprocess.run(["zsh", "-f", "-c", probe], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    assert out == ["lunch", "morning"]


# The man page --------------------------------------------------------------------------------

def every_command(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, command in group.commands.items():
        if command.hidden:
            continue
        out.append(((*path, name), command))
        if isinstance(command, click.Group):
            out += every_command(command, (*path, name))
    return out


def man_page() -> str:
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "tools"))
    try:
        import manpage
    finally:
        sys.path.pop(0)
    return manpage.page(cli, "9.9")  # type: ignore[no-any-return]


def test_the_man_page_has_every_command_and_option_click_parses() -> None:
    page = man_page().replace("\\-", "-")
    for path, command in every_command(cli):
        assert f".SS stretchd {' '.join(path)} " in page, path
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden and "--help" not in param.opts:
                assert all(opt in page for opt in param.opts), (path, param.opts)
    for code in ("69", "78"):
        assert f".B {code}\n" in page
    assert "--reminder" not in page  # hidden: Start's own


def test_the_man_page_is_english_whatever_the_build_machines_locale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--help speaks the person's language; stretchd(1) is written once, at build time, in English."""
    import sys

    monkeypatch.setenv("LANGUAGE", "de")
    sys.path.insert(0, str(Path(__file__).parents[1] / "tools"))
    try:
        import manpage
    finally:
        sys.path.pop(0)
    from stretchd import i18n
    from stretchd.cli.common import english

    manpage.main(tmp_path / "stretchd.1")
    page = " ".join((tmp_path / "stretchd.1").read_text().replace("\\-", "-").split())
    text = str(english(cli, "help"))  # "Stretch reminders for ..."
    i18n.use("de")
    german = i18n._(text)
    assert german != text
    assert text.split("\n")[0] in page and german.split("\n")[0] not in page


def test_the_man_page_renders_without_a_warning(tmp_path: Path) -> None:
    require("man")
    man = str(shutil.which("man"))
    path = tmp_path / "stretchd.1"
    path.write_text(man_page())
    done = subprocess.run([man, "--warnings", "-l", str(path)], capture_output=True, text=True,
                          env={"MANWIDTH": "80", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                               "MANPAGER": "cat", "PAGER": "cat"}, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "stretchd completion [OPTIONS] {bash|zsh|fish}" in done.stdout
    assert "stretchd walk [OPTIONS] [ROUTINE]" in done.stdout


def test_the_wheel_carries_the_man_page_where_pipx_links_man_pages(tmp_path: Path) -> None:
    """The wheel as `python -m build` makes it (hatch_build.py writes stretchd(1) at build time)."""
    import sys
    import zipfile

    root = Path(__file__).parents[1]
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path),
                    str(root)], capture_output=True, text=True, check=True)
    wheel = next(tmp_path.glob("stretchd-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        pages = [n for n in z.namelist() if n.endswith("/data/share/man/man1/stretchd.1")]
        assert len(pages) == 1
        text = z.read(pages[0]).decode()
    assert text.startswith(".TH STRETCHD 1 ") and ".SS stretchd walk " in text
