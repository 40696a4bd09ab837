"""QC findings as JSON-able data, for front ends (the review app): the same objects as
``compose qc --format json``, one per image."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from composer.library import Library
from composer.qc.check import check_images
from composer.qc.context import build_context, context_from_brief
from composer.qc.folders import shot_items


def shot_findings(library: Library, folder: Path, shot_id: str) -> list[dict[str, Any]]:
    """QC of one shot's images (a campaign shot id, or a shot folder's record stem), against its brief.
    Near-duplicates are looked for among the shot's own takes."""
    return [report.as_dict() for report in check_images(shot_items(library, folder, shot_id))]


def image_findings(library: Library, path: Path, *, brief: Path | None = None, brand: str | None = None,
                   characters: list[str] | None = None, products: list[str] | None = None) -> dict[str, Any]:
    """QC of one image against an exported brief, or against a brand and cast by id."""
    ctx = (context_from_brief(library, brief) if brief is not None
           else build_context(library, brand=brand, characters=characters or [], products=products or []))
    [report] = check_images([(path, ctx)])
    return report.as_dict()
