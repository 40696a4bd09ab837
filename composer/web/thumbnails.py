"""Grid thumbnails: made once per image (Pillow) and cached in the campaign folder.

A thumbnail lives at ``DIR/.review/thumbs/<key>.jpg``, where the key digests the image's path
inside the folder, its size and its modification time: a regenerated or replaced image gets a new
thumbnail, an unchanged one is never decoded again. The cache is derived data, so a missing or
half-deleted cache folder only costs the time to make the thumbnails again.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from composer import files, images
from composer.errors import ComposerError

CACHE_DIR = Path(".review") / "thumbs"
BOX = 320
"""The longest side of a grid thumbnail, in pixels (tiles show at half that on a 2x screen)."""
QUALITY = 82


class ThumbnailError(ComposerError):
    """An image that cannot be made into a thumbnail (not an image, too large, unreadable)."""


def cached_thumbnail(folder: Path, image: Path, box: int = BOX) -> Path:
    """The thumbnail of ``image`` (a resolved file inside ``folder``), made now if it is not cached."""
    stat = image.stat()
    relative = image.relative_to(folder.resolve())
    key = hashlib.sha256(f"{relative}\x00{stat.st_size}\x00{stat.st_mtime_ns}\x00{box}".encode()).hexdigest()[:24]
    target = folder / CACHE_DIR / f"{key}.jpg"
    if target.is_file():
        return target
    data = make_thumbnail(image, box)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        files.write_bytes(target, data, durable=False)
    except OSError as exc:
        raise ThumbnailError(files.cannot_write(target, exc)) from None
    return target


def make_thumbnail(image: Path, box: int = BOX) -> bytes:
    """``image`` fitted inside ``box`` x ``box``, as JPEG bytes."""
    try:
        thumb = images.thumbnail(image, (box, box))
    except ComposerError as exc:
        raise ThumbnailError(str(exc)) from None
    out = io.BytesIO()
    thumb.convert("RGB").save(out, format="JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()
