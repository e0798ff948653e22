"""At build time: the translations, each po/LANG.po compiled by tools/catalogs.py (Babel) into
stretchd/locale/LANG/LC_MESSAGES/stretchd.mo (an editable install reads them there too); and
the wheel's man page, stretchd(1), written from the commands' own help by tools/manpage.py and
installed as share/man/man1/stretchd.1 (where pipx and pip --user put man pages). Neither is
committed: both are made from the source each build."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        out = root / "build" / "man" / "stretchd.1"
        sys.path[:0] = [str(root), str(root / "tools")]  # stretchd's commands, and the writers
        try:
            import catalogs
            import manpage

            catalogs.compile_to(root / "stretchd" / "locale")
            manpage.main(out)
        finally:
            del sys.path[:2]
        build_data["shared_data"][str(out)] = "share/man/man1/stretchd.1"
