"""The translation catalogs, through Babel: po/stretchd.pot from the source and the built-in
routines, po/LANG.po for each language, compiled at build time (hatch_build.py).

    python tools/catalogs.py update          # after changing strings: the .pot, then each .po
    python tools/catalogs.py add LANG        # a new language: po/LANG.po from the .pot
    python tools/catalogs.py check           # CI: the .pot up to date, each .po complete
    python tools/catalogs.py compile DIR     # DIR/LANG/LC_MESSAGES/stretchd.mo for each .po

Texts are found by Babel's Python extractor (_, ngettext, pgettext, N_) and, in the routine
files, by extract_routine() below: every text a routine shows or says."""

from __future__ import annotations

import io
import os
import sys
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "po"
POT = PO / "stretchd.pot"
KEYWORDS = {"_": None, "N_": None, "NP_": (1, 2), "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
# What a routine's texts are, and what a translator is told about each.
ROUTINE_TEXTS = {
    "title": "A routine's name, shown in the notification and the walkthrough.",
    "summary": "What the routine is, in a sentence or two.",
    "needs": "Something to have at hand, said as: you need {things}.",
    "setup": "Getting into the starting position.",
    "warnings": "A safety warning: keep every number and condition.",
}
STEP_TEXTS = {
    "title": "A step's name: the walkthrough's heading; said aloud when the step has no `say`.",
    "instruction": "What to do in the step, read from the floor.",
    "tips": "A tip for the step.",
    "cautions": "A caution for the step: keep every number and condition.",
    "say": "Said aloud as the step starts, before its timing: keep it about as short as the "
           "English (at most 120 characters), or it runs into the next cue.",
}


def extract_routine(fileobj: Any, keywords: Any, comment_tags: Any,
                    options: Any) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extractor interface, for a routine's TOML file."""
    raw = fileobj.read().decode("utf-8")
    data = tomllib.loads(raw)
    lines = raw.splitlines()

    def line_of(text: str) -> int:
        start = text[:40]
        for number, line in enumerate(lines, 1):
            if start in line.replace('\\"', '"'):
                return number
        return 0

    def texts(table: dict[str, Any], key: str) -> list[str]:
        value = table.get(key)
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [v for v in value.values() if isinstance(v, str)]
        return [v for v in value or [] if isinstance(v, str)]

    for key, note in ROUTINE_TEXTS.items():
        for text in texts(data, key):
            yield line_of(text), "_", text.strip(), [note]
    for i, step in enumerate(data.get("steps", [])):
        for key, note in STEP_TEXTS.items():
            for text in texts(step, key):
                yield line_of(text), "_", text.strip(), [f"steps[{i}].{key}: {note}"]


MAPPING: list[tuple[str, Any]] = [("stretchd/**.py", "python"), ("stretchd/routines/*.toml", extract_routine)]


def extracted() -> Any:
    """The catalog of every text in the source, as the .pot holds it."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="stretchd", msgid_bugs_address="https://github.com/stretchd/stretchd/issues",
                      copyright_holder="the stretchd authors", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), MAPPING, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for text, where, note in help_texts():
        catalog.add(text, None, [where], auto_comments=[note])
    return catalog


def help_texts() -> Iterator[tuple[str, tuple[str, int], str]]:
    """Each command's and option's --help text, from the click tree as the CLI builds it (the
    docstrings and help= the Python extractor cannot see): its text, its place and a note."""
    import click

    from stretchd.cli import cli
    from stretchd.cli.common import english

    def place(command: click.Command) -> tuple[str, int]:
        import inspect

        function = inspect.unwrap(command.callback) if command.callback else None
        if function is None:
            return "stretchd/cli/__init__.py", 0
        path = Path(inspect.getsourcefile(function) or "").resolve().relative_to(ROOT)
        return str(path), inspect.getsourcelines(function)[1]

    def walk(command: click.Command, name: str) -> Iterator[tuple[str, tuple[str, int], str]]:
        where = place(command)
        for attr, what in (("short_help", "in the list of commands"), ("help", "its help"),
                           ("epilog", "its help's last paragraph")):
            text = english(command, attr)
            if text:
                yield text, where, f"`{name} --help`: {what}. Keep `commands`, --options and KEYS."
        for param in command.params:
            text = english(param, "help")
            if text:
                yield text, where, f"`{name} --help`: what {'/'.join(param.opts)} does."
        if isinstance(command, click.Group):
            for sub_name, sub in sorted(command.commands.items()):
                yield from walk(sub, f"{name} {sub_name}")

    yield from walk(cli, "stretchd")


def _write(catalog: Any, path: Path, **options: Any) -> None:
    from babel.messages.pofile import write_po

    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=False, **options)
    text = out.getvalue()
    # The header's dates change on every run: the files change only when the texts do.
    path.write_bytes(b"\n".join(line for line in text.split(b"\n")
                                if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date'))))


def _read(path: Path, locale: str | None = None) -> Any:
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return read_po(f, locale=locale)


def languages() -> list[str]:
    return sorted(p.stem for p in PO.glob("*.po"))


def update() -> int:
    PO.mkdir(exist_ok=True)
    template = extracted()
    _write(template, POT)
    for lang in languages():
        catalog = _read(PO / f"{lang}.po", lang)
        catalog.update(_read(POT), update_header_comment=False)
        _write(catalog, PO / f"{lang}.po", include_previous=True)
    print(f"{POT.relative_to(ROOT)}: {len(template)} texts; updated: {', '.join(languages()) or 'none'}")
    return 0


def add(lang: str) -> int:
    from babel.core import Locale

    path = PO / f"{lang}.po"
    if path.exists():
        print(f"{path.relative_to(ROOT)} is there already; run `update`", file=sys.stderr)
        return 1
    catalog = _read(POT)
    catalog.locale = Locale.parse(lang)
    catalog.fuzzy = False
    _write(catalog, path)
    print(f"{path.relative_to(ROOT)}: translate each msgstr, then `make catalogs` and `make test`")
    return 0


def problems() -> list[str]:
    """What keeps the catalogs from shipping: a .pot behind the source, or a .po with an
    untranslated, fuzzy or broken entry (Babel's checkers: placeholders, plural forms)."""
    from babel.messages.catalog import TranslationError
    from babel.messages.checkers import num_plurals

    found: list[str] = []
    now, kept = _ids(extracted()), _ids(_read(POT))
    if now != kept:
        found.append(f"{POT.relative_to(ROOT)} is out of date with the source "
                     f"({len(now - kept)} new, {len(kept - now)} gone): run `make catalogs`")
    for lang in languages():
        path = PO / f"{lang}.po"
        catalog = _read(path, lang)
        if _ids(catalog) != kept:
            found.append(f"{path.relative_to(ROOT)}: not updated from the .pot: run `make catalogs`")
        for message in catalog:
            if not message.id:
                continue
            where = f"{path.relative_to(ROOT)}:{message.lineno}"
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                found.append(f"{where}: untranslated: {message.id!r}")
            elif message.fuzzy:
                found.append(f"{where}: fuzzy: {message.id!r}")
            # Babel's plural-forms check; not its printf check: every text here is formatted
            # with str.format (checked by placeholders()), and "20% of" is a percentage.
            try:
                num_plurals(catalog, message)
            except TranslationError as e:
                found.append(f"{where}: {e}")
            found += [f"{where}: {p}" for p in placeholders(message)]
    return found


def placeholders(message: Any) -> list[str]:
    """str.format fields ({n}, {name}) that differ between a text and its translation."""
    import string

    def fields(text: str) -> set[str]:
        try:
            return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as e:
            return {f"<invalid: {e}>"}

    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    want = set().union(*(fields(i) for i in ids))
    required = set.intersection(*(fields(i) for i in ids)) - ({"n"} if len(ids) > 1 else set())
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    out = []
    for text in strings:
        if not text:
            continue
        got = fields(text)
        # A plural form may leave out the count ("один день" for 1), and a field the English
        # has in one form only (click's "Did you mean {possibility}?"), never another field nor
        # add one.
        if got - want or (len(ids) == 1 and got != want) or required - got:
            out.append(f"placeholders {sorted(got)} in the translation, {sorted(want)} in {message.id!r}")
            continue
        try:  # as the code formats it: a conversion or format spec of its own would raise
            text.format(**{name: 1 for name in want})
        except (KeyError, ValueError, IndexError) as e:
            out.append(f"{text!r} cannot be formatted: {type(e).__name__}: {e}")
    return out


def _ids(catalog: Any) -> set[tuple[Any, str | None]]:
    """Each message's id (a plural's as a tuple) and context: what the catalogs must agree on."""
    return {(m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in catalog if m.id}


def check() -> int:
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


def compile_to(out: Path) -> list[Path]:
    """Each po/LANG.po as out/LANG/LC_MESSAGES/stretchd.mo; the files written."""
    from babel.messages.mofile import write_mo

    written = []
    for lang in languages():
        target = out / lang / "LC_MESSAGES" / "stretchd.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        catalog = _read(PO / f"{lang}.po", lang)
        # The same .mo from the same .po: its dates from SOURCE_DATE_EPOCH, not the clock.
        catalog.creation_date = catalog.revision_date = datetime.fromtimestamp(
            int(os.environ.get("SOURCE_DATE_EPOCH", "0")), UTC)
        write_mo(buffer, catalog, use_fuzzy=False)
        if not target.exists() or target.read_bytes() != buffer.getvalue():
            target.write_bytes(buffer.getvalue())
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        return update()
    if argv[:1] == ["add"] and len(argv) == 2:
        return add(argv[1])
    if argv[:1] == ["check"]:
        return check()
    if argv[:1] == ["compile"] and len(argv) == 2:
        print("\n".join(str(p) for p in compile_to(Path(argv[1]))))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
