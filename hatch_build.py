"""At build time, the wheel's man page: stretchd(1) written from the commands' own help by
tools/manpage.py, installed as share/man/man1/stretchd.1 (where pipx and pip --user put man
pages). Not committed: it is made from the code each build."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        out = root / "build" / "man" / "stretchd.1"
        sys.path[:0] = [str(root), str(root / "tools")]  # stretchd's commands, and the writer
        try:
            import manpage

            manpage.main(out)
        finally:
            del sys.path[:2]
        build_data["shared_data"][str(out)] = "share/man/man1/stretchd.1"
