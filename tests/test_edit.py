"""Editing config.toml: only the changed value differs, refused edits change nothing, writes are atomic."""

from __future__ import annotations

import difflib
import os
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from stretchd import paths
from stretchd.config import Config, default_config_file, edit, parse
from stretchd.errors import EXIT_USAGE, ConfigError, Problem, StretchdError, UsageError
from stretchd.files import NEW_FILE_MODE

ROUTINES = ("hips-lower-back", "si-joints", "shotgun")

COMMENTED = """\
# My stretch schedule. Kept in dotfiles.

[defaults]
routine = "hips-lower-back"   # the one my physio gave me
snooze_minutes = 10           # long enough to finish a thought
  max_snoozes = 3

# Before work.
[reminders.morning]
time = "07:30"  # after coffee
days = ["mon", "tue", "wed", "thu", "fri"]
routine = 'hips-lower-back'

# After work: the SI joints.
[reminders.evening]
# later on Fridays? not yet
time = "21:00"
routine = "si-joints"
"""


@pytest.fixture
def config() -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(COMMENTED)
    return path


def changed_lines(before: str, after: str) -> list[str]:
    """The lines that differ, as ndiff shows them ('- old', '+ new')."""
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:2] in ("- ", "+ ")]


@pytest.mark.parametrize(("change", "diff"), [
    (lambda t: edit.set_key(t, "defaults.snooze_minutes", "15"),
     ["- snooze_minutes = 10           # long enough to finish a thought",
      "+ snooze_minutes = 15           # long enough to finish a thought"]),
    (lambda t: edit.set_reminder_time(t, "morning", "7:45"),
     ['- time = "07:30"  # after coffee', '+ time = "07:45"  # after coffee']),
    (lambda t: edit.set_key(t, "reminders.evening.routine", "shotgun"),
     ['- routine = "si-joints"', '+ routine = "shotgun"']),
    (lambda t: edit.set_key(t, "defaults.terminal", '["kitty", "--"]'),
     ['+   terminal = ["kitty", "--"]']),
    (lambda t: edit.set_key(t, "reminders.evening.days", '["sat", "sun"]'),
     ['+ days = ["sat", "sun"]']),
    (lambda t: edit.add_reminder(t, "lunch", "12:30", ["mon", "wed"], "shotgun"),
     ["+ ", "+ [reminders.lunch]", '+ time = "12:30"', '+ days = ["mon", "wed"]',
      '+ routine = "shotgun"']),
])
def test_an_edit_changes_only_its_value_and_keeps_every_comment(
        config: Path, change: Callable[[str], str], diff: list[str]) -> None:
    edit.apply(config, change, ROUTINES)
    assert changed_lines(COMMENTED, config.read_text()) == diff


def test_a_new_key_goes_after_the_last_value_not_after_the_next_tables_comment() -> None:
    text = '[defaults]\nsnooze_minutes = 5\n\n# Before work.\n[reminders.morning]\ntime = "07:30"\n'
    new = edit.set_key(text, "defaults.max_snoozes", "1")
    assert new == ('[defaults]\nsnooze_minutes = 5\nmax_snoozes = 1\n\n# Before work.\n'
                   '[reminders.morning]\ntime = "07:30"\n')


def test_removing_a_reminder_keeps_the_comment_above_the_next_one(config: Path) -> None:
    edit.apply(config, lambda t: edit.remove_reminder(t, "morning"), ROUTINES)
    assert changed_lines(COMMENTED, config.read_text()) == [
        "- [reminders.morning]", '- time = "07:30"  # after coffee',
        '- days = ["mon", "tue", "wed", "thu", "fri"]', "- routine = 'hips-lower-back'", "- "]
    assert "# After work: the SI joints.\n[reminders.evening]" in config.read_text()


def test_removing_the_last_reminder_leaves_no_trailing_blank_line(config: Path) -> None:
    edit.apply(config, lambda t: edit.remove_reminder(t, "evening"), ROUTINES)
    assert config.read_text().endswith("routine = 'hips-lower-back'\n\n# After work: the SI joints.\n")


@pytest.mark.parametrize(("value", "written"), [
    ("15", 15), ("07:45", "07:45"), ('["kitty", "--"]', ["kitty", "--"]), ("shotgun", "shotgun"),
    ('"auto"', "auto"), ("1\nx = 2", "1\nx = 2"),
])
def test_set_reads_the_value_as_toml_if_it_is_toml_else_as_a_string(value: str, written: object) -> None:
    new = edit.set_key("[defaults]\n", "defaults.k", value)
    assert tomllib.loads(new)["defaults"]["k"] == written


def test_a_local_time_stays_a_local_time_and_crlf_stays_crlf() -> None:
    new = edit.set_reminder_time('[reminders.a]\r\ntime = 07:00:00 # x\r\n', "a", "9:00")
    assert new == '[reminders.a]\r\ntime = 09:00:00 # x\r\n'


@pytest.mark.parametrize(("change", "key", "says"), [
    (lambda t: edit.set_reminder_time(t, "morning", "7:3"), "reminders.morning.time",
     '"7:3" is not a time; use HH:MM (24-hour), e.g. "07:30"'),
    (lambda t: edit.add_reminder(t, "lunch", "7:3", None, None), "reminders.lunch.time",
     '"7:3" is not a time'),
    (lambda t: edit.set_key(t, "reminders.morning.time", "25:00"), "reminders.morning.time",
     "is not a time"),
    (lambda t: edit.add_reminder(t, "lunch", "12:00", None, "hips-lower-bak"), "reminders.lunch.routine",
     'no routine named "hips-lower-bak" (did you mean "hips-lower-back"?)'),
    (lambda t: edit.set_key(t, "defaults.routine", "yoga"), "defaults.routine", 'no routine named "yoga"'),
    (lambda t: edit.set_reminder_time(t, "mornin", "08:00"), "reminders.mornin",
     'no such reminder (did you mean "morning"?); the reminders are: morning, evening'),
    (lambda t: edit.remove_reminder(t, "evning"), "reminders.evning", '(did you mean "evening"?)'),
    (lambda t: edit.set_key(t, "reminders.lunch.time", "12:00"), "reminders.lunch", "no such reminder"),
    (lambda t: edit.add_reminder(t, "lunch", "12:00", ["mon", "funday"], None), "reminders.lunch.days",
     '"funday" is not a day'),
    (lambda t: edit.set_key(t, "reminders.morning.days", "[]"), "reminders.morning.days",
     "use a list of mon..sun"),
    (lambda t: edit.add_reminder(t, "morning", "08:00", None, None), "reminders.morning", "already exists"),
    (lambda t: edit.set_key(t, "defaults.snooze_minutes", "0"), "defaults.snooze_minutes",
     "use a whole number from 1 to 240"),
    (lambda t: edit.set_key(t, "defaults.snoze_minutes", "5"), "defaults.snoze_minutes",
     'unknown key (did you mean "snooze_minutes"?)'),
])
def test_a_refused_edit_leaves_the_file_as_it_was_and_says_why_in_one_line(
        config: Path, change: Callable[[str], str], key: str, says: str) -> None:
    before = config.read_bytes()
    with pytest.raises(UsageError) as caught:
        edit.apply(config, change, ROUTINES)
    message = caught.value.message
    assert message.startswith(f"{config}: {key}: ") and says in message
    assert "\n" not in message and "(line" not in message  # no line of a file never written
    assert caught.value.exit_code == EXIT_USAGE
    assert config.read_bytes() == before
    assert os.listdir(config.parent) == ["config.toml"]


def test_a_file_already_broken_is_named_with_its_own_problem_and_line(config: Path) -> None:
    """An edit of a file that is invalid already: the file's own problem, exit 78 as for
    every command that needs the config."""
    config.write_text(COMMENTED.replace("max_snoozes = 3", "max_snoozes = 99"))
    with pytest.raises(ConfigError) as caught:
        edit.apply(config, lambda t: edit.set_reminder_time(t, "morning", "08:00"), ROUTINES)
    assert caught.value.exit_code == 78
    assert caught.value.message == (f"{config}: defaults.max_snoozes: 99 is not accepted; "
                                    "use a whole number from 0 to 20 (line 6)")


def test_a_write_interrupted_before_the_rename_leaves_the_old_file_and_no_temp_file(
        config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = config.read_bytes()

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(StretchdError, match="cannot write: No space left on device"):
        edit.apply(config, lambda t: edit.set_key(t, "defaults.snooze_minutes", "15"), ROUTINES)
    assert config.read_bytes() == before
    assert os.listdir(config.parent) == ["config.toml"]


def test_a_symlinked_config_has_its_target_written_and_stays_a_link(xdg: Path) -> None:
    dotfiles = xdg / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "stretchd.toml"
    target.write_text(COMMENTED)
    link = paths.config_file()
    link.parent.mkdir(parents=True)
    link.symlink_to(os.path.relpath(target, link.parent))
    edit.apply(link, lambda t: edit.set_reminder_time(t, "evening", "21:30"), ROUTINES)
    assert link.is_symlink() and link.resolve() == target
    assert '[reminders.evening]\n# later on Fridays? not yet\ntime = "21:30"\n' in target.read_text()
    assert sorted(os.listdir(dotfiles)) == ["stretchd.toml"]
    assert os.listdir(link.parent) == ["config.toml"]


def test_the_file_keeps_its_permissions(config: Path) -> None:
    config.chmod(0o600)
    edit.apply(config, lambda t: edit.set_key(t, "defaults.snooze_minutes", "15"), ROUTINES)
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_with_no_config_file_the_edit_starts_from_the_commented_default(xdg: Path) -> None:
    path = paths.config_file()
    assert not path.parent.exists()
    config = edit.apply(path, lambda t: edit.add_reminder(t, "lunch", "12:00", None, None), ROUTINES)
    default = default_config_file().read_text()
    # Not "This is the built-in default": once written, the file is the user's own.
    yours = default.replace(edit.DEFAULT_LINE, edit.YOURS_LINE)
    assert edit.DEFAULT_LINE in default and yours != default
    assert path.read_text() == yours + '\n[reminders.lunch]\ntime = "12:00"\n'
    assert [r.name for r in config.reminders] == ["morning", "evening", "lunch"]
    assert stat.S_IMODE(path.stat().st_mode) == NEW_FILE_MODE == 0o644


# `stretchd config edit` --------------------------------------------------------------------

class FakeEditor:
    """A script standing in for $EDITOR: each run saves what it was shown and writes the next text."""

    def __init__(self, tmp_path: Path, *texts: str | None) -> None:
        self.dir = tmp_path / "editor"
        self.dir.mkdir()
        for n, text in enumerate(texts, 1):
            if text is not None:
                (self.dir / f"write-{n}").write_text(text)
        self.argv = [str(self.dir / "edit")]
        (self.dir / "edit").write_text(
            "#!/bin/sh\nd=$(dirname \"$0\")\nn=$(($(cat \"$d/count\" 2>/dev/null || echo 0) + 1))\n"
            "echo $n > \"$d/count\"\ncp \"$1\" \"$d/seen-$n\"\n"
            "[ -f \"$d/write-$n\" ] && cp \"$d/write-$n\" \"$1\"\nexit 0\n")
        (self.dir / "edit").chmod(0o755)

    def seen(self, n: int) -> str:
        return (self.dir / f"seen-{n}").read_text()

    def runs(self) -> int:
        return int((self.dir / "count").read_text()) if (self.dir / "count").exists() else 0


class Prompt:
    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.questions: list[str] = []
        self.said: list[str] = []

    def ask(self, question: str) -> str:
        self.questions.append(question)
        return self.answers.pop(0)

    def echo(self, message: str) -> None:
        self.said.append(message)


def edit_with(editor: FakeEditor, prompt: Prompt, path: Path) -> Config | None:
    return edit.edit_interactively(path, ROUTINES, editor.argv, ask=prompt.ask, echo=prompt.echo)


VALID = COMMENTED.replace('time = "07:30"', 'time = "06:45"')
INVALID = COMMENTED.replace('time = "07:30"', 'time = "7:3"')


def test_config_edit_saves_a_valid_edit(config: Path, tmp_path: Path) -> None:
    editor, prompt = FakeEditor(tmp_path, VALID), Prompt()
    result = edit_with(editor, prompt, config)
    assert config.read_text() == VALID and editor.seen(1) == COMMENTED
    morning = result.reminder("morning") if result else None
    assert morning is not None and str(morning.time) == "06:45:00"
    assert prompt.questions == [] and prompt.said == [f"saved {config}"]
    assert os.listdir(config.parent) == ["config.toml"]


def test_config_edit_of_an_invalid_edit_then_discard_leaves_the_file(config: Path, tmp_path: Path) -> None:
    before = config.read_bytes()
    editor, prompt = FakeEditor(tmp_path, INVALID), Prompt("d")
    assert edit_with(editor, prompt, config) is None
    assert config.read_bytes() == before
    assert prompt.questions == ["(e)dit again or (d)iscard?"]
    assert prompt.said == [f'{config}: reminders.morning.time: "7:3" is not a time; use HH:MM (24-hour), '
                           'e.g. "07:30" (line 10)', f"discarded your changes; {config} is unchanged"]
    assert os.listdir(config.parent) == ["config.toml"]


def test_config_edit_again_reopens_the_users_text_and_saves_when_valid(config: Path, tmp_path: Path) -> None:
    editor, prompt = FakeEditor(tmp_path, INVALID, VALID), Prompt("e")
    edit_with(editor, prompt, config)
    assert editor.runs() == 2 and editor.seen(2) == INVALID  # their edit, not the original
    assert config.read_text() == VALID
    assert os.listdir(config.parent) == ["config.toml"]


def test_config_edit_without_changes_says_so_and_writes_nothing(xdg: Path, tmp_path: Path) -> None:
    path = paths.config_file()
    editor, prompt = FakeEditor(tmp_path, None), Prompt()
    assert edit_with(editor, prompt, path) is None
    # No file yet: the default, as the user's file would start from it.
    assert editor.seen(1) == default_config_file().read_text().replace(edit.DEFAULT_LINE, edit.YOURS_LINE)
    assert prompt.said == [f"no changes; {path} is unchanged"]
    assert not path.exists() and os.listdir(path.parent) == []


def test_config_edit_stops_when_the_editor_fails(config: Path, tmp_path: Path) -> None:
    before = config.read_bytes()
    failing = tmp_path / "failing-editor"
    failing.write_text("#!/bin/sh\necho garbage > \"$1\"\nexit 3\n")
    failing.chmod(0o755)
    with pytest.raises(StretchdError, match="the editor exited with status 3"):
        edit.edit_interactively(config, ROUTINES, [str(failing)], ask=Prompt().ask, echo=Prompt().echo)
    assert config.read_bytes() == before
    assert os.listdir(config.parent) == ["config.toml"]


@pytest.mark.parametrize(("env", "argv"), [
    ({"VISUAL": "code --wait", "EDITOR": "nano"}, ["code", "--wait"]),
    ({"EDITOR": "'/opt/my editor/ed' -x"}, ["/opt/my editor/ed", "-x"]),
    ({"VISUAL": "", "EDITOR": ""}, ["vi"]),
    ({}, ["vi"]),
])
def test_the_editor_is_visual_then_editor_then_vi(env: dict[str, str], argv: list[str]) -> None:
    assert edit.editor_command(env) == argv


def test_a_config_saved_with_a_byte_order_mark_is_edited_as_the_daemon_reads_it(config: Path) -> None:
    """Some editors (Notepad, some IDEs) start a UTF-8 file with a byte-order mark: the daemon
    and `config check` read such a file, and so does every edit."""
    config.write_bytes(b"\xef\xbb\xbf" + COMMENTED.encode())
    edit.apply(config, lambda t: edit.set_reminder_time(t, "morning", "08:00"), None)
    text = config.read_bytes().decode("utf-8")
    assert changed_lines(COMMENTED, text) == ['- time = "07:30"  # after coffee',
                                              '+ time = "08:00"  # after coffee']
    from stretchd.config import load

    assert load(config).reminder("morning") is not None


def test_a_config_that_is_not_utf8_is_refused_with_what_to_do(config: Path) -> None:
    config.write_bytes(b"[defaults]\nroutine = \"\xff\"\n")
    with pytest.raises(UsageError, match="not UTF-8 text; fix it with `stretchd config edit`"):
        edit.apply(config, lambda t: edit.set_key(t, "defaults.snooze_minutes", "5"), None)
    assert config.read_bytes() == b"[defaults]\nroutine = \"\xff\"\n"


# The problems an edit brings, told from the file's own by value --------------------------------

def test_a_problem_the_file_had_is_its_own_though_the_edit_moved_it_to_another_line(config: Path) -> None:
    """A key added above moves the file's problem one line down; the same where and what is
    the same problem, named at the line the file has it on (exit 78, nothing written)."""
    broken = COMMENTED.replace('routine = "si-joints"', 'routine = "nope"')
    config.write_text(broken)

    def change(text: str) -> str:
        return edit.set_key(text, "defaults.grace_minutes", "20")

    with pytest.raises(ConfigError) as moved:
        parse(change(broken), str(config), ROUTINES)
    with pytest.raises(ConfigError) as caught:
        edit.apply(config, change, ROUTINES)
    where = f"{config}: reminders.evening.routine"
    what = 'no routine named "nope"; known: hips-lower-back, shotgun, si-joints'
    assert moved.value.found == (Problem(where, what, 19),)
    assert caught.value.found == (Problem(where, what, 18),)
    assert caught.value.problems == [caught.value.message] == [f"{where}: {what} (line 18)"]
    assert config.read_text() == broken


def test_a_new_problem_worded_like_the_files_own_under_another_key_is_the_edits(config: Path) -> None:
    broken = COMMENTED.replace('time = "07:30"', 'time = "7:3"')
    config.write_text(broken)
    with pytest.raises(UsageError) as caught:
        edit.apply(config, lambda t: edit.set_reminder_time(t, "evening", "7:3"), ROUTINES)
    assert caught.value.message == (f'{config}: reminders.evening.time: "7:3" is not a time; '
                                    'use HH:MM (24-hour), e.g. "07:30"')
    assert config.read_text() == broken


def test_a_new_key_goes_above_the_next_tables_comment_though_another_table_reads_the_same() -> None:
    """The line is placed where tomlkit put it, not found by its text: b's body is the text a's
    becomes."""
    text = '[reminders.a]\ntime = "07:00"\n# c\n[reminders.b]\ntime = "07:00"\n# c\ndays = ["sat"]\n'
    assert edit.set_key(text, "reminders.a.days", '["sat"]') == (
        '[reminders.a]\ntime = "07:00"\ndays = ["sat"]\n# c\n[reminders.b]\ntime = "07:00"\n# c\n'
        'days = ["sat"]\n')


def test_a_new_key_stays_out_of_a_multiline_string_whose_last_line_starts_with_a_hash() -> None:
    text = '[defaults]\nterminal = ["""\n# x"""]\n\n# Before work.\n[reminders.m]\ntime = "07:30"\n'
    assert edit.set_key(text, "defaults.max_snoozes", "1") == (
        '[defaults]\nterminal = ["""\n# x"""]\nmax_snoozes = 1\n\n# Before work.\n'
        '[reminders.m]\ntime = "07:30"\n')


def test_config_edit_takes_a_file_its_editor_saved_with_a_byte_order_mark(
        config: Path, tmp_path: Path) -> None:
    editor, prompt = FakeEditor(tmp_path, "\ufeff" + VALID), Prompt()
    result = edit_with(editor, prompt, config)
    morning = result.reminder("morning") if result else None
    assert morning is not None and str(morning.time) == "06:45:00"
    assert prompt.questions == [] and prompt.said == [f"saved {config}"]
