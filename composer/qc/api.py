"""QC findings as JSON-able data, for front ends (the review app): the same objects as
``compose qc --format json``, one per image."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from composer.campaign.ledger import LEDGER_FILE, Ledger
from composer.generate import RECORD_SUFFIX, load_record
from composer.library import Library
from composer.qc.check import check_images
from composer.qc.context import build_context, context_from_brief
from composer.qc.folders import shot_items


def shot_findings(library: Library, folder: Path, shot_id: str) -> list[dict[str, Any]]:
    """QC of one shot's images (a campaign shot id, or a shot folder's record stem): the report stored
    when its images were downloaded, else checked now against its brief (near-duplicates then only
    among the shot's own takes)."""
    stored = stored_findings(folder, shot_id)
    if stored is not None:
        return stored
    return [report.as_dict() for report in check_images(shot_items(library, folder, shot_id))]


def stored_findings(folder: Path, shot_id: str) -> list[dict[str, Any]] | None:
    """The images of the report stored for a shot, without their hashes; None when none is stored."""
    if (folder / LEDGER_FILE).is_file():
        with Ledger(folder, create=False) as ledger:
            entry = ledger.get(shot_id)
        report = entry.qc if entry is not None and entry.state == "done" else None
    else:
        record = folder / f"{shot_id}{RECORD_SUFFIX}"
        report = load_record(record).qc if record.is_file() else None
    images = report.get("images") if isinstance(report, dict) else None
    if not isinstance(images, list):
        return None
    return [{k: v for k, v in image.items() if k != "phash"} for image in images if isinstance(image, dict)]


def image_findings(library: Library, path: Path, *, brief: Path | None = None, brand: str | None = None,
                   characters: list[str] | None = None, products: list[str] | None = None) -> dict[str, Any]:
    """QC of one image against an exported brief, or against a brand and cast by id."""
    ctx = (context_from_brief(library, brief) if brief is not None
           else build_context(library, brand=brand, characters=characters or [], products=products or []))
    [report] = check_images([(path, ctx)])
    return report.as_dict()
