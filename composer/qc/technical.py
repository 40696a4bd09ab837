"""Technical rules: size and aspect ratio as requested, not blank, the file type it claims."""

from __future__ import annotations

from pathlib import Path

from composer.qc.context import Expected
from composer.qc.decode import Decoded
from composer.qc.pixels import Pixels
from composer.qc.rules import QcFinding, finding
from composer.qc.settings import QcSettings

SUFFIX_TYPES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}


def check_technical(image: Decoded, pixels: Pixels, expected: Expected, settings: QcSettings) -> list[QcFinding]:
    return [*_size(image, expected, settings), *_blank(pixels, settings), *_file_type(image, expected)]


def _size(image: Decoded, expected: Expected, settings: QcSettings) -> list[QcFinding]:
    size = f"{image.width}x{image.height}"
    if expected.width and expected.height and (image.width, image.height) != (expected.width, expected.height):
        return [finding("dimensions", f"{size}, requested {expected.width}x{expected.height}")]
    if expected.aspect_ratio:
        w, _, h = expected.aspect_ratio.partition(":")
        try:
            wanted = float(w) / float(h)
        except (ValueError, ZeroDivisionError):
            return []
        actual = image.width / image.height
        if abs(actual - wanted) / wanted > settings.aspect_tolerance:
            return [finding("aspect-ratio", f"{size} is {actual:.3f}:1, requested {expected.aspect_ratio} "
                                            f"({wanted:.3f}:1)")]
    return []


def _blank(pixels: Pixels, settings: QcSettings) -> list[QcFinding]:
    spread = pixels.lab.reshape(-1, 3).std(axis=0)
    if float(spread.max()) < settings.blank_spread:
        L, a, b = (float(v) for v in pixels.lab.reshape(-1, 3).mean(axis=0))
        return [finding("blank", f"the frame is one uniform colour (Lab {L:.0f}, {a:.0f}, {b:.0f}; "
                                 f"spread {float(spread.max()):.2f})", area_fraction=1.0)]
    return []


def _file_type(image: Decoded, expected: Expected) -> list[QcFinding]:
    claimed = SUFFIX_TYPES.get(Path(image.path).suffix.lower())
    findings = []
    if claimed and image.format != claimed:
        findings.append(finding("file-type", f"named .{Path(image.path).suffix.lstrip('.')} but the content is "
                                             f"{image.format or 'unknown'}"))
    if expected.file_type and image.format != expected.file_type:
        findings.append(finding("file-type", f"{image.format or 'unknown'} content, requested {expected.file_type}"))
    return findings
