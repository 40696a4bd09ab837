"""The one safe way composer opens an image: result images, reference frames, thumbnails.

Image files come from libraries and providers, so they are untrusted: a FIFO named as a frame, a
decompression bomb (a small file declaring a huge canvas), a truncated or corrupt stream. Every
image composer decodes goes through this module, which checks in this order, before decoding any
pixel data:

1. a regular file (``composer.paths.open_regular``: never a FIFO or device) of at most
   ``MAX_IMAGE_BYTES``;
2. a PNG, JPEG or WebP (``FORMATS``; Pillow's other decoders, GIF, ICO, ICNS..., are never used);
3. at most ``MAX_SIDE`` pixels a side and ``MAX_PIXELS`` in all, from the header, and at most
   ``MAX_FRAMES`` frames.

API (every failure is an ``ImageError`` naming the file, one line; never a Pillow exception):

``probe(path) -> ImageFacts``
    Steps 1-3 only (reads the header): format, MIME type, width, height, frames, bytes.
``verify(path) -> ImageFacts``
    ``probe``, then Pillow's ``verify()`` (chunk CRCs, structure) and a full decode of every frame.
    Use it before an image is trusted: a reference frame that will be uploaded, a result to QC.
``open_image(path)``
    A context manager yielding the probed ``PIL.Image.Image``, not yet decoded; decode it inside
    the ``with`` and wrap Pillow calls in ``decoding(path)`` so their errors become ``ImageError``.
``thumbnail(path, box) -> PIL.Image.Image``
    An RGB image fitted inside ``box`` (width, height), never enlarged. JPEGs are decoded at a
    reduced scale (``draft``) and large images shrunk with ``reduce`` first, so a thumbnail of a big
    photo costs a fraction of a full decode.

Memory is bounded by the pixel cap: a decode holds at most ``MAX_PIXELS`` x 4 bytes (160 MB).
"""

from __future__ import annotations

import os
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from composer.errors import ImageError
from composer.paths import open_regular

MAX_IMAGE_BYTES = 50 * 1024 * 1024
"""Largest image file read (the image APIs' own upload limit)."""
MAX_SIDE = 16_384
"""Longest side accepted, in pixels."""
MAX_PIXELS = 40_000_000
"""Most pixels accepted (width x height): 40 MP, above any image model's output (4K is 8.3 MP)."""
MAX_FRAMES = 64
"""Most frames in an animated PNG or WebP that ``verify`` decodes."""
FORMATS = ("PNG", "JPEG", "WEBP")
MIME_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}

# What Pillow raises on corrupt input varies by decoder (SyntaxError from verify(), struct.error on
# short chunks, EOFError, IndexError...): all of them mean "broken image data" here.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError, TypeError,
                  ZeroDivisionError, zlib.error)

# Our own pixel cap is below Pillow's bomb threshold, so its warning only fires for images refused
# anyway; as an error it is caught below instead of being printed on stderr.
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


@dataclass(frozen=True)
class ImageFacts:
    """What the header says about an image that passed the checks."""

    path: Path
    format: str
    width: int
    height: int
    frames: int
    bytes: int

    @property
    def mime(self) -> str:
        return MIME_TYPES[self.format]


@contextmanager
def decoding(path: Path) -> Iterator[None]:
    """Turn a Pillow error while reading ``path`` into one ``ImageError``."""
    try:
        yield
    except MemoryError:
        raise ImageError("not enough memory to decode the image", path=path) from None
    except UnidentifiedImageError:
        raise ImageError("not a PNG, JPEG or WebP image", path=path) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # Pillow's own check, at open
        raise ImageError(f"image declares over {MAX_PIXELS // 1_000_000} megapixels (a decompression bomb?); "
                         "refused before decoding", path=path) from None
    except _DECODE_ERRORS as exc:
        raise ImageError(f"broken image data ({_describe(exc)})", path=path) from None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


@contextmanager
def open_image(path: Path) -> Iterator[Image.Image]:
    """The image at ``path`` after the file, format and size checks; not decoded yet."""
    with _opened(path) as (image, _):
        yield image


@contextmanager
def _opened(path: Path) -> Iterator[tuple[Image.Image, int]]:
    with open_regular(path, limit=MAX_IMAGE_BYTES, error=ImageError) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            raise ImageError("empty file (no image data)", path=path)
        with decoding(path):
            image = Image.open(fh, formats=FORMATS)
        with image:
            _check_size(path, image)
            yield image, size


def _check_size(path: Path, image: Image.Image) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageError(f"image has no pixels ({width}x{height})", path=path)
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageError(
            f"image is {width:,}x{height:,} px, over the limit ({MAX_SIDE:,} px a side, "
            f"{MAX_PIXELS // 1_000_000} megapixels)", path=path)
    frames = getattr(image, "n_frames", 1)
    if frames > MAX_FRAMES:
        raise ImageError(f"image has {frames:,} frames, limit {MAX_FRAMES}", path=path)


def _facts(path: Path, image: Image.Image, size: int) -> ImageFacts:
    return ImageFacts(path, image.format or "", image.width, image.height, getattr(image, "n_frames", 1), size)


def probe(path: Path) -> ImageFacts:
    """The image's facts from its header, after the checks; nothing decoded."""
    with _opened(path) as (image, size):
        return _facts(path, image, size)


def verify(path: Path) -> ImageFacts:
    """``probe`` plus Pillow's structural ``verify()`` and a full decode of every frame."""
    with _opened(path) as (image, size), decoding(path):
        facts = _facts(path, image, size)
        image.verify()  # reads every chunk (CRCs); the image cannot be used after it
    with open_image(path) as image, decoding(path):
        for index in range(facts.frames):
            image.seek(index)
            image.load()
    return facts


def thumbnail(path: Path, box: tuple[int, int]) -> Image.Image:
    """An RGB copy of the image's first frame, fitted inside ``box``; never larger than the image."""
    with open_image(path) as image, decoding(path):
        image.draft("RGB", box)  # JPEG: decode at 1/2, 1/4 or 1/8 scale when that is still >= box
        small: Image.Image = image if image.mode in ("RGB", "RGBA", "L") else image.convert("RGBA")
        small.thumbnail(box, reducing_gap=2.0)  # reduce() by an integer factor first, then resample
        return small.convert("RGB")
