"""Grid thumbnails: made once per image (Pillow) and cached in the campaign folder.

A thumbnail lives at ``DIR/.review/thumbs/<key>.jpg``, where the key digests the image's path
inside the folder, its size and its modification time: a regenerated or replaced image gets a new
thumbnail, an unchanged one is never decoded again. The cache is derived data, so a missing or
half-deleted cache folder only costs the time to make the thumbnails again.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from pathlib import Path

from composer import files, images
from composer.errors import ComposerError

CACHE_DIR = Path(".review") / "thumbs"
BOX = 320
"""The longest side of a grid thumbnail, in pixels (tiles show at half that on a 2x screen)."""
QUALITY = 82


class ThumbnailError(ComposerError):
    """An image that cannot be made into a thumbnail (not an image, too large, unreadable)."""


def thumbnail_path(folder: Path, image: Path, box: int = BOX) -> Path:
    """Where the thumbnail of ``image`` (a resolved file inside ``folder``) is cached, made or not."""
    stat = image.stat()
    relative = image.relative_to(folder.resolve())
    key = hashlib.sha256(f"{relative}\x00{stat.st_size}\x00{stat.st_mtime_ns}\x00{box}".encode()).hexdigest()[:24]
    return folder / CACHE_DIR / f"{key}.jpg"


def cached_thumbnail(folder: Path, image: Path, box: int = BOX) -> Path:
    """The thumbnail of ``image`` (a resolved file inside ``folder``), made now if it is not cached.

    A request and the warming thread (``warm``) may both make the same one at the same moment: each
    writes the whole file under its own temporary name and renames it into place, so the worst case
    is one image decoded twice, never a torn thumbnail."""
    target = thumbnail_path(folder, image, box)
    if not target.is_file():
        _write(target, make_thumbnail(image, box))
    return target


def _write(target: Path, data: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        files.write_bytes(target, data, durable=False)
    except OSError as exc:
        raise ThumbnailError(files.cannot_write(target, exc)) from None


def warm(folder: Path, images: Iterable[Path], box: int = BOX) -> int:
    """Make the missing thumbnails of ``images`` (resolved files inside ``folder``), in order; returns
    how many it made. ``compose review`` runs this on a background thread as it starts, over every
    take in grid order: decoding a generated PNG is most of a thumbnail's cost, so a first page
    made on demand waits for a page of decodes (bench/review_grid.py). An image that fails is
    skipped here: the grid's own request for it says why."""
    made = 0
    for image in images:
        try:
            if thumbnail_path(folder, image, box).is_file():
                continue
            cached_thumbnail(folder, image, box)
        except (ThumbnailError, OSError, ValueError):
            continue
        made += 1
    return made


def make_thumbnail(image: Path, box: int = BOX) -> bytes:
    """``image`` fitted inside ``box`` x ``box``, as JPEG bytes."""
    try:
        thumb = images.thumbnail(image, (box, box))
    except ComposerError as exc:
        raise ThumbnailError(str(exc)) from None
    out = io.BytesIO()
    thumb.convert("RGB").save(out, format="JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()
