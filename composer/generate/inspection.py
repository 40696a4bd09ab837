"""What inspecting a download produces, and that stored report read back in a few words.

The lifecycle runs an ``Inspector`` (pixel QC: ``composer.qc.hook``) on every download; the store
keeps its ``Inspection.report`` as ``qc`` in the generation record or the campaign ledger row::

    {"version": 1, "counts": {"error": 1, "warning": 0, "notice": 2},
     "images": [{"path": ..., "phash": ..., "findings": [{"rule": ..., "severity": ..., "message": ...}]}]}

or ``{"error": why}`` when the inspector itself failed. Reading that report back lives here, with
the lifecycle, below both campaigns and QC: ``campaign status``, the contact sheet and the CLI read
a stored report without importing the pixel checks (QC sits above campaigns: it reads ledgers).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from composer.backends.types import GenerationResult


class Inspection(NamedTuple):
    """What an inspector found in a job's downloaded files."""

    report: dict[str, Any]
    """JSON-able findings; the store keeps them as ``qc``."""
    needs_review: bool
    """True when a person should look at the result before it is used."""


Inspector = Callable[[GenerationResult], Inspection | None]
"""Run on every successful download, off the event loop, before the job is recorded as done; None
when it has nothing to check (pixel QC and a video). An inspector that raises is reported as
``{"error": ...}`` with ``needs_review``: the files are kept."""


async def inspect(inspector: Inspector | None, result: GenerationResult) -> Inspection | None:
    if inspector is None:
        return None
    try:
        return await asyncio.to_thread(inspector, result)
    except Exception as exc:  # an inspector is another team's code: its failure must not lose a paid result
        return Inspection({"error": f"{type(exc).__name__}: {exc}"}, needs_review=True)


@dataclass(frozen=True)
class QcSummary:
    errors: int
    warnings: int
    notices: int
    needs_review: bool
    failed: str | None = None
    """Why QC itself could not run, when it could not (the shot is marked for review)."""

    @property
    def badge(self) -> str:
        """``QC 2 errors``, ``QC 1 warning``, ``QC ok`` or ``QC failed``: the contact sheet's label."""
        if self.failed:
            return "QC failed"
        if self.errors:
            return f"QC {self.errors} error{'s' if self.errors > 1 else ''}"
        if self.warnings:
            return f"QC {self.warnings} warning{'s' if self.warnings > 1 else ''}"
        return "QC ok"

    @property
    def level(self) -> str:
        """``error`` (needs review), ``warning`` or ``ok``."""
        return "error" if self.needs_review else "warning" if self.warnings else "ok"


def summarise(report: dict[str, Any] | None, needs_review: bool) -> QcSummary | None:
    """The summary of a stored report; None when QC never ran on the shot."""
    if not isinstance(report, dict):
        return None
    if "error" in report:
        return QcSummary(0, 0, 0, True, failed=str(report["error"]))
    counts = report.get("counts")
    number = {k: v for k, v in counts.items() if isinstance(v, int)} if isinstance(counts, dict) else {}
    return QcSummary(number.get("error", 0), number.get("warning", 0), number.get("notice", 0), needs_review)


def error_findings(report: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """(image path, rule, message) of every error finding a stored report holds, in order."""
    images = report.get("images") if isinstance(report, dict) else None
    images = [image for image in images if isinstance(image, dict)] if isinstance(images, list) else []
    return [(str(image.get("path")), str(f.get("rule")), str(f.get("message")))
            for image in images for f in image.get("findings", [])
            if isinstance(f, dict) and f.get("severity") == "error"]


def report_lines(report: dict[str, Any], *, needs_review: bool) -> list[str]:
    """What the CLI says after a download: a line of counts, then each error finding."""
    summary = summarise(report, needs_review)
    if summary is None or summary.failed:
        return [f"qc: could not run ({summary.failed if summary else report!r}); marked for review"]
    head = (f"qc: {summary.errors} error(s), {summary.warnings} warning(s), {summary.notices} notice(s)"
            + ("; needs review (the files are kept)" if needs_review else ""))
    return [head, *(f"qc error: {path}: {rule}: {message}" for path, rule, message in error_findings(report))]
