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
        sys.path[:0] = [str(root), str(root / "tools")]
        try:
            import manpage
        finally:
            del sys.path[:2]
        out = root / "build" / "man" / "stretchd.1"
        manpage.main(out)
        build_data["shared_data"][str(out)] = "share/man/man1/stretchd.1"
