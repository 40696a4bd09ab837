"""Opening an image for QC: once, through ``composer.images``, straight to the small size the checks use.

``composer.images.open_image`` makes the safety checks before any pixel is decoded (a regular file,
PNG/JPEG/WebP only, the pixel cap from the header); the full decode that follows (``load``) is what
finds a truncated or corrupt stream, so QC does not also run ``verify()``, which would decode every
image twice. Everything QC measures is measured on an analysis copy at most ``ANALYSIS_SIDE`` pixels
on its long side, reduced by box filter (so a small region keeps its colour); boxes are scaled back
to the image's own pixels. JPEGs are decoded at reduced size by the codec itself (``draft``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from composer.images import decoding, open_image

ANALYSIS_SIDE = 256


@dataclass(frozen=True)
class Decoded:
    path: Path
    format: str
    """``png``, ``jpeg`` or ``webp``."""
    width: int
    height: int
    small: Image.Image
    """The RGB analysis copy."""

    @property
    def rgb(self) -> np.ndarray:
        return np.asarray(self.small)


def decode(path: Path) -> Decoded:
    """The image at ``path`` and its analysis copy; ``composer.errors.ImageError`` (one line) if it
    cannot be read safely."""
    with open_image(path) as image, decoding(path):
        width, height = image.size
        fmt = (image.format or "").lower()
        factor = max(1, math.ceil(max(width, height) / ANALYSIS_SIDE))
        if factor > 1 and image.format == "JPEG":
            image.draft("RGB", (width // factor, height // factor))
        image.load()
        rgb = image.convert("RGB")
    factor = max(1, math.ceil(max(rgb.size) / ANALYSIS_SIDE))
    return Decoded(path, fmt, width, height, rgb.reduce(factor) if factor > 1 else rgb)
