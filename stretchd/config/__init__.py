"""config.toml: read with tomllib and validate into frozen objects, every problem named
(values.py: the objects; checks.py: the checking; edit.py: changes through tomlkit)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from stretchd.config.checks import parse, parse_weekly
from stretchd.config.values import (
    CONDITIONS,
    DAYS,
    FULL_DAYS,
    TIME_RE,
    VOICES,
    WINDOWS,
    Config,
    Defaults,
    Hold,
    Reminder,
    Stats,
    Sync,
    Walkthrough,
    default_config_file,
    format_time,
    parse_time,
)
from stretchd.errors import ConfigError
from stretchd.i18n import _

__all__ = ["CONDITIONS", "DAYS", "FULL_DAYS", "TIME_RE", "VOICES", "WINDOWS", "Config", "Defaults",
           "Hold", "NotText", "Reminder", "Stats", "Sync", "Walkthrough", "default_config_file",
           "format_time", "load", "parse", "parse_time", "parse_weekly", "read_text"]


class NotText(ConfigError):
    """The config file is not UTF-8 text."""


def read_text(path: Path) -> str | None:
    """The config file's text as the person wrote it (line ends kept; a byte-order mark some
    editors write is no error and is dropped); None when there is no file. One reader for the
    daemon, `config check` and every edit."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        # TRANSLATORS: {error} is the system's reason, e.g. "Permission denied".
        raise ConfigError(_("{file}: cannot read: {error}")
                          .format(file=path, error=e.strerror or e)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotText(_("{file}: not UTF-8 text").format(file=path)) from None


def load(path: Path, routines: Iterable[str] | None = None) -> Config:
    """The user's config, or the built-in default when the file does not exist."""
    text = read_text(path)
    if text is None:
        return parse(default_config_file().read_text(), "built-in default config", routines)
    return parse(text, str(path), routines, path=path)
