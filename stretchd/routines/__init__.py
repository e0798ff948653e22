"""Routines: the built-in TOML files beside this module, user files, and their validation."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stretchd.errors import ConfigError, UsageError, did_you_mean
from stretchd.i18n import N_, _, ngettext
from stretchd.text import clean, one_line

SIDES = ("left", "right", "both")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

# Bounds that keep a typo from becoming a two-hour hold.
MAX_HOLD = 600
MAX_BREATHS = 60
MAX_REPS = 20
MAX_TEXT = 2000
MAX_SAY = 120  # a phrase for the ear, said while the person gets into position

_ROUTINE_KEYS = (
    "title", "summary", "needs", "setup", "warnings", "references",
    "breath_seconds", "transition_seconds", "steps", "image",
)
_STEP_KEYS = ("title", "say", "instruction", "tips", "cautions", "hold_seconds", "breaths", "sides",
              "repetitions", "image")


@dataclass(frozen=True)
class Count:
    """A count the article gives as a range ("3-5 times"): a default inside [low, high]."""

    default: int
    low: int
    high: int

    def __post_init__(self) -> None:
        if not self.low <= self.default <= self.high:
            raise ValueError(f"default {self.default} is outside {self.low}-{self.high}")

    def __str__(self) -> str:
        return str(self.default) if self.low == self.high else f"{self.default} ({self.low}-{self.high})"


@dataclass(frozen=True)
class Step:
    title: str
    instruction: str
    sides: tuple[str, ...]
    repetitions: Count
    hold_seconds: int | None = None
    breaths: Count | None = None
    tips: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    say: tuple[tuple[str, str], ...] = ()  # (side, phrase): what is said as it starts
    images: tuple[tuple[str, Path], ...] = ()  # (side, file): its picture ("both": every side)

    def __post_init__(self) -> None:
        if (self.hold_seconds is None) == (self.breaths is None):
            raise ValueError("a step has either hold_seconds or breaths")

    def image(self, side: str) -> Path | None:
        pictures = dict(self.images)
        return pictures.get(side) or pictures.get("both")

    def spoken(self, side: str) -> str:
        """The phrase said as the step starts on this side, without its timing."""
        phrases = dict(self.say)
        if side in phrases:
            return phrases[side]
        said = phrases.get("both") or self.title[:MAX_SAY].rstrip(".") + "."
        if side == "left":
            return _("Left side. {phrase}").format(phrase=said)
        if side == "right":
            return _("Right side. {phrase}").format(phrase=said)
        return said


@dataclass(frozen=True)
class Routine:
    name: str
    title: str
    steps: tuple[Step, ...]
    summary: str = ""
    needs: tuple[str, ...] = ()  # what to have at hand ("a belt"), said in the notification
    setup: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    breath_seconds: int = 6
    transition_seconds: int = 5
    source: str = "built-in"
    path: Path | None = field(default=None, compare=False)
    image: Path | None = None  # the position it starts from (lying flat)
    notes: tuple[str, ...] = ()  # what was left out, and why (a picture that cannot be drawn)

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a routine needs at least one step")


def builtin_dir() -> Path:
    return Path(__file__).parent


class _Reader:
    """Pulls typed values out of a TOML table, raising ConfigError naming PATH: KEY."""

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.display}: {one_line(key)}: {problem}")

    def unknown(self, table: dict[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                # TRANSLATORS: a routine file's key; {did_you_mean}: ' (did you mean "title"?)'
                raise self.fail(f"{prefix}{key}", _("unknown key{did_you_mean}").format(did_you_mean=hint)
                                if hint else
                                # TRANSLATORS: a routine file's key; {keys}: the keys allowed there,
                                # as they are written (title, summary, ...)
                                _("unknown key; known keys: {keys}").format(keys=", ".join(allowed)))

    def text(self, table: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = table.get(key)
        if value is None:
            if required:
                # TRANSLATORS: said of a routine file's key, after its name
                raise self.fail(where + key, _("missing; a text is required"))
            return ""
        if not isinstance(value, str):
            # TRANSLATORS: {kind}: what the routine file gives, e.g. "a number (3)", "a list"
            raise self.fail(where + key, _("{kind} is not a text; use a quoted string").format(
                kind=_kind(value)))
        value = clean(value).strip()
        if required and not value:
            # TRANSLATORS: said of a routine file's key, after its name
            raise self.fail(where + key, _("is empty; a text is required"))
        if len(value) > MAX_TEXT:
            raise self.fail(where + key, _too_long(len(value), MAX_TEXT))
        return value

    def texts(self, table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            # TRANSLATORS: {kind}: what the routine file gives, e.g. "a number (3)", "a table"
            raise self.fail(where + key, _("{kind} is not a list of texts").format(kind=_kind(value)))
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                # TRANSLATORS: {kind}: what the routine file gives, e.g. "a number (3)", "a list"
                raise self.fail(f"{where}{key}[{i}]", _("{kind} is not a text").format(kind=_kind(item)))
            item = clean(item).strip()
            if len(item) > MAX_TEXT:
                raise self.fail(f"{where}{key}[{i}]", _too_long(len(item), MAX_TEXT))
            if item:
                out.append(item)
        return tuple(out)

    def phrase(self, value: object, key: str) -> str:
        if not isinstance(value, str):
            # TRANSLATORS: {kind}: what the routine file gives, e.g. "a number (3)", "a list"
            raise self.fail(key, _("{kind} is not a text; use a short quoted phrase").format(
                kind=_kind(value)))
        said = clean(value, keep_newlines=False).strip()
        if not said or not said[0].isalnum():
            # TRANSLATORS: said of a routine step's `say` key, after its name
            raise self.fail(key, _("starts with no letter or digit; a phrase to say aloud, "
                                   'e.g. "Both knees to your chest."'))
        if len(said) > MAX_SAY:
            n = len(said)
            # TRANSLATORS: said of a routine step's `say` key, after its name; {most}: characters
            raise self.fail(key, ngettext("is {n} character; at most {most}, a phrase said while you get "
                                          "into position",
                                          "is {n} characters; at most {most}, a phrase said while you get "
                                          "into position", n).format(n=n, most=MAX_SAY))
        return said

    def say(self, table: dict[str, Any], where: str,
            sides: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """A step's `say`: one phrase, or a table with one phrase for each of its sides."""
        value = table.get("say")
        if value is None:
            return ()
        key = where + "say"
        if not isinstance(value, dict):
            return (("both", self.phrase(value, key)),)
        if sides == ("both",):
            # TRANSLATORS: said of a routine step's `say` key, after its name
            raise self.fail(key, _("is a table, but the step has no sides; use one phrase"))
        self.unknown(value, sides, key + ".")
        for side in sides:
            if side not in value:
                # TRANSLATORS: said of a routine step's `say.left` or `say.right` key, after its name
                raise self.fail(f"{key}.{side}", _("missing; give a phrase for each side"))
        return tuple((side, self.phrase(value[side], f"{key}.{side}")) for side in sides)

    def images(self, table: dict[str, Any], where: str, sides: tuple[str, ...],
               notes: list[str]) -> tuple[tuple[str, Path], ...]:
        """A picture file (relative to the routine's file), or a table with one for each side.
        One that cannot be drawn is noted and left out: the routine goes on without it."""
        from stretchd.routines.images import problem

        value = table.get("image")
        if value is None:
            return ()
        key = where + "image"
        named = {"both": value} if not isinstance(value, dict) else value
        if isinstance(value, dict):
            if sides == ("both",):
                # TRANSLATORS: said of a routine step's `image` key, after its name
                raise self.fail(key, _("is a table, but the step has no sides; use one file"))
            self.unknown(value, sides, key + ".")
        out = []
        for side, name in named.items():
            at = key if side == "both" else f"{key}.{side}"
            if not isinstance(name, str) or not name.strip():
                # TRANSLATORS: {kind}: what the routine file gives, e.g. "a number (3)", "a list"
                raise self.fail(at, _('{kind} is not a file name; e.g. "knee.svg" (PNG or SVG)').format(
                    kind=_kind(name)))
            file = (self.path.parent / name.strip()).resolve()
            said = problem(file)
            if said:
                # TRANSLATORS: a routine's picture left out; {file}: its name as the routine gives
                # it, quoted; {problem}: what is wrong with it, e.g. "not found", "is not a file"
                note = _("{file} {problem}; the step shows without a picture").format(
                    file=repr(one_line(name)), problem=said)
                notes.append(f"{self.display}: {one_line(at)}: {note}")
            else:
                out.append((side, file))
        return tuple(out)

    def integer(self, table: dict[str, Any], key: str, where: str, low: int, high: int,
                default: int | None = None) -> int:
        value = table.get(key, default)
        if value is None:
            # TRANSLATORS: said of a routine file's key, after its name
            raise self.fail(where + key, _("missing; a whole number from {low} to {high}").format(
                low=low, high=high))
        if isinstance(value, bool) or not isinstance(value, int):
            # TRANSLATORS: {kind}: what the routine file gives, e.g. "a number (1.5)", "a text"
            raise self.fail(where + key, _("{kind} is not a whole number; use {low} to {high}").format(
                kind=_kind(value), low=low, high=high))
        if not low <= value <= high:
            # TRANSLATORS: {value}: the number a routine file gives
            raise self.fail(where + key, _("{value} is out of range; use {low} to {high}").format(
                value=value, low=low, high=high))
        return value

    def count(self, table: dict[str, Any], key: str, where: str, high: int,
              default: int | None = None) -> Count | None:
        value = table.get(key, default)
        if value is None:
            return None
        name = where + key
        if isinstance(value, dict):
            self.unknown(value, ("default", "min", "max"), name + ".")
            low = self.integer(value, "min", name + ".", 1, high)
            top = self.integer(value, "max", name + ".", low, high)
            chosen = self.integer(value, "default", name + ".", low, top, default=low)
            return Count(chosen, low, top)
        n = self.integer({key: value}, key, where, 1, high)
        return Count(n, n, n)


def _kind(value: object) -> str:
    """What a TOML value is, in words to put in a sentence: "a number (3)", "a list"."""
    if isinstance(value, bool):
        # TRANSLATORS: what a routine file gives where it should not; {value}: True or False, as is
        return _("a true/false ({value})").format(value=repr(value))
    if isinstance(value, (int, float)):
        # TRANSLATORS: what a routine file gives where it should not; {value}: the number, e.g. 1.5
        return _("a number ({value})").format(value=repr(value))
    if isinstance(value, str):
        # TRANSLATORS: what a routine file gives where it should not (a quoted string)
        return _("a text")
    if isinstance(value, list):
        # TRANSLATORS: what a routine file gives where it should not
        return _("a list")
    if isinstance(value, dict):
        # TRANSLATORS: what a routine file gives where it should not (a TOML table)
        return _("a table")
    # TRANSLATORS: what a routine file gives where it should not; {type}: a Python type's name,
    # as is: datetime, date or time (a TOML date or time)
    return _("a {type}").format(type=type(value).__name__)


def _too_long(n: int, most: int) -> str:
    # TRANSLATORS: said of a routine file's text, after its key; {most}: characters
    return ngettext("is {n} character; at most {most}", "is {n} characters; at most {most}", n).format(
        n=n, most=most)


def parse_routine(name: str, data: dict[str, Any], path: Path, *, source: str,
                  display: str | None = None) -> Routine:
    """Validate one routine's TOML table."""
    r = _Reader(path, display or str(path))
    if not NAME_RE.fullmatch(name):
        # TRANSLATORS: {name}: a routine file's name without .toml
        raise r.fail("name", _('"{name}" is not a routine name; use lower-case letters, digits and "-", '
                               'e.g. "my-hips.toml"').format(name=one_line(name)))
    r.unknown(data, _ROUTINE_KEYS, "")
    steps_raw = data.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        # TRANSLATORS: said of a routine file's `steps`, after its name; [[steps]] is TOML, as is
        raise r.fail("steps", _("missing; add at least one [[steps]] table"))
    steps = []
    notes: list[str] = []
    for i, raw in enumerate(steps_raw):
        where = f"steps[{i}]."
        if not isinstance(raw, dict):
            # TRANSLATORS: {kind}: what the routine file gives, e.g. "a number (3)"; [[steps]] is TOML
            raise r.fail(f"steps[{i}]", _("{kind} is not a table; use [[steps]]").format(kind=_kind(raw)))
        r.unknown(raw, _STEP_KEYS, where)
        sides_raw = raw.get("sides", ["both"])
        if isinstance(sides_raw, str):
            sides_raw = [sides_raw]
        if not isinstance(sides_raw, list) or not sides_raw:
            # TRANSLATORS: said of a routine step's `sides`; "left", "right", "both" are kept as they are
            raise r.fail(where + "sides", _('use a list of "left", "right" or "both"'))
        for side in sides_raw:
            if side not in SIDES:
                shown = one_line(side) if isinstance(side, str) else _kind(side)
                # TRANSLATORS: {side}: what a routine step gives as a side; "left", "right", "both"
                # are kept as they are; {did_you_mean}: ' (did you mean "left"?)' or nothing
                raise r.fail(where + "sides", _('"{side}" is not a side; use "left", "right" or "both"'
                                                "{did_you_mean}").format(
                    side=shown, did_you_mean=did_you_mean(str(side), SIDES)))
        if "both" in sides_raw and len(sides_raw) > 1:
            # TRANSLATORS: said of a routine step's `sides`; "left", "right", "both" are kept as they are
            raise r.fail(where + "sides", _('"both" stands alone; or list "left" and "right"'))
        has_hold, has_breaths = "hold_seconds" in raw, "breaths" in raw
        if has_hold == has_breaths:
            raise r.fail(where + "hold_seconds",
                         # TRANSLATORS: hold_seconds and breaths are a routine file's keys, kept as is
                         _("give either hold_seconds (1-600) or breaths (1-60), not both or neither"))
        steps.append(Step(
            title=r.text(raw, "title", where),
            instruction=r.text(raw, "instruction", where),
            tips=r.texts(raw, "tips", where),
            cautions=r.texts(raw, "cautions", where),
            say=r.say(raw, where, tuple(sides_raw)),
            images=r.images(raw, where, tuple(sides_raw), notes),
            sides=tuple(sides_raw),
            repetitions=r.count(raw, "repetitions", where, MAX_REPS, default=1) or Count(1, 1, 1),
            hold_seconds=r.integer(raw, "hold_seconds", where, 1, MAX_HOLD) if has_hold else None,
            breaths=r.count(raw, "breaths", where, MAX_BREATHS) if has_breaths else None,
        ))
    return Routine(
        name=name,
        title=r.text(data, "title", ""),
        summary=r.text(data, "summary", "", required=False),
        needs=r.texts(data, "needs", ""),
        setup=r.texts(data, "setup", ""),
        warnings=r.texts(data, "warnings", ""),
        references=r.texts(data, "references", ""),
        breath_seconds=r.integer(data, "breath_seconds", "", 2, 20, default=6),
        transition_seconds=r.integer(data, "transition_seconds", "", 0, 60, default=5),
        steps=tuple(steps),
        source=source,
        path=path,
        image=dict(r.images(data, "", ("both",), notes)).get("both"),
        notes=tuple(notes),
    )


def load_file(path: Path, *, source: str = "user") -> Routine:
    """Read and validate one routine file; the routine's name is the file's stem."""
    where = clean(str(path), keep_newlines=False)  # a file name may hold escapes or newlines
    try:
        raw = path.read_bytes()
    except OSError as e:
        # TRANSLATORS: {file}: a routine file; {error}: the system's reason
        raise ConfigError(_("{file}: cannot read: {error}").format(
            file=where, error=e.strerror or e)) from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        # TRANSLATORS: {file}: a routine file
        raise ConfigError(_("{file}: not UTF-8 text").format(file=where)) from None
    except tomllib.TOMLDecodeError as e:
        # TRANSLATORS: {file}: a routine file; {error}: what the TOML reader says, in English
        raise ConfigError(_("{file}: invalid TOML: {error}").format(
            file=where, error=one_line(str(e), 200))) from None
    except RecursionError:
        # TRANSLATORS: {file}: a routine file (its tables or lists nested too deeply)
        raise ConfigError(_("{file}: invalid TOML: nested too deeply").format(file=where)) from None
    return parse_routine(path.stem, data, path, source=source, display=where)


def _files(directory: Path) -> Iterator[Path]:
    try:
        yield from sorted(p for p in directory.glob("*.toml") if p.is_file())
    except OSError:
        return


def load_all(user_dir: Path | None = None) -> tuple[dict[str, Routine], list[str]]:
    """Every routine by name (user files replace built-ins) and the problems found on the way."""
    routines = {}
    problems: list[str] = []
    for path in _files(builtin_dir()):
        routines[path.stem] = translated(load_file(path, source="built-in"))
    if user_dir is not None:
        for path in _files(user_dir):
            try:
                routines[path.stem] = load_file(path, source="user")
            except ConfigError as e:
                problems.append(e.message)
            else:
                problems += routines[path.stem].notes
    return routines, problems


def translated(routine: Routine) -> Routine:
    """A built-in routine's texts in the person's language (stretchd.i18n), where its catalog
    has them; the catalogs take them from the routine files (tools/catalogs.py)."""
    from dataclasses import replace

    def each(texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_(t) for t in texts)

    steps = tuple(replace(s, title=_(s.title), instruction=_(s.instruction), tips=each(s.tips),
                          cautions=each(s.cautions), say=tuple((side, _(p)) for side, p in s.say))
                  for s in routine.steps)
    return replace(routine, title=_(routine.title), summary=_(routine.summary) if routine.summary else "",
                   needs=each(routine.needs), setup=each(routine.setup), warnings=each(routine.warnings),
                   steps=steps)


def find(name: str, routines: dict[str, Routine]) -> Routine:
    try:
        return routines[name]
    except KeyError:
        known = sorted(routines)
        # TRANSLATORS: {name}: the routine asked for; {did_you_mean}: ' (did you mean "shotgun"?)'
        # or nothing; {routines}: the routines' names, as they are
        raise UsageError(_('no routine named "{name}"{did_you_mean}; known: {routines}').format(
            name=clean(name, keep_newlines=False), did_you_mean=did_you_mean(name, known),
            routines=", ".join(known))) from None


def with_repetitions(routine: Routine, reps: int) -> Routine:
    """The routine with every ranged repetition count set to reps (which each range must allow)."""
    from dataclasses import replace

    steps = []
    ranged = [s for s in routine.steps if s.repetitions.low != s.repetitions.high]
    if not ranged:
        # TRANSLATORS: --reps is an option, kept as is; {routine}: a routine's name
        raise UsageError(_("--reps: {routine} has no step with a range of repetitions").format(
            routine=routine.name))
    for step in routine.steps:
        c = step.repetitions
        if c.low != c.high:
            if not c.low <= reps <= c.high:
                # TRANSLATORS: --reps is an option, kept as is; {step}: a step's title; {low}-{high}:
                # the repetitions it allows
                raise UsageError(_('--reps: {reps} is outside "{step}"\'s {low}-{high}').format(
                    reps=reps, step=step.title, low=c.low, high=c.high))
            step = replace(step, repetitions=Count(reps, c.low, c.high))
        steps.append(step)
    return replace(routine, steps=tuple(steps))


# The article's safety advice in our words, shown before every routine, built-in or not
# (marked here, translated where shown: safety_line() and safety_notice()).
SAFETY_LINE = N_("Stop if anything hurts.")  # said aloud as a routine starts
SAFETY_NOTICE = (
    N_("Stop if anything hurts. A stretch should never give you a sharp pain."),
    N_("These stretches do not treat an injury: if you are hurt, or your back hurts a lot, "
       "see a doctor soon."),
    N_("Severe pain or discomfort: see a doctor right away."),
    N_("Go slowly. Rushing a stretch does not help it."),
)


def safety_line() -> str:
    return _(SAFETY_LINE)


def safety_notice() -> tuple[str, ...]:
    return tuple(_(line) for line in SAFETY_NOTICE)
