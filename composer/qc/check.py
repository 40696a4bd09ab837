"""QC of one image, and of many (near-duplicates are found across the images of one run)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer.errors import ImageError
from composer.location import Severity
from composer.qc.colour_rules import Frame, check_banned, check_key_colours, check_palette
from composer.qc.context import QcContext
from composer.qc.decode import Decoded, decode
from composer.qc.duplicates import DuplicateIndex, perceptual_hash
from composer.qc.pixels import Pixels
from composer.qc.rules import QcFinding, finding
from composer.qc.settings import DEFAULTS, QcSettings
from composer.qc.technical import check_technical


@dataclass
class ImageReport:
    """Everything QC found in one image: the ``--format json`` entry for it."""

    path: Path
    width: int | None
    height: int | None
    findings: list[QcFinding] = field(default_factory=list)
    phash: int | None = None
    """The perceptual hash (kept so later takes can be compared with this one)."""
    error: str | None = None
    """Why the image could not be read, when it could not."""

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)

    @property
    def has_error(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {s.value: sum(f.severity is s for f in self.findings) for s in Severity}

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "width": self.width, "height": self.height,
                "findings": [f.as_dict() for f in self.findings]}


def inspect(image: Decoded, ctx: QcContext, settings: QcSettings) -> list[QcFinding]:
    """Every rule's findings for a decoded image, worst first."""
    pixels = Pixels.of(image.rgb)
    frame = Frame(pixels, image.width, image.height)
    findings = [
        *check_technical(image, pixels, ctx.expected, settings),
        *check_banned(frame, ctx, settings),
        *check_palette(frame, ctx, settings),
        *check_key_colours(frame, ctx, settings),
    ]
    return sorted(findings, key=lambda f: -f.severity.rank)


VIDEO_SUFFIXES = (".mp4", ".mov", ".webm")
"""Files pixel QC leaves alone: a motion model's clips (QC checks still images)."""


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def check_image(path: Path, ctx: QcContext, settings: QcSettings = DEFAULTS,
                duplicates: DuplicateIndex | None = None) -> ImageReport:
    """QC of one image file. An unreadable file is a report with one ``unreadable`` error, never a raise."""
    try:
        image = decode(path)
    except ImageError as exc:
        return ImageReport(path, None, None, [finding("unreadable", exc.reason)], error=str(exc))
    findings = inspect(image, ctx, settings)
    value = perceptual_hash(image.small)
    if duplicates is not None:
        findings += duplicates.check(str(path), value)
    return ImageReport(path, image.width, image.height, sorted(findings, key=lambda f: -f.severity.rank), value)


def check_images(items: Iterable[tuple[Path, QcContext]],
                 settings: QcSettings = DEFAULTS) -> Iterator[ImageReport]:
    """QC of each image against its own context, one at a time (memory stays flat), comparing every
    image with those before it for near-duplicates."""
    duplicates = DuplicateIndex(settings.duplicate_distance)
    for path, ctx in items:
        yield check_image(path, ctx, settings, duplicates)
