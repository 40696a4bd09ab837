"""QC after every download: the inspectors ``compose shot --generate``, ``compose generate`` and
``compose campaign run`` hand to the job lifecycle (``composer.generate.inspection.Inspector``).

Each returns an ``Inspection``: the report (stored as ``qc`` in the generation record or the ledger
row) and ``needs_review``, true when any finding is an error. Nothing here deletes or moves a file.
Stored reports keep each image's perceptual hash, so a later run's takes are compared with earlier
ones for near-duplicates.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from composer.backends import GenerationResult
from composer.errors import ComposerError
from composer.generate import Inspection
from composer.library import Library
from composer.qc.check import ImageReport, check_image, is_video
from composer.qc.context import Expected, QcContext, context_from_brief, with_negatives
from composer.qc.duplicates import DuplicateIndex
from composer.qc.settings import DEFAULTS, QcSettings

if TYPE_CHECKING:
    from composer.compose import Brief

REPORT_VERSION = 1


def stored_report(reports: Iterable[ImageReport]) -> dict[str, Any]:
    """The JSON-able report kept in the record or ledger: per image the ``--format json`` object plus
    its perceptual hash; and the counts of each severity."""
    images = [{**r.as_dict(), "phash": None if r.phash is None else f"{r.phash:016x}"} for r in reports]
    counts = {s: sum(f["severity"] == s for i in images for f in i["findings"]) for s in ("error", "warning", "notice")}
    return {"version": REPORT_VERSION, "images": images, "counts": counts}


def inspection(reports: list[ImageReport]) -> Inspection:
    return Inspection(stored_report(reports), needs_review=any(r.has_error for r in reports))


class Inspector:
    """Checks each result's files against one context (or a context per shot), remembering every hash
    it has seen for near-duplicates. Thread-safe: the lifecycle runs inspections on worker threads."""

    def __init__(self, settings: QcSettings = DEFAULTS, seen: Iterable[tuple[str, int]] = ()) -> None:
        self.settings = settings
        self.duplicates = DuplicateIndex(settings.duplicate_distance)
        for name, value in seen:
            self.duplicates.check(name, value)
        self.lock = threading.Lock()

    def context(self, result: GenerationResult) -> QcContext:
        raise NotImplementedError

    def __call__(self, result: GenerationResult) -> Inspection | None:
        stills = [path for path in result.files if not is_video(path)]
        if not stills:  # a motion clip: pixel QC checks still images, and says nothing rather than "unreadable"
            return None
        ctx = self.context(result)
        reports = []
        for path in stills:
            report = check_image(path, ctx, self.settings)  # decoding and measuring: outside the lock
            if report.phash is not None:
                with self.lock:
                    report.findings.extend(self.duplicates.check(str(path), report.phash))
            reports.append(report)
        return inspection(reports)


class ShotInspector(Inspector):
    """One shot (``compose shot --generate`` or ``compose generate``): one context for its results."""

    def __init__(self, ctx: QcContext, settings: QcSettings = DEFAULTS) -> None:
        super().__init__(settings)
        self.ctx = ctx

    def context(self, result: GenerationResult) -> QcContext:
        return self.ctx


def brief_inspector(library: Library, brief: Brief, options: dict[str, Any]) -> ShotInspector:
    """For a composed brief: its brand, cast, negatives and named exceptions (the shot's too)."""
    from composer.qc.context import build_context

    assets = brief.assets
    deltas = brief.spec.deltas
    ctx = build_context(library, brand=assets.brand.id if assets.brand else None,
                        characters=[c.id for c in assets.characters], products=[p.id for p in assets.products],
                        expected=Expected.from_options(options), exceptions=tuple(deltas.lint_exceptions))
    scene_style = [(text, f"{a.id} do_not") for a in (assets.scene, assets.style) if a for text in a.model.do_not]
    return ShotInspector(with_negatives(ctx, [*scene_style, *((t, "shot negative") for t in deltas.negative)]))


def brief_file_inspector(library: Library, brief_file: Path, options: dict[str, Any]) -> ShotInspector:
    """For an exported brief sent as it is, or a generation record resumed (``compose generate FILE``).
    A brief that names no brand or cast (hand-made: only its prompt is required) gets the technical
    checks and the dominant colours."""
    from composer.generate import RECORD_SUFFIX, load_record

    expected = Expected.from_options(options)
    try:
        if brief_file.name.endswith(RECORD_SUFFIX):
            record = load_record(brief_file)
            brief_file = Path(record.brief) if record.brief else brief_file
            expected = Expected.from_options(record.job.get("options") or {})
        return ShotInspector(context_from_brief(library, brief_file, expected))
    except ComposerError:
        return ShotInspector(QcContext(expected=expected))


class CampaignInspector(Inspector):
    """A campaign run: each result is checked against its shot's exported brief (``briefs/<id>.json``)
    and requested options, and compared with every take already in the folder."""

    def __init__(self, library: Library, folder: Path, settings: QcSettings = DEFAULTS) -> None:
        from composer.campaign.ledger import LEDGER_FILE, Ledger

        seen: list[tuple[str, int]] = []
        if (folder / LEDGER_FILE).is_file():
            with Ledger(folder, create=False) as ledger:
                seen = [pair for entry in ledger.entries().values() for pair in stored_hashes(entry.qc)]
        super().__init__(settings, seen)
        self.library = library
        self.folder = folder

    def context(self, result: GenerationResult) -> QcContext:
        from composer.qc.folders import shot_context

        return shot_context(self.library, self.folder, shot_id_of(self.folder, result.files[0]))


def shot_id_of(folder: Path, image: Path) -> str:
    """``images/<id>.png`` -> ``<id>``; ``images/<id>-2.png`` (one of several results) -> ``<id>``."""
    stem = image.stem
    if not (folder / "briefs" / f"{stem}.json").is_file():
        head, _, index = stem.rpartition("-")
        if head and index.isdigit():
            return head
    return stem


def stored_hashes(report: dict[str, Any] | None) -> list[tuple[str, int]]:
    """The (path, perceptual hash) pairs a stored report kept."""
    images = report.get("images") if isinstance(report, dict) else None
    pairs = []
    for image in images if isinstance(images, list) else []:
        value = image.get("phash") if isinstance(image, dict) else None
        if isinstance(value, str):
            try:
                pairs.append((str(image.get("path")), int(value, 16)))
            except ValueError:
                continue
    return pairs
