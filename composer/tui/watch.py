"""Noticing library edits by polling file stamps (no watcher dependency, works on every OS).

Only the files a library is made of are stamped: ``composer.yaml``, the asset folders' YAML files,
the template folders and the current cast's reference frames. A library may be a whole repository
(the bundled one is), so nothing is walked recursively except the template folders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from composer.library import ASSET_KINDS, CONFIG_FILE, Library

Stamp = tuple[int, int]
"""(mtime in ns, size): a file whose stamp changes has been edited."""


def library_files(library: Library, extra: Iterable[Path] = ()) -> list[Path]:
    """Every file whose edit should recompose the brief."""
    files = [library.root / CONFIG_FILE]
    for folder, _model in ASSET_KINDS.values():
        files.extend(sorted((library.root / folder).glob("*.yaml")))
    for templates in library.template_dirs():
        files.extend(sorted(templates.rglob("*.j2")))
    files.extend(extra)
    return files


def stamp_files(paths: Iterable[Path]) -> dict[Path, Stamp]:
    stamps: dict[Path, Stamp] = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue  # a missing file simply has no stamp; its disappearance is a change
        stamps[path] = (stat.st_mtime_ns, stat.st_size)
    return stamps


@dataclass(frozen=True)
class Changes:
    """What differs between two stamp sets."""

    changed: frozenset[Path]
    """Files edited, created or deleted."""
    listing: bool
    """Whether asset files appeared or vanished, so the picker's id lists must be rebuilt."""

    @property
    def any(self) -> bool:
        return bool(self.changed)

    def touches(self, path: Path) -> bool:
        return path in self.changed


class LibraryWatcher:
    """Remembers the last stamps and reports which files changed since."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._stamps: dict[Path, Stamp] = {}
        self._extra: tuple[Path, ...] = ()

    def watch_extra(self, paths: Iterable[Path]) -> None:
        """Also watch these files (the cast's reference frames), from their current state."""
        self._extra = tuple(paths)
        self._stamps.update(stamp_files(self._extra))

    def prime(self) -> None:
        self._stamps = stamp_files(library_files(self.library, self._extra))

    def poll(self) -> Changes:
        now = stamp_files(library_files(self.library, self._extra))
        before = self._stamps
        changed = {p for p in now.keys() | before.keys() if now.get(p) != before.get(p)}
        self._stamps = now
        listing = any(p.suffix == ".yaml" and (p in now) != (p in before) for p in changed)
        return Changes(frozenset(changed), listing)
