"""Hostile input: any config.toml or routine file gives a config or one-line problems, never a
traceback; text from routine files never reaches a terminal or a notification as control
sequences or markup.

The documents are generated as Python values and written out by a small TOML writer below,
so they can hold what no well-meaning user writes: wrong types, unknown and huge keys, control
characters, escape sequences, bidi marks, lone combining marks, 100k-character strings and
nesting hundreds deep. Raw bytes (invalid UTF-8, NULs, truncated documents) come on top.

The @given tests do not request fixtures: the autouse `xdg` fixture points the XDG paths at
tmp_path for the whole test, and each example rewrites the files it reads.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import math
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from stretchd import paths
from stretchd.cli import cli
from stretchd.config import DAYS, FULL_DAYS, Config, load, parse
from stretchd.desktop.notify import DesktopNotifier
from stretchd.errors import ConfigError
from stretchd.routines import load_all, load_file
from stretchd.routines.plan import Timer, plan
from stretchd.walkthrough import intro, intro_keys, print_plain, screen
from stretchd.walkthrough.screen import text_lines

BUILTINS = ("hips-lower-back", "si-joints", "shotgun")
MAX_PROBLEM = 400  # characters after "FILE: "; a message that echoes a huge string is a bug

# Any C0 or C1 control character, newline included: none belongs in a one-line problem.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same but newline, which multi-line routine text and plain output may contain.
CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the only sequence rich itself emits for these screens


# A TOML writer for hostile documents ---------------------------------------------------

class Raw(str):
    """TOML value text written as it is: nesting too deep to build as Python values cheaply."""


class Inline(dict[str, Any]):
    """A table written inline, { k = v }, rather than under a [header]."""


_ESCAPE = {c: f"\\u{c:04x}" for c in (*range(0x20), 0x7F)} | {ord('"'): '\\"', ord("\\"): "\\\\"}
_BARE = re.compile(r"[A-Za-z0-9_-]+")


_LITERAL_NOT = re.compile(r"[\x00-\x08\x0a-\x1f\x7f']")  # what a 'literal string' cannot hold
_MULTILINE_NOT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f']")  # nor a '''multi-line''' one


def t_string(s: str, *, multiline: bool = True) -> str:
    # Literal strings where they can hold the text: tomllib reads those at C speed, escapes in
    # basic strings a few microseconds each, and 100k-character values are common here.
    if not _LITERAL_NOT.search(s):
        return "'" + s + "'"
    if multiline and not _MULTILINE_NOT.search(s):
        return "'''\n" + s + "'''"  # the newline after the opening quotes is not part of it
    return '"' + s.translate(_ESCAPE) + '"'


def t_key(k: str) -> str:
    return k if _BARE.fullmatch(k) else t_string(k, multiline=False)


def t_value(v: Any) -> str:
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return t_string(v)
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(t_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{t_key(k)} = {t_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"no TOML for {v!r}")


def _is_table(v: Any) -> bool:
    return isinstance(v, dict) and not isinstance(v, Inline)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(_is_table(x) for x in v)


def t_document(data: dict[str, Any]) -> str:
    """Plain dicts become [tables], lists of them [[arrays of tables]]; the rest key = value."""
    lines: list[str] = []

    def table(path: list[str], d: dict[str, Any], header: str) -> None:
        if header:
            lines.append(header)
        for k, v in d.items():
            if not _is_table(v) and not _is_table_array(v):
                lines.append(f"{t_key(k)} = {t_value(v)}")
        for k, v in d.items():
            sub = [*path, t_key(k)]
            if _is_table(v):
                table(sub, v, f"[{'.'.join(sub)}]")
            elif _is_table_array(v):
                for item in v:
                    table(sub, item, f"[[{'.'.join(sub)}]]")

    table([], data, "")
    return "\n".join(lines) + "\n"


# Strategies -----------------------------------------------------------------------------

NASTY = (
    "\x1b[31m", "\x1b[2J", "\x1b]0;pwned\x07", "\x1b]8;;file:///etc/passwd\x1b\\", "\x9b6n",
    "\x1bP+q\x1b\\", "\x1bc", "\x1b", "\r", "\x07", "\x08", "\x00", "\x7f", "\x85", "\n", "\t",
    "\u200f", "\u202e", "\u2066", "\u0301", "\u200b", "\ufeff", "\u2028",
    "[bold red]x[/]", "[/]", "[link=file:///etc/passwd]click[/link]", ":smile:",
    "<b>", "</b>", "&", "&amp;", "<a href='https://example.com'>", "%s", "{}", "'''", '"""', "\\",
)
chars = st.characters(exclude_categories=("Cs",))  # TOML cannot hold surrogates
hostile_text = st.lists(st.sampled_from(NASTY) | st.text(chars, max_size=5), max_size=5).map("".join)
huge_text = st.builds(
    lambda piece, n: (piece * (n // len(piece) + 1))[:n],
    # Few escapes per character in the ESC piece: tomllib decodes each slowly.
    st.sampled_from(["k", "\x1b[31m" + "k" * 40, "e\u0301", "[b]", "<&>", "\u202e", "\n"]),
    st.integers(2_000, 100_000),
)
_DEEP = {
    "array": lambda n: "[" * n + "]" * n,
    "table": lambda n: "{a = " * n + "1" + "}" * n,
    "mixed": lambda n: "[{a = " * n + "1" + "}]" * n,
}
deep_nesting = st.builds(lambda kind, n: Raw(_DEEP[kind](n)), st.sampled_from(sorted(_DEEP)),
                         st.integers(50, 1000))


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each as often as its weight (st.one_of counts a repeat once)."""
    return st.sampled_from([s for weight, s in choices for _ in range(weight)]).flatmap(lambda s: s)


def mostly(good: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Three in four from good, the rest from odd (just out of range, say)."""
    return weighted((3, good), (1, odd))


# A huge string or deep nesting costs up to 0.1 s to write, parse and clean: keep them rare
# enough (one scalar in seven; one routine text in twelve) that a run stays within its budget.
scalars = weighted(
    (4, hostile_text), (1, huge_text), (1, deep_nesting), (1, st.booleans()),
    (1, st.integers(-(2**63), 2**63 - 1)), (1, st.integers(-5, 1000)), (1, st.floats()),
    (1, st.times()), (1, st.dates()), (1, st.datetimes()),
)
odd_keys = st.one_of(hostile_text, st.integers(300, 100_000).map(lambda n: "k" * n),
                     st.sampled_from(["rutine", "snoze_minutes", "Time", "day", "step", "titel"]))
values = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(odd_keys, kids, max_size=3).map(Inline),
    max_leaves=4,
)
unknown_keys = st.dictionaries(odd_keys, values, max_size=2)


def _field(draw: Any, out: dict[str, Any], key: str, good: st.SearchStrategy[Any], *,
           required: bool = False) -> None:
    """Leave key out, or set it to a good value (most often) or to anything at all."""
    # Mostly good, required keys more so: a routine has a dozen keys, and a file gets past its
    # first problem (to the checks behind it) only if every key before it is good.
    # (Good first: hypothesis leans to the first choice, and shrinks towards it.)
    choice = draw(st.sampled_from([*["good"] * (14 if required else 6), "omit", "bad"]))
    if choice == "good":
        out[key] = draw(good)
    elif choice == "bad":
        out[key] = draw(values)


times = st.one_of(
    st.sampled_from(["07:30", "21:00", "00:00", "23:59:59", "7:3", "24:00", "07:60", " 07:30 ",
                     "\u0660\u0667:\u0663\u0660", "07:30\n", "", "noon"]),
    st.times(),
    st.builds("{:02d}:{:02d}".format, st.integers(0, 30), st.integers(0, 70)),
)
days = st.one_of(
    st.lists(st.sampled_from([*DAYS, *FULL_DAYS, "Mon", " tue ", "mond", "xyz"]), min_size=1,
             max_size=7),
    st.sampled_from(DAYS),
)
reminder_names = mostly(
    st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True),
    st.sampled_from(["morning\n", "lunch\x1b[2J", "a" * 41, ""]) | hostile_text
    | st.integers(300, 100_000).map(lambda n: "r" * n),
)


@st.composite
def config_data(draw: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    _field(draw, defaults, "routine", st.sampled_from(BUILTINS))
    _field(draw, defaults, "snooze_minutes", mostly(st.integers(1, 240), st.sampled_from([0, 241])))
    _field(draw, defaults, "max_snoozes", mostly(st.integers(0, 20), st.sampled_from([-1, 21])))
    _field(draw, defaults, "grace_minutes", mostly(st.integers(0, 720), st.sampled_from([-1, 721])))
    _field(draw, defaults, "terminal",
           st.just("auto") | st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=3))
    _field(draw, defaults, "language", mostly(st.sampled_from(["auto", "en", "de", "pt-BR"]),
                                              st.sampled_from(["", "xx", "de_DE.UTF-8", "EN", "C"])
                                              | hostile_text))
    defaults |= draw(unknown_keys) if draw(st.integers(0, 7)) == 0 else {}
    reminders: dict[str, Any] = {}
    for name in draw(st.lists(reminder_names, max_size=3, unique=True)):
        reminder: dict[str, Any] = {}
        _field(draw, reminder, "time", times)
        _field(draw, reminder, "days", days)
        _field(draw, reminder, "routine", st.sampled_from(BUILTINS))
        reminder |= draw(unknown_keys) if draw(st.integers(0, 7)) == 0 else {}
        reminders[name] = reminder if draw(st.integers(0, 9)) else draw(values)
    doc: dict[str, Any] = {}
    _field(draw, doc, "defaults", st.just(defaults))
    _field(draw, doc, "reminders", st.just(reminders))
    doc |= draw(unknown_keys) if draw(st.integers(0, 7)) == 0 else {}
    return doc


config_texts = config_data().map(t_document)

good_text = hostile_text.map(lambda s: "x" + s)  # never empty once cleaned and stripped
text_fields = weighted((11, good_text), (1, huge_text))
text_lists = st.lists(text_fields, max_size=2) | text_fields


def _count(high: int) -> st.SearchStrategy[Any]:
    ranged = st.tuples(st.integers(1, high), st.integers(1, high), st.integers(1, high)).map(
        lambda t: Inline(zip(("min", "default", "max"), sorted(t), strict=True)))
    odd = st.fixed_dictionaries(
        {}, optional={"min": st.integers(-1, high + 2), "max": st.integers(-1, high + 2),
                      "default": st.integers(-1, high + 2)}).map(Inline)
    return mostly(st.integers(1, high) | ranged, odd | st.sampled_from([0, high + 1]))


@st.composite
def step_data(draw: Any) -> dict[str, Any]:
    step: dict[str, Any] = {}
    _field(draw, step, "title", text_fields, required=True)
    _field(draw, step, "instruction", text_fields, required=True)
    _field(draw, step, "tips", text_lists)
    _field(draw, step, "cautions", text_lists)
    _field(draw, step, "sides", mostly(
        st.sampled_from([["both"], ["left", "right"], ["right", "left"], ["left"], "right"]),
        st.sampled_from([["both", "left"], [], ["up"], "sideways", [1]])))
    _field(draw, step, "repetitions", _count(20))
    timing = draw(st.sampled_from(["hold"] * 4 + ["breaths"] * 4 + ["both", "neither"]))
    if timing in ("hold", "both"):
        _field(draw, step, "hold_seconds", mostly(st.integers(1, 600), st.sampled_from([0, 601])),
               required=True)
    if timing in ("breaths", "both"):
        _field(draw, step, "breaths", _count(60), required=True)
    step |= draw(unknown_keys) if draw(st.integers(0, 7)) == 0 else {}
    return step


@st.composite
def routine_data(draw: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    _field(draw, doc, "title", text_fields, required=True)
    _field(draw, doc, "summary", text_fields)
    _field(draw, doc, "setup", text_lists)
    _field(draw, doc, "warnings", text_lists)
    _field(draw, doc, "references", text_lists)
    _field(draw, doc, "breath_seconds", mostly(st.integers(2, 20), st.sampled_from([1, 21])))
    _field(draw, doc, "transition_seconds", mostly(st.integers(0, 60), st.sampled_from([-1, 61])))
    _field(draw, doc, "steps", st.lists(step_data(), min_size=1, max_size=2), required=True)
    doc |= draw(unknown_keys) if draw(st.integers(0, 7)) == 0 else {}
    return doc


@st.composite
def hostile_routine(draw: Any) -> dict[str, Any]:
    """A valid routine whose every text is hostile."""
    lists = st.lists(good_text, max_size=2)
    steps = []
    for _ in range(draw(st.integers(1, 2))):
        step: dict[str, Any] = {
            "title": draw(good_text), "instruction": draw(good_text),
            "tips": draw(lists), "cautions": draw(lists),
            "sides": draw(st.sampled_from([["both"], ["left", "right"], ["right"]])),
            "repetitions": draw(st.integers(1, 2)),
        }
        if draw(st.booleans()):
            step["hold_seconds"] = draw(st.integers(1, 600))
        else:
            step["breaths"] = draw(st.integers(1, 60))
        steps.append(step)
    return {"title": draw(good_text), "summary": draw(good_text), "setup": draw(lists),
            "warnings": draw(lists), "references": draw(lists), "steps": steps}


@st.composite
def nearly_valid_routine(draw: Any) -> dict[str, Any]:
    """A valid routine with at most one fault: a key dropped, a value replaced, a key added."""
    doc = draw(hostile_routine())
    table = draw(st.sampled_from([doc, *doc["steps"]]))
    how = draw(st.sampled_from(["none", "drop", "replace", "add"]))
    if how == "drop":
        del table[draw(st.sampled_from(sorted(table)))]
    elif how == "replace":
        table[draw(st.sampled_from(sorted(table)))] = draw(values)
    elif how == "add":
        table[draw(odd_keys)] = draw(values)
    return doc


routine_texts = (routine_data() | nearly_valid_routine()).map(t_document)


@st.composite
def damaged(draw: Any, texts: st.SearchStrategy[str]) -> bytes:
    """A document cut short, with bytes that are not UTF-8 (or NULs) put in, or pure noise."""
    how = draw(st.sampled_from(["truncate", "insert", "noise", "bom"]))
    if how == "noise":
        return bytes(draw(st.binary(max_size=2000)))
    data = draw(texts).encode()
    at = draw(st.integers(0, len(data)))
    if how == "truncate":
        return data[:at]
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    junk = draw(st.sampled_from([b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                                 b"\xc0\xaf", b"\x80\x80"]))
    return data[:at] + junk + data[at:]


config_files = config_texts.map(str.encode) | damaged(config_texts)
routine_files = routine_texts.map(str.encode) | damaged(routine_texts)


# What a problem must look like ---------------------------------------------------------

def assert_problem(problem: str, display: str) -> None:
    """One line, FILE: KEY: what is wrong (or FILE: invalid TOML / not UTF-8), and short."""
    assert problem.startswith(f"{display}: "), problem[:300]
    rest = problem[len(display) + 2:]
    assert not CONTROL.search(problem), f"control character in {problem[:300]!r}"
    assert len(rest) <= MAX_PROBLEM, f"{len(rest)} characters: {rest[:300]!r}"
    assert (rest.startswith(("invalid TOML: ", "not UTF-8"))
            or re.match(r".+?: .", rest)), f"names no key: {problem[:300]!r}"


def config_path() -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def fresh_routines_dir() -> Path:
    """The user routines folder, emptied of what an earlier example left."""
    d = paths.user_routines_dir()
    d.mkdir(parents=True, exist_ok=True)
    for old in d.iterdir():
        old.unlink()
    return d


# config.toml ----------------------------------------------------------------------------

@settings(max_examples=550, deadline=None)
@given(config_texts)
@example(t_document({"reminders": {"morning\n": {"time": "07:30"}}}))  # `$` matches before \n
def test_any_config_text_is_a_config_or_one_line_problems(text: str) -> None:
    try:
        config = parse(text, "config.toml", BUILTINS)
    except ConfigError as e:
        event("invalid TOML" if "invalid TOML" in e.message else "invalid config")
        assert e.exit_code == 78
        assert e.problems and e.message == e.problems[0]
        for problem in e.problems:
            assert_problem(problem, "config.toml")
    else:
        event("valid config")
        assert isinstance(config, Config)
        for r in config.reminders:
            assert re.fullmatch(r"[A-Za-z0-9_-]{1,40}", r.name), repr(r.name)


@settings(max_examples=300, deadline=None)
@given(config_files)
def test_any_config_file_bytes_load_as_a_config_or_one_line_problems(data: bytes) -> None:
    path = config_path()
    path.write_bytes(data)
    try:
        config = load(path, BUILTINS)
    except ConfigError as e:
        for problem in e.problems:
            assert_problem(problem, str(path))
    else:
        assert config.path == path


@settings(max_examples=150, deadline=None)
@given(config_files)
def test_config_check_and_status_exit_78_on_an_invalid_config_without_a_traceback(data: bytes) -> None:
    path = config_path()
    path.write_bytes(data)
    try:
        load(path, BUILTINS)
        valid = True
    except ConfigError:
        valid = False
    runner = CliRunner()
    check = runner.invoke(cli, ["config", "check"], catch_exceptions=False)
    assert check.exit_code == (0 if valid else 78)
    assert "Traceback" not in check.output
    if not valid:
        lines = check.stderr.split("\n")
        assert lines.pop() == ""
        assert lines
        for line in lines:
            assert_problem(line, str(path))
    status = runner.invoke(cli, ["status"], catch_exceptions=False)
    assert status.exit_code == (69 if valid else 78)  # 69: valid, and no daemon runs
    assert "Traceback" not in status.output
    if not valid:
        assert status.stderr.count("\n") == 1
        assert_problem(status.stderr.removeprefix("stretchd: ").rstrip("\n"), str(path))


# Routine files ----------------------------------------------------------------------------

@settings(max_examples=450, deadline=None)
@given(routine_files)
def test_any_routine_file_is_a_routine_or_one_config_error(data: bytes) -> None:
    path = fresh_routines_dir() / "mine.toml"
    path.write_bytes(data)
    try:
        routine = load_file(path)
    except ConfigError as e:
        event("invalid TOML" if "invalid TOML" in e.message else "invalid routine")
        assert e.exit_code == 78
        assert_problem(e.message, str(path))
    else:
        event("valid routine")
        assert routine.name == "mine" and routine.steps
        texts = [routine.title, routine.summary, *routine.setup, *routine.warnings]
        for step in routine.steps:
            texts += [step.title, step.instruction, *step.tips, *step.cautions]
        assert not any(CONTROL_BUT_NEWLINE.search(t) for t in texts)


user_file_names = st.sampled_from([*BUILTINS, "mine", "desk-break"]) | st.from_regex(
    r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(user_file_names, routine_files, min_size=1, max_size=3))
def test_load_all_reports_each_bad_user_file_and_still_loads_the_builtins(
        files: dict[str, bytes]) -> None:
    d = fresh_routines_dir()
    for name, data in files.items():
        (d / f"{name}.toml").write_bytes(data)
    routines, problems = load_all(d)
    assert set(BUILTINS) <= set(routines)
    bad = 0
    for name in files:
        path = d / f"{name}.toml"
        mine = [p for p in problems if p.startswith(f"{path}: ")]
        if routines.get(name) is not None and routines[name].source == "user":
            assert mine == []
        else:
            bad += 1
            assert len(mine) == 1
            assert_problem(mine[0], str(path))
            if name in BUILTINS:
                assert routines[name].source == "built-in"
    assert len(problems) == bad


@pytest.mark.parametrize("name", ["two\nlines", "mine\n", "esc\x1b[2Jape", "bell\x07", "UPPER",
                                  "x" * 240])
def test_an_odd_routine_file_name_is_reported_on_one_safe_line(name: str) -> None:
    d = fresh_routines_dir()
    (d / f"{name}.toml").write_text('title = "T"\n[[steps]]\ntitle = "S"\ninstruction = "I"\n'
                                    "hold_seconds = 5\n")
    routines, problems = load_all(d)
    assert set(routines) == set(BUILTINS)
    (problem,) = problems
    assert not CONTROL.search(problem), repr(problem)
    assert len(problem) <= len(str(d / f"{name}.toml")) + MAX_PROBLEM


# Routine text on the terminal -----------------------------------------------------------

def write_routine(name: str, data: dict[str, Any]) -> Path:
    path = fresh_routines_dir() / f"{name}.toml"
    path.write_text(t_document(data))
    return path


@settings(max_examples=200, deadline=None)
@given(hostile_routine())
def test_routine_text_reaches_the_terminal_without_control_sequences(data: dict[str, Any]) -> None:
    routine = load_file(write_routine("hostile", data))
    out = io.StringIO()
    # A real terminal's console: rich's own colours (SGR) are the only escapes allowed, so a
    # link or anything else interpreted from the routine's text shows up as a leftover ESC.
    con = Console(file=out, width=100, force_terminal=True, color_system="truecolor")
    items = plan(routine)
    for line in text_lines(intro(routine, items), intro_keys(), 100, 60):
        con.print(Text(line.text, style=line.style))
    timer = Timer(items, clock=lambda: 0.0)
    timer.start()
    for _ in items:
        con.print(screen(routine, timer, 100, 40))
        con.print(screen(routine, timer, 30, 8, ascii=True))
        timer.skip()
    shown = SGR.sub("", out.getvalue())
    assert not CONTROL_BUT_NEWLINE.search(shown), repr(shown)
    lines: list[str] = []
    print_plain(routine, lines.append)
    assert not any(CONTROL_BUT_NEWLINE.search(line) for line in lines), lines


@settings(max_examples=100, deadline=None)
@given(hostile_routine())
def test_walk_piped_prints_routine_text_without_control_sequences(data: dict[str, Any]) -> None:
    write_routine("hostile", data)
    # color=True: click must not be the one stripping escapes; they must not be there at all.
    result = CliRunner().invoke(cli, ["walk", "hostile"], color=True, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert not CONTROL_BUT_NEWLINE.search(result.stdout), repr(result.stdout)


MARKUP = ("[bold red]x[/]", "[/]", "[link=file:///etc/passwd]click[/link]", "[on red]", ":smile:")


def test_rich_markup_in_routine_text_shows_literally() -> None:
    data = {
        "title": "Title " + MARKUP[0], "summary": "Summary " + MARKUP[2],
        "setup": ["Setup " + MARKUP[1]], "warnings": ["Warning " + MARKUP[3]],
        "steps": [{"title": "Step " + MARKUP[2], "instruction": "Do " + MARKUP[0],
                   "tips": ["Tip " + MARKUP[4]], "cautions": ["Caution " + MARKUP[1]],
                   "hold_seconds": 5, "sides": ["left", "right"]},
                  {"title": "Then " + MARKUP[1], "instruction": "Go", "breaths": 3}],
    }
    routine = load_file(write_routine("markup", data))
    out = io.StringIO()
    con = Console(file=out, width=200, force_terminal=False, color_system=None)
    items = plan(routine)
    for line in text_lines(intro(routine, items), intro_keys(), 100, 60):
        con.print(Text(line.text, style=line.style))
    timer = Timer(items, clock=lambda: 0.0)
    timer.start()
    for _ in items:
        con.print(screen(routine, timer, 100, 40))
        con.print(screen(routine, timer, 30, 8, ascii=True))
        timer.skip()
    shown = out.getvalue()
    for text in ("Title " + MARKUP[0], "Summary " + MARKUP[2], "Setup " + MARKUP[1],
                 "Warning " + MARKUP[3], "Step " + MARKUP[2], "Do " + MARKUP[0],
                 "Tip " + MARKUP[4], "Caution " + MARKUP[1], "Then " + MARKUP[1]):
        assert text in shown, text
    lines: list[str] = []
    print_plain(routine, lines.append)
    assert "Title [bold red]x[/] (markup)" in lines[0]


# Routine titles in a notification ----------------------------------------------------------

class FakeBus:
    """The session bus as far as DesktopNotifier uses it: a server that reads markup, and
    keeps the bodies it is sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def subscribe(self, rules: list[str], handler: object) -> bool:
        return True

    async def owner(self, name: str) -> str:
        return ":1.1"

    async def request(self, dest: str, path: str, iface: str, member: str, sig: str = "",
                      body: list[Any] | None = None, late: Any = None) -> list[Any]:
        if member == "GetCapabilities":
            return [["actions", "body", "body-markup"]]
        if member == "GetServerInformation":
            return ["dunst", "dunst-project", "1.9.0", "1.2"]
        assert member == "Notify" and body is not None
        self.sent.append(body[4])
        return [len(self.sent)]


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_markup_in_a_routine_title_reaches_the_notification_body_escaped(text: str) -> None:
    from stretchd.config.loading import load_everything
    from stretchd.daemon.decisions import notice as make_notice

    write_routine("desk", {"title": f"x{text} <b>bold</b> & <a href='https://example.com'>",
                           "steps": [{"title": "S", "instruction": "I", "hold_seconds": 5}]})
    config_path().write_text('[reminders.desk]\ntime = "10:00"\nroutine = "desk"\n')
    loaded = load_everything(config_path(), lambda level, message: None)
    reminder = loaded.config.reminders[0]
    notice = make_notice(reminder, loaded.routines["desk"], 0, loaded.config.defaults, late=False)
    bus = FakeBus()
    asyncio.run(DesktopNotifier(bus=bus).show(notice, lambda action: None))  # type: ignore[arg-type]
    (body,) = bus.sent
    assert "<" not in body and ">" not in body, body
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", body, re.DOTALL), body
    assert not CONTROL_BUT_NEWLINE.search(body)
    unescaped = body.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert loaded.routines["desk"].title in unescaped
