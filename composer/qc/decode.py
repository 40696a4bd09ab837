"""Opening an image for QC: once, safely, and straight to the small size the checks look at.

Everything QC measures is measured on an analysis copy at most ``ANALYSIS_SIDE`` pixels on its
long side (box-filtered, so a small region keeps its colour); boxes are scaled back to the image's
own pixels. JPEGs are decoded at reduced size by the codec itself (``draft``), so a large JPEG never
exists in memory at full size. ``decode`` is the one place QC reads pixels.
"""

from __future__ import annotations

import math
import os
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from composer.errors import ComposerError

ANALYSIS_SIDE = 256
MAX_PIXELS = 64_000_000
"""The largest image (width x height) QC decodes: 8K x 8K; larger is treated as a decompression bomb."""
FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}


class ImageError(ComposerError):
    """An image cannot be checked: missing, not a regular file, not an image, truncated, too large."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Decoded:
    path: Path
    format: str | None
    """``png``, ``jpeg``, ``webp``, or Pillow's own name for another format."""
    width: int
    height: int
    small: Image.Image
    """The RGB analysis copy."""

    @property
    def rgb(self) -> np.ndarray:
        return np.asarray(self.small)

    @property
    def scale(self) -> tuple[float, float]:
        """Image pixels per analysis pixel, across and down."""
        return self.width / self.small.width, self.height / self.small.height


def decode(path: Path) -> Decoded:
    """The image at ``path`` and its analysis copy, or an ``ImageError`` saying why not."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise ImageError(path, exc.strerror or "cannot be read") from None
    if not stat.S_ISREG(mode):
        raise ImageError(path, "not a regular file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ImageError(path, f"{width}x{height} is over the {MAX_PIXELS:,}-pixel limit "
                                           "(a decompression bomb?); not decoded")
                fmt = FORMATS.get(image.format or "", (image.format or "").lower() or None)
                small = _analysis_copy(image)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(path, "too many pixels to decode safely (a decompression bomb?)") from None
    except UnidentifiedImageError:
        raise ImageError(path, "not an image (PNG, JPEG or WebP expected)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(path, f"cannot be decoded ({exc})") from None
    return Decoded(path, fmt, width, height, small)


def _analysis_copy(image: Image.Image) -> Image.Image:
    factor = max(1, math.ceil(max(image.size) / ANALYSIS_SIDE))
    if factor > 1 and image.format == "JPEG":
        image.draft("RGB", (image.width // factor, image.height // factor))
    image.load()
    rgb = image.convert("RGB")
    factor = max(1, math.ceil(max(rgb.size) / ANALYSIS_SIDE))
    return rgb.reduce(factor) if factor > 1 else rgb
