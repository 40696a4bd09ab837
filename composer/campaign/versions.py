"""Frame versions: which reference frames (by content) each campaign shot was generated with.

The ledger records, when a shot is sent, the path and SHA-256 of every frame its brief attaches
(``Entry.frames``). ``changed_frames`` re-reads those files: a done shot whose frame has been
redrawn, promoted over or deleted since is stale, like a shot whose brief changed, and
``compose campaign status`` says so without needing the campaign file or the library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from composer.frames import file_sha256


@dataclass(frozen=True)
class FrameVersion:
    """One reference frame as a shot was sent with it: the file and its content's SHA-256."""

    path: str
    sha256: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "sha256": self.sha256}


class Digests:
    """SHA-256 of frame files, each read once (a thousand shots share a handful of frames)."""

    def __init__(self) -> None:
        self._known: dict[str, str | None] = {}

    def __call__(self, path: str) -> str | None:
        """The file's digest now, or None when it is gone or unreadable."""
        if path not in self._known:
            try:
                self._known[path] = file_sha256(Path(path))
            except OSError:
                self._known[path] = None
        return self._known[path]


def changed(frames: Iterable[FrameVersion], digests: Digests) -> list[str]:
    """Of ``frames``, the paths whose file no longer holds the version sent ("PATH (gone)" when deleted)."""
    found = []
    for frame in frames:
        now = digests(frame.path)
        if now != frame.sha256:
            found.append(frame.path if now is not None else f"{frame.path} (gone)")
    return found
