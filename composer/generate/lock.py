"""An exclusive lock on a file that holds work in progress: refused, never waited for.

An advisory ``flock`` that the kernel releases when its holder dies, so a killed process never
leaves a stale lock behind. The lock file holds who has it (``a campaign run (pid 42)``), for the
message the next process shows. Campaigns lock their output folder; ``compose shot --generate``
and ``compose generate`` lock the shot's record, so two of them cannot both pay for one shot.

Whoever holds a lock also sweeps the temp files a killed writer left behind (``remove_leftovers``):
a SIGKILL mid-download leaves its hidden temp file, which nobody else would ever remove.
"""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Self

LEFTOVER = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{8}\.(tmp|part)$")
"""A temp file ``composer.files`` writes through (``.<name>.<8 hex>.tmp``; ``.part`` before it)."""


class Busy(Exception):
    """The lock is held by someone else; ``holder`` says who."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


class FileLock:
    def __init__(self, path: Path, purpose: str, *, remove: bool = False) -> None:
        self.path = path
        self.purpose = purpose
        self.remove = remove
        """Delete the lock file on release (a shot's folder keeps no trace of it)."""
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise ``Busy`` naming its holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
                os.close(fd)
                raise Busy(holder) from None
            if self._still_there(fd):
                break
            os.close(fd)  # its holder removed the file as we opened it: lock the new one
        os.ftruncate(fd, 0)
        os.write(fd, f"{self.purpose} (pid {os.getpid()})".encode())
        self._fd = fd

    def _still_there(self, fd: int) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False

    def release(self) -> None:
        if self._fd is not None:
            if self.remove:
                self.path.unlink(missing_ok=True)  # while still held: nobody locks a file on its way out
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def remove_leftovers(folder: Path, stems: Iterable[str] | None = None) -> list[Path]:
    """Delete the temp files a killed writer left in ``folder`` (all, or those of ``stems``: the
    stem's own files and its ``<stem>-N`` results). Call only holding the lock that covers them."""
    mine = None if stems is None else re.compile("|".join(rf"{re.escape(s)}(-\d+)?(\..*)?" for s in stems))
    removed = []
    for path in folder.glob(".*") if folder.is_dir() else ():
        match = LEFTOVER.match(path.name)
        if match and path.is_file() and (mine is None or mine.fullmatch(match["name"])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
