"""``--overlay DIR``: a PNG per image, the offending regions outlined and the palette beside it."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from composer.errors import ComposerError
from composer.files import cannot_write, write_bytes
from composer.images import thumbnail
from composer.location import Severity
from composer.qc.check import ImageReport

SIDE = 1024
"""The overlay's image is at most this many pixels on its long side."""
STRIP = 260
"""Width of the swatch strip on the right."""
OUTLINE = {Severity.ERROR: (255, 0, 255), Severity.WARNING: (255, 200, 0), Severity.NOTICE: (0, 200, 255)}
"""Outline colours by severity: magenta, amber, cyan (colours no brand palette here uses for its rules)."""


def overlay_path(out_dir: Path, report: ImageReport) -> Path:
    return out_dir / f"{report.path.stem}.qc.png"


def write_overlay(report: ImageReport, out_dir: Path) -> Path:
    """Write the overlay for a report whose image could be read (QC decoded it safely); returns its path."""
    picture = thumbnail(report.path, (SIDE, SIDE))
    scale = picture.width / (report.width or picture.width)
    canvas = Image.new("RGB", (picture.width + STRIP, max(picture.height, 40 + 34 * 8)), (250, 250, 250))
    canvas.paste(picture, (0, 0))
    pen = ImageDraw.Draw(canvas)
    for found in report.findings:
        for x0, y0, x1, y1 in found.boxes:
            box = (x0 * scale - 3, y0 * scale - 3, x1 * scale + 2, y1 * scale + 2)
            pen.rectangle(box, outline=OUTLINE[found.severity], width=3)
    _swatches(pen, report, picture.width + 12)
    path = overlay_path(out_dir, report)
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_bytes(path, buffer.getvalue(), durable=False)  # made again by running QC again
    except OSError as exc:
        raise ComposerError(cannot_write(path, exc)) from None
    return path


def _swatches(pen: ImageDraw.ImageDraw, report: ImageReport, x: int) -> None:
    palette = next((f.palette for f in report.findings if f.palette), ())
    counts = report.counts()
    pen.text((x, 10), f"{counts['error']} errors, {counts['warning']} warnings", fill=(20, 20, 20))
    for row, swatch in enumerate(palette):
        y = 40 + row * 34
        pen.rectangle((x, y, x + 28, y + 28), fill=swatch.hex, outline=(60, 60, 60))
        near = f"{swatch.nearest} dE00 {swatch.delta_e:.1f}" if swatch.nearest and swatch.delta_e is not None else ""
        pen.text((x + 36, y + 2), f"{swatch.hex} {swatch.share:.0%}", fill=(20, 20, 20))
        pen.text((x + 36, y + 15), near, fill=(90, 90, 90))
