"""`stretchd doctor`'s [sync] part: the shared folder, the computers seen in it, and whether a
Syncthing answers on this computer (a hint only: any engine that keeps a folder the same works)."""

from __future__ import annotations

from typing import Any

from stretchd.config import Config

SYNCTHING = "http://127.0.0.1:8384/rest/noauth/health"  # Syncthing's default GUI/REST address


def syncthing_answers(url: str = SYNCTHING, timeout: float = 0.5) -> bool:
    import json
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
    try:
        with opener.open(url, timeout=timeout) as reply:
            return bool(json.loads(reply.read(1000)).get("status") == "OK")
    except (OSError, ValueError, AttributeError):
        return False


def report(config: Config) -> dict[str, Any] | None:
    """[sync] as it stands on this computer; None without a folder."""
    from stretchd import paths
    from stretchd.errors import StretchdError
    from stretchd.store import peers
    from stretchd.store.history import History
    from stretchd.sync.folder import SharedFolder

    sync = config.sync
    if sync.folder is None:
        return None
    folder = SharedFolder(sync.folder, sync.name)
    computers: dict[str, str] = {}
    try:
        with History(paths.database_file()) as history:
            computers = peers.computers(history)
    except StretchdError:
        pass
    clashes = sorted({about.device for _, about in folder.names() if about.conflict})
    try:
        mode: int | None = folder.path.stat().st_mode & 0o777
    except OSError:
        mode = None
    return {"folder": str(folder.path), "device": sync.name, "present": folder.present(),
            "mode": f"{mode:o}" if mode is not None else None,
            "open_to_others": folder.open_to_others(), "computers": computers,
            "clashes": clashes, "syncthing": syncthing_answers()}


def lines(found: dict[str, Any]) -> list[str]:
    from stretchd.sync.events import clash_text

    out = [f"shared history: {found['folder']} as '{found['device']}'"
           + ("" if found["present"] else "; not there now (not mounted?): running alone, "
                                          "catching up when it is back")]
    if found["open_to_others"]:
        out.append("  other users can write in that folder: files not yours there are not read")
    elif found["mode"] not in (None, "700"):
        out.append(f"  other users can list that folder (mode {found['mode']}); "
                   f"`chmod 700 {found['folder']}` keeps it to you (its files are 600)")
    for device, at in found["computers"].items():
        out.append(f"  {device}: last event {at[:10]} {at[11:16]} (its time)")
    if not found["computers"]:
        out.append("  no other computer seen there yet")
    out += [f"  {clash_text(d, found['device'])}" for d in found["clashes"]]
    out.append("  Syncthing: " + ("answers on 127.0.0.1:8384" if found["syncthing"] else
                                  "no answer on 127.0.0.1:8384 (fine if another engine keeps the "
                                  "folder the same)"))
    return out
