"""The daemon's configuration as one loaded whole: config.toml, the routines it may name, and
what their files looked like when read (to notice an edit cheaply)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stretchd import i18n, paths
from stretchd.config import Config, load
from stretchd.routines import Routine, load_all

Stamp = tuple[object, ...]


@dataclass(frozen=True)
class Loaded:
    config: Config
    routines: dict[str, Routine]
    stamp: Stamp


def stamp(config_path: Path) -> Stamp:
    """What the config file and the routines folder look like on disk (cheap to compare)."""
    def one(path: Path) -> object:
        try:
            st = path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    routines_dir = paths.user_routines_dir()
    files = sorted(routines_dir.glob("*.toml")) if routines_dir.is_dir() else []
    return (one(config_path), one(routines_dir), tuple(one(f) for f in files))


def load_everything(config_path: Path, log: Callable[[str, str], None]) -> Loaded:
    """Read it all; ConfigError if config.toml is invalid (a bad routine file is only skipped)."""
    seen = stamp(config_path)
    before = i18n.setting()
    i18n.use(i18n.configured(config_path))  # before the routines: theirs are translated texts
    try:
        routines, problems = load_all(paths.user_routines_dir())
        for problem in problems:
            log("warning", f"skipped routine file {problem}")
        return Loaded(load(config_path, routines), routines, seen)
    except BaseException:
        i18n.use(before)  # an invalid config keeps the schedule it replaces, and its language
        raise
