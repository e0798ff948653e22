"""Errors a user can cause, each carrying a message ready to print and its exit code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from stretchd.i18n import _

# The exit codes the README's "Exit codes" promises.
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 69  # the daemon is needed and not running
EXIT_CONFIG = 78  # the configuration is invalid


class StretchdError(Exception):
    """A failure with a one-line, user-ready message."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(StretchdError):
    """The command line asked for something that does not exist or is out of range."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, as a value: an edit tells its own problems from the file's by it."""

    where: str  # the file and the key: "config.toml: reminders.morning.time"
    what: str  # what is wrong, and what to write instead
    line: int | None = None

    def __str__(self) -> str:
        # TRANSLATORS: ends a problem in a file: "config.toml: reminders.morning.time: ... (line 3)".
        at = _(" (line {line})").format(line=self.line) if self.line else ""
        return f"{self.where}: {self.what}{at}"

    @property
    def anywhere(self) -> Problem:
        """The same problem at no line: what stays the same when an edit moves lines."""
        return replace(self, line=None)


class ConfigError(StretchdError):
    """The configuration (config.toml or a routine file) is invalid."""

    exit_code = EXIT_CONFIG

    def __init__(self, message: str, problems: list[str] | None = None,
                 found: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = problems or [message]
        self.found = tuple(found)  # the same problems as values; empty unless config.toml's check made them

    @classmethod
    def of(cls, found: Sequence[Problem]) -> ConfigError:
        """The error naming FOUND: the first is its message, each one's text is in .problems."""
        texts = [str(p) for p in found]
        return cls(texts[0], texts, found)


class DaemonNotRunning(StretchdError):
    exit_code = EXIT_UNAVAILABLE


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean "x"?)' suffix for the closest choice, or ''."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    # TRANSLATORS: ends an error message; {choice} is a name or word that exists, kept as it is.
    return _(' (did you mean "{choice}"?)').format(choice=close[0]) if close else ""
