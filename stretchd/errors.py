"""Errors a user can cause, each carrying a message ready to print and its exit code."""

from __future__ import annotations

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


class ConfigError(StretchdError):
    """The configuration (config.toml or a routine file) is invalid."""

    exit_code = EXIT_CONFIG

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class DaemonNotRunning(StretchdError):
    exit_code = EXIT_UNAVAILABLE


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean "x"?)' suffix for the closest choice, or ''."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""
