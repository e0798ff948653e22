"""The shared folder's files: this computer's appended to, the others' read from where they
were last read. Nothing here trusts a file it did not write: each is opened without following
a link, must be a regular file of ours no other user can write, and is read in bounded pieces."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from stretchd.i18n import _
from stretchd.sync.events import MAX_LINE, FileName, parse_file_name

MAX_FILE = 16 * 1024 * 1024  # a month of one computer's events is a few hundred KiB at most
CHUNK = 256 * 1024  # read at a time: a large file holds the daemon's loop a fraction of a second
TAIL = 512  # bytes before the offset (the last line or two, ids and all): is a file the
# engine replaced the same one, grown?
FOLDER_MODE = 0o700
FILE_MODE = 0o600


class FolderError(OSError):
    """The folder cannot be written now (gone, unmounted, full, refused)."""


@dataclass(frozen=True)
class Mark:
    """How far a file was read: its offset and a digest of the bytes just before it; and
    whether the read stopped inside a line too long to keep (the rest of it is skipped)."""

    offset: int = 0
    tail: str = ""
    skipping: bool = False


@dataclass
class Read:
    lines: list[bytes] = field(default_factory=list)  # whole lines, without their newline
    mark: Mark = Mark()
    skipped: list[str] = field(default_factory=list)  # why lines were skipped
    refused: str | None = None  # why the file was not read at all
    more: bool = False  # a piece was read; more of the file waits


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


class SharedFolder:
    def __init__(self, path: Path, device: str) -> None:
        self.path = path
        self.device = device

    def present(self) -> bool:
        try:
            return stat.S_ISDIR(os.stat(self.path).st_mode)
        except OSError:
            return False

    def identity(self) -> tuple[int, int] | None:
        """The folder's device and inode: another one at the path (mounted since) is another folder."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None

    def make(self) -> bool:
        """Create the folder (0700) where its parent exists and holds something (a Syncthing
        folder has its .stfolder): a missing or empty parent may be a drive's mount point
        while it is not mounted, and nothing is made under it."""
        if self.present():
            return True
        try:
            if not any(os.scandir(self.path.parent)):
                return False
        except OSError:
            return False
        try:
            self.path.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            return self.present()
        except OSError:
            return False
        return True

    def open_to_others(self) -> bool:
        """Whether another local user may write in the folder (their files are then not read)."""
        try:
            return bool(os.stat(self.path).st_mode & 0o022)
        except OSError:
            return False

    def names(self) -> list[tuple[str, FileName]]:
        """The shared files in the folder, oldest month first; the rest (temporary files,
        .stfolder, strays) is not ours to read."""
        try:
            entries = os.listdir(self.path)
        except OSError:
            return []
        found = [(n, f) for n in entries if (f := parse_file_name(n)) is not None]
        return sorted(found, key=lambda nf: (nf[1].month, nf[0]))

    def append(self, by_file: dict[str, list[bytes]]) -> None:
        """Append lines to this computer's files, each file in one write. A file whose last
        line was cut short (a crash mid-write) gets a newline first, so the cut line stays
        one bad line and never swallows the next."""
        if not self.present():
            # TRANSLATORS: {folder} is the shared folder's path ([sync] folder).
            raise FolderError(_("{folder}: not there").format(folder=self.path))
        for name, lines in by_file.items():
            path = self.path / name
            try:
                fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW
                             | os.O_CLOEXEC, FILE_MODE)
            except OSError as e:
                # TRANSLATORS: {file} is a path; {error} the system's reason.
                raise FolderError(_("{file}: cannot write: {error}").format(
                    file=path, error=e.strerror)) from None
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    # TRANSLATORS: {file} is a path in the shared folder.
                    raise FolderError(_("{file}: not a regular file").format(file=path))
                data = b"".join(lines)
                if st.st_size and os.pread(fd, 1, st.st_size - 1) != b"\n":
                    data = b"\n" + data
                written = os.write(fd, data)
                if written != len(data):
                    # TRANSLATORS: {file} is a path; {written} and {total} are numbers of bytes.
                    raise FolderError(_("{file}: only {written} of {total} bytes written").format(
                        file=path, written=written, total=len(data)))
            except OSError as e:
                # TRANSLATORS: {file} is a path; {error} the system's reason.
                raise FolderError(_("{file}: cannot write: {error}").format(
                    file=path, error=e.strerror)) from None
            finally:
                os.close(fd)

    def read(self, name: str, mark: Mark) -> Read:
        """The whole lines added to a file since `mark` (from the start, if the file is no
        longer the one read up to there); a line without its newline yet is left for later."""
        path = self.path / name
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as e:
            return Read(mark=mark, refused=f"cannot be read: {e.strerror}")
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return Read(mark=mark, refused="not a regular file")
            if st.st_uid != os.getuid():
                return Read(mark=mark, refused="owned by another user")
            if st.st_mode & 0o002 or (st.st_mode & 0o020 and not _private_group(st.st_gid)):
                return Read(mark=mark, refused="other users can write it")
            if st.st_size > MAX_FILE:
                return Read(mark=mark, refused=f"over {MAX_FILE // (1024 * 1024)} MiB")
            offset, skipping = mark.offset, mark.skipping
            if offset > st.st_size:
                offset, skipping = 0, False  # shorter than read: another file now
            back = min(TAIL, offset)
            data = os.pread(fd, CHUNK + back, offset - back)
            if offset and _digest(data[:back]) != mark.tail:
                offset, back, skipping = 0, 0, False  # not the file read up to there: again
                data = os.pread(fd, CHUNK, 0)
        except OSError as e:
            return Read(mark=mark, refused=f"cannot be read: {e.strerror}")
        finally:
            os.close(fd)
        out = Read()
        piece = data[back:]
        start = 0
        if skipping:  # the rest of a line too long to keep, up to its newline
            newline = piece.find(b"\n")
            start = len(piece) if newline < 0 else newline + 1
            skipping = newline < 0
        end = max(start, piece.rfind(b"\n") + 1)
        if end == start and len(piece) == CHUNK and not skipping:
            out.skipped.append(f"a line over {MAX_LINE // 1024} KiB")  # no newline in a piece
            end, skipping = len(piece), True
        elif skipping:
            end = len(piece)
        for line in piece[start:end].split(b"\n")[:-1] if end > start and not skipping else ():
            if len(line) + 1 > MAX_LINE:
                out.skipped.append(f"a line over {MAX_LINE // 1024} KiB")
            elif line.strip():
                out.lines.append(line)
        new_offset = offset + end
        before = data[max(0, back + end - TAIL):back + end]
        out.mark = Mark(new_offset, _digest(before) if new_offset else "", skipping)
        out.more = len(piece) == CHUNK and new_offset < st.st_size
        return out


def _private_group(gid: int) -> bool:
    """The user's own group (Debian gives each user one, with umask 002): writable by it is
    writable by the user alone."""
    import grp
    import pwd

    try:
        group, user = grp.getgrgid(gid), pwd.getpwuid(os.getuid())
    except KeyError:
        return False
    return gid == user.pw_gid and group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name}


def group(lines: Iterable[tuple[str, bytes]]) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {}
    for name, line in lines:
        out.setdefault(name, []).append(line)
    return out
