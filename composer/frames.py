"""Reference frames: the images that keep a character's face or a product's shape across shots.

A frame named by a library asset must resolve (symlinks followed) inside the library root, so a
shared library can never make the tool read, or upload, a file elsewhere on the machine. A frame
given explicitly on the command line may be anywhere.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from composer.errors import ReferenceFrameError

MAX_FRAME_BYTES = 50 * 1024 * 1024
"""Largest reference frame accepted (the image APIs' own upload limit)."""

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"WEBP", 8, "image/webp"),
)


def file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def sniff_image_type(head: bytes) -> str | None:
    """The MIME type of a PNG, JPEG or WebP file from its first bytes, else None."""
    for magic, offset, mime in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic and (mime != "image/webp" or head[:4] == b"RIFF"):
            return mime
    return None


def check_frame(
    path: Path,
    *,
    root: Path | None,
    source: Path | str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> Path:
    """Return the frame's resolved path, or raise a located ``ReferenceFrameError``.

    ``root`` is the library root the frame must stay inside; None for a frame the user named
    explicitly. ``source``, ``line`` and ``field`` say where the frame was named.
    """

    def fail(reason: str) -> ReferenceFrameError:
        return ReferenceFrameError(f"reference frame {path}: {reason}", path=source, line=line, field=field)

    resolved = path.resolve()
    if root is not None and not resolved.is_relative_to(root.resolve()):
        raise fail(f"resolves outside the library root ({resolved}); keep frames inside {root}")
    if not resolved.is_file():
        raise fail("file not found")
    size = resolved.stat().st_size
    if size > MAX_FRAME_BYTES:
        raise fail(f"too large ({size / 1_048_576:.1f} MB, limit {MAX_FRAME_BYTES // 1_048_576} MB)")
    with resolved.open("rb") as fh:
        head = fh.read(16)
    if sniff_image_type(head) is None:
        raise fail("not a PNG, JPEG or WebP image")
    return resolved
