"""Change config.toml in place: tomlkit keeps the user's comments, order and formatting.

The edit functions take the file's text and return the new text; `apply` validates the
result and writes it atomically, so a refused edit leaves the file as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shlex
import subprocess
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, InlineTable, Item, Table
from tomlkit.toml_document import TOMLDocument

from stretchd.config import Config, NotText, default_config_file, format_time, parse, parse_time
from stretchd.config import read_text as read_config_text
from stretchd.errors import ConfigError, Problem, StretchdError, UsageError, did_you_mean
from stretchd.files import write_atomic
from stretchd.i18n import _
from stretchd.text import clean

# A new config file gets what an editor would create under the usual umask (022):
# readable by others, like the rest of ~/.config. It holds no secrets.
# A blank or comment line; not one with a triple quote, which may close a multi-line string.
_LOOSE = re.compile(r"[ \t]*(?:#(?:(?!\"{3}|'{3})[^\n])*)?\r?\n")

Run = Callable[[list[str]], "subprocess.CompletedProcess[Any]"]


# The edits: text in, text out ------------------------------------------------------------

def add_reminder(text: str, name: str, time: str, days: list[str] | None, routine: str | None) -> str:
    """A new [reminders.NAME] table after the last reminder."""
    if text and not text.endswith("\n"):
        text += "\n"
    doc = _doc(text)
    if "reminders" not in doc:
        doc["reminders"] = tomlkit.table(is_super_table=True)
    reminders = doc["reminders"]
    if not isinstance(reminders, Table | InlineTable):
        raise UsageError(_("reminders: is not a table; it must be tables like [reminders.morning]"))
    if name in reminders:
        # TRANSLATORS: {reminder} is a reminder's name; TIME stays as it is (what to type there).
        raise UsageError(_("reminders.{reminder}: already exists; change its time with "
                           "`stretchd schedule set {reminder} TIME` or remove it first")
                         .format(reminder=_show(name)))
    table = tomlkit.inline_table() if isinstance(reminders, InlineTable) else tomlkit.table()
    table["time"] = _time_item(time, None)
    if days is not None:
        table["days"] = [d.strip() for item in days for d in item.split(",") if d.strip()]
    if routine is not None:
        table["routine"] = routine
    reminders[name] = table
    if isinstance(table, Table) and not doc.as_string().endswith(table.as_string()):
        table.add(tomlkit.nl())  # a table follows: keep a blank line between them
    return _finish(text, doc.as_string())


def set_reminder_time(text: str, name: str, time: str) -> str:
    doc = _doc(text)
    table = _reminder(doc, name)
    return _finish(text, _put(doc, table, "time", _time_item(time, table.get("time"))))


def remove_reminder(text: str, name: str) -> str:
    """Drop the reminder's table; comments above its header or before the next one stay (tomlkit
    keeps those in the table before, so `del` takes them along; no public call moves them)."""
    doc = _doc(text)
    _reminder(doc, name)
    expected = doc.unwrap()
    del expected["reminders"][name]
    cut = _cut_table(text, name)
    if cut is not None and _data(cut) == expected:  # the cut took exactly that table away
        return cut
    reminders = doc["reminders"]
    assert isinstance(reminders, Table | InlineTable)
    del reminders[name]  # not a plain [reminders.NAME] table: let tomlkit remove it
    return _finish(text, doc.as_string())


def set_key(text: str, key: str, value: str) -> str:
    """Set a dotted KEY to VALUE: a TOML value if VALUE is one (15, true, ["kitty", "--"]), else a string."""
    parts = key.split(".")
    if not all(parts):
        # TRANSLATORS: {key} is what was typed for a config.toml key.
        raise UsageError(_("{key}: is not a key; use a dotted name like defaults.snooze_minutes")
                         .format(key=_show(key)))
    doc = _doc(text)
    if parts[0] == "reminders" and len(parts) > 2:
        _reminder(doc, parts[1])  # rather than start a reminder with one key in it
    table: TOMLDocument | Table | InlineTable = doc
    for depth, part in enumerate(parts[:-1], 1):
        if part not in table:
            table[part] = tomlkit.table()
        inner = table[part]
        if not isinstance(inner, Table | InlineTable):
            # TRANSLATORS: {table} and {key} are config.toml keys: "defaults: is a value, ...".
            raise UsageError(_("{table}: is a value, not a table; cannot set {key}")
                             .format(table=".".join(parts[:depth]), key=key))
        table = inner
    old = table.get(parts[-1])
    if isinstance(old, Table | AoT):
        example = next(iter(old), "KEY") if isinstance(old, Table) else "KEY"
        # TRANSLATORS: {key} is a config.toml table, {example} one of its keys: "hold.when".
        raise UsageError(_("{key}: is a table; set one of its keys, e.g. {key}.{example}")
                         .format(key=key, example=example))
    return _finish(text, _put(doc, table, parts[-1], tomlkit.item(_value(value))))


def _doc(text: str) -> TOMLDocument:
    try:
        return tomlkit.parse(text)
    except TOMLKitError as e:
        # TRANSLATORS: {error} is the TOML reader's own message, in English.
        raise UsageError(_("invalid TOML: {error}; fix it with `stretchd config edit`")
                         .format(error=e)) from None


def _reminder(doc: TOMLDocument, name: str) -> Table | InlineTable:
    reminders = doc.get("reminders")
    names = [str(n) for n in reminders] if isinstance(reminders, Table | InlineTable) else []
    table = reminders.get(name) if isinstance(reminders, Table | InlineTable) else None
    if not isinstance(table, Table | InlineTable):
        if not names:
            raise UsageError(_("reminders.{reminder}: no such reminder; the reminders are: none")
                             .format(reminder=_show(name)))
        # TRANSLATORS: {hint} is ' (did you mean "x"?)' or nothing; {reminders} lists their names.
        raise UsageError(_("reminders.{reminder}: no such reminder{hint}; the reminders are: {reminders}")
                         .format(reminder=_show(name), hint=did_you_mean(name, names),
                                 reminders=", ".join(names)))
    return table


def _put(doc: TOMLDocument, table: TOMLDocument | Table | InlineTable, key: str, item: Item) -> str:
    """Set KEY in TABLE; DOC's text with it. A new key goes after the table's last value, not
    after the comments that end the table (they head the next one); when anything follows that
    value, the key is indented like it."""
    last = _last_value(table) if isinstance(table, Table) and key not in table else None
    if last is None:
        table[key] = item  # a value replaced keeps its comment and indentation
        return doc.as_string()
    indent = last.trivia.indent  # documented data: no call reads an item's indentation
    item.indent(len(indent))
    if indent.strip(" "):  # a tab: Item.indent() sets spaces only
        item.trivia.indent = indent
    before, ends = doc.as_string(), table.as_string()
    table[key] = item
    if not table.as_string().startswith(ends):  # tomlkit put it above the blank lines or tables that end it
        return doc.as_string()
    return _above_comments(before, doc.as_string())


def _last_value(table: Table) -> Item | None:
    """TABLE's last value (no table) when comments, blank lines or tables follow it, else None."""
    items = [table.item(k) for k in table]
    last = next((i for i in reversed(items) if isinstance(i, Item) and not isinstance(i, Table | AoT)), None)
    return None if last is table.value.last_item() else last


def _above_comments(before: str, after: str) -> str:
    """AFTER, which is BEFORE with one line put in, with that line moved up over the comment and
    blank lines above it: tomlkit keeps the comments above a header in the table before it and
    appends after them, with no public call to insert elsewhere. Kept if the data stays the same."""
    same = next((i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b), len(before))
    at = before.rfind("\n", 0, same) + 1  # the start of the line put in
    line = after[at:at + len(after) - len(before)]
    if line.count("\n") != 1 or not line.endswith("\n") or after != before[:at] + line + before[at:]:
        return after
    up = at
    while up and _LOOSE.fullmatch(before, start := before.rfind("\n", 0, up - 1) + 1, up):
        up = start
    moved = before[:up] + line + before[up:]
    return moved if _data(moved) == _data(after) else after


def _time_item(time: str, old: object) -> Item:
    """A time as "HH:MM" (7:30 becomes "07:30"); text that is no time is kept for the check to name."""
    parsed = parse_time(time)
    if parsed is None:
        return tomlkit.item(time)
    if isinstance(old, dt.time):  # the user writes TOML local times: keep to that
        return tomlkit.item(parsed)
    return tomlkit.item(format_time(parsed))


def _value(value: str) -> Any:
    try:
        data = tomllib.loads(f"x = {value}")  # tomllib, not tomlkit: 07:45 is no TOML 1.0 time
    except tomllib.TOMLDecodeError:
        return value
    return data["x"] if list(data) == ["x"] else value


def _cut_table(text: str, name: str) -> str | None:
    """TEXT without the [reminders.NAME] header and its keys, or None if it has no such header."""
    lines = text.splitlines(keepends=True)
    quoted = "|".join(re.escape(n) for n in (name, f'"{name}"', f"'{name}'"))
    header = re.compile(rf"\s*\[\s*reminders\s*\.\s*(?:{quoted})\s*\]\s*(?:#.*)?$")
    start = next((i for i, line in enumerate(lines) if header.match(line.rstrip("\r\n"))), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")),
               len(lines))
    while end > start + 1 and lines[end - 1].strip()[:1] in ("", "#"):
        end -= 1  # the comments just before the next table belong to it
    while end < len(lines) and not lines[end].strip():
        end += 1
    if end == len(lines):
        while start > 0 and not lines[start - 1].strip():
            start -= 1
    return "".join(lines[:start] + lines[end:])


def _data(text: str) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    data.setdefault("reminders", {})
    return data


def _finish(old: str, new: str) -> str:
    if "\r\n" in old:  # tomlkit writes new lines with \n and has no setting; TOMLFile.write does this too
        new = re.sub(r"(?<!\r)\n", "\r\n", new)
    return new


def _show(text: str) -> str:
    return clean(text, keep_newlines=False)[:60]


# Reading, checking and writing the file ------------------------------------------------

DEFAULT_LINE = "# This is the built-in default: with no file, stretchd behaves exactly as written here.\n"
YOURS_LINE = "# Yours now: made from the built-in default, which applies while there is no file.\n"


def read_text(path: Path, *, to_edit: bool = False) -> str:
    """The config's text, or the built-in default's (comments and all) when there is no file;
    to_edit: the text a first edit starts the user's own file from (it is no longer the
    built-in default once written)."""
    try:
        text = read_config_text(path)  # the daemon's own reader: a byte-order mark is no error
    except NotText as e:
        # TRANSLATORS: {error} is the problem with the file: "~/.config/stretchd/config.toml: not UTF-8 text".
        raise UsageError(_("{error}; fix it with `stretchd config edit`").format(error=e.message)) from None
    except ConfigError as e:  # cannot read it at all
        raise StretchdError(e.message) from None
    if text is None:
        text = default_config_file().read_text(encoding="utf-8")
        return text.replace(DEFAULT_LINE, YOURS_LINE) if to_edit else text
    return text


def check(new: str, old: str, path: Path, routines: Iterable[str] | None) -> Config:
    """NEW parsed; else a UsageError naming the problem the edit brings, or, when the file
    was invalid already, a ConfigError (exit 78, as for any command that reads it) with its
    own problem."""
    try:
        return parse(new, str(path), routines, path)
    except ConfigError as e:
        try:
            parse(old, str(path), routines, path)
            before: tuple[Problem, ...] = ()
        except ConfigError as o:
            before = o.found
        # Compared as values at no line: an edit that adds a line above moves the file's own.
        known = {p.anywhere for p in before}
        fresh = [p for p in e.found if p.anywhere not in known]
        if fresh:  # a new problem's line is one in text that was never written: left out
            raise UsageError(str(fresh[0].anywhere)) from None
        still = {p.anywhere for p in e.found}
        raise ConfigError.of([p for p in before if p.anywhere in still]) from None  # as in the file


def apply(path: Path, change: Callable[[str], str], routines: Iterable[str] | None) -> Config:
    """Change the config file, check the result, then write it atomically; refused, it stays as it was."""
    names = None if routines is None else list(routines)
    old = read_text(path, to_edit=True)
    try:
        new = change(old)
    except UsageError as e:
        raise UsageError(f"{path}: {e.message}") from None
    except (TOMLKitError, ValueError) as e:  # a layout tomlkit cannot change; no traceback for it
        # TRANSLATORS: {error} is the TOML library's own message, in English.
        raise UsageError(_("{file}: cannot make this change here: {error}; try `stretchd config edit`")
                         .format(file=path, error=e)) from None
    config = check(new, old, path, names)
    if new != old or not path.exists():
        write_atomic(path, new)
    return config


# `stretchd config edit` ---------------------------------------------------------------------

def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """$VISUAL, else $EDITOR, split like a shell would; else vi."""
    env = os.environ if environ is None else environ
    for var in ("VISUAL", "EDITOR"):
        try:
            argv = shlex.split(env.get(var, ""))
        except ValueError as e:
            # TRANSLATORS: ${variable} is $VISUAL or $EDITOR, {value} its text; {error} is in English.
            raise UsageError(_("${variable}: cannot split {value}: {error}")
                             .format(variable=var, value=repr(_show(env[var])), error=e)) from None
        if argv:
            return argv
    return ["vi"]


def edit_interactively(
    path: Path,
    routines: Iterable[str] | None,
    editor: Sequence[str],
    *,
    echo: Callable[[str], None],
    ask: Callable[[str], str],
    run: Run = subprocess.run,
) -> Config | None:
    """Edit a copy in EDITOR; install it only when valid (like crontab -e). The new Config, or None.

    echo says what happened (saved, unchanged, each problem); ask gets the answer to
    "(e)dit again or (d)iscard?"."""
    names = None if routines is None else list(routines)
    original = read_text(path, to_edit=True)
    try:
        folder = path.resolve().parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix or ".toml", dir=folder)
    except (OSError, RuntimeError) as e:
        raise StretchdError(_("{file}: cannot make a copy to edit: {error}")
                            .format(file=path, error=e)) from None
    copy = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(original.encode("utf-8"))
        while True:
            argv = [*editor, str(copy)]
            try:
                done = run(argv)
            except OSError as e:
                # TRANSLATORS: {editor} is the editor's command, {error} the system's reason.
                raise StretchdError(_("cannot run the editor {editor}: {error}; set $VISUAL or $EDITOR")
                                    .format(editor=repr(editor[0]), error=e.strerror or e)) from None
            if done.returncode != 0:
                # TRANSLATORS: {status} is the editor's exit status, a number.
                raise StretchdError(_("the editor exited with status {status}; {file} is unchanged")
                                    .format(status=done.returncode, file=path))
            try:
                edited = copy.read_bytes().decode("utf-8-sig")  # an editor's byte-order mark too
            except UnicodeDecodeError:
                edited, problems = None, [_("{file}: not UTF-8 text").format(file=path)]
            if edited == original:
                echo(_("no changes; {file} is unchanged").format(file=path))
                return None
            if edited is not None:
                try:
                    config = parse(edited, str(path), names, path)
                except ConfigError as e:
                    problems = e.problems
                else:
                    write_atomic(path, edited)
                    echo(_("saved {file}").format(file=path))
                    return config
            for problem in problems:
                echo(problem)
            # TRANSLATORS: an answer that starts with "e" edits again, any other discards: keep "(e)".
            if not ask(_("(e)dit again or (d)iscard?")).strip().lower().startswith("e"):
                echo(_("discarded your changes; {file} is unchanged").format(file=path))
                return None
    finally:
        with contextlib.suppress(FileNotFoundError):
            copy.unlink()
