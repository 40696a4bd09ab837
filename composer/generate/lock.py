"""An exclusive lock on a file that holds work in progress: refused, never waited for.

An advisory ``flock`` that the kernel releases when its holder dies, so a killed process never
leaves a stale lock behind. The lock file holds who has it (``a campaign run (pid 42)``), for the
message the next process shows. Campaigns lock their output folder; ``compose shot --generate``
and ``compose generate`` lock the shot's record, so two of them cannot both pay for one shot.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Self


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
