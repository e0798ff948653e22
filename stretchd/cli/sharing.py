"""`stretchd doctor`'s [sync] part: the shared folder, the computers seen in it, and whether a
Syncthing answers on this computer (a hint only: any engine that keeps a folder the same works)."""

from __future__ import annotations

from typing import Any

from stretchd.config import Config
from stretchd.i18n import _

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

    if found["present"]:
        # TRANSLATORS: {folder} is the shared folder's path, {device} this computer's name in it.
        where = _("shared history: {folder} as '{device}'")
    else:
        # TRANSLATORS: {folder} is the shared folder's path, {device} this computer's name in it.
        where = _("shared history: {folder} as '{device}'; not there now (not mounted?): running "
                  "alone, catching up when it is back")
    out = [where.format(folder=found["folder"], device=found["device"])]
    if found["open_to_others"]:
        out.append("  " + _("other users can write in that folder: files not yours there are not read"))
    elif found["mode"] not in (None, "700"):
        # TRANSLATORS: {mode} is the folder's permissions in octal (755), {folder} its path.
        out.append("  " + _("other users can list that folder (mode {mode}); `chmod 700 {folder}` keeps "
                            "it to you (its files are 600)").format(mode=found["mode"],
                                                                    folder=found["folder"]))
    for device, at in found["computers"].items():
        # TRANSLATORS: another computer's name, then the date and time (its own clock's) of the
        # last thing it did.
        out.append("  " + _("{device}: last event {date} {time} (its time)").format(
            device=device, date=at[:10], time=at[11:16]))
    if not found["computers"]:
        out.append("  " + _("no other computer seen there yet"))
    out += [f"  {clash_text(d, found['device'])}" for d in found["clashes"]]
    out.append("  " + (_("Syncthing: answers on 127.0.0.1:8384") if found["syncthing"] else
                       _("Syncthing: no answer on 127.0.0.1:8384 (fine if another engine keeps the "
                         "folder the same)")))
    return out
