"""`stretchd run` after its exec: the daemon in a fresh interpreter, free of the CLI's imports.

The daemon lives all day, so what it imports it holds all day: click and its friends stay in
the short-lived CLI process, and ssl with OpenSSL (asyncio and dbus-fast fall back without
them; the daemon speaks no TLS) stay out altogether. About 5 MB of resident memory.
"""

from __future__ import annotations

import sys


def main() -> int:
    for module in ("ssl", "_ssl", "_hashlib"):
        sys.modules.setdefault(module, None)  # type: ignore[arg-type]
    from stretchd.daemon import main as daemon_main

    return daemon_main()


if __name__ == "__main__":
    sys.exit(main())
