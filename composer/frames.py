"""Reference frames: the images that keep a character's face or a product's shape across shots.

A frame named by a library asset must resolve (symlinks followed) inside the library root, so a
shared library can never make the tool read, or upload, a file elsewhere on the machine. A frame
given explicitly on the command line may be anywhere.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from composer.errors import ImageError, ReferenceFrameError
from composer.paths import inside, open_regular, os_reason

MAX_FRAME_BYTES = 50 * 1024 * 1024
"""Largest reference frame accepted (the image APIs' own upload limit; ``composer.images`` agrees)."""

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
    explicitly. ``source``, ``line`` and ``field`` say where the frame was named. This is the cheap
    check (path, regular file, size, signature; no Pillow) that composing a brief runs;
    ``verify_frame`` decodes the frame fully before it is uploaded.
    """
    try:
        resolved = inside(path, root, error=ReferenceFrameError)
        with open_regular(resolved, limit=MAX_FRAME_BYTES, error=ReferenceFrameError) as fh:
            head = fh.read(16)
    except ReferenceFrameError as err:
        raise _frame_error(path, err.reason, source, line, field) from None
    except OSError as exc:
        raise _frame_error(path, os_reason(exc), source, line, field) from None
    if sniff_image_type(head) is None:
        raise _frame_error(path, "not a PNG, JPEG or WebP image", source, line, field)
    return resolved


def verify_frame(
    path: Path,
    *,
    source: Path | str | None = None,
    line: int | None = None,
    field: str | None = None,
) -> None:
    """Decode the (already checked) frame fully: a frame that would be uploaded must be a real image."""
    from composer.images import verify  # Pillow only where frames are decoded, not on `compose shot`

    try:
        verify(path)
    except ImageError as err:
        raise _frame_error(path, err.reason, source, line, field) from None


def _frame_error(
    path: Path, reason: str, source: Path | str | None, line: int | None, field: str | None
) -> ReferenceFrameError:
    return ReferenceFrameError(f"reference frame {path}: {reason}", path=source, line=line, field=field)
