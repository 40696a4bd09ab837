"""A stored QC report in a few words: for ``campaign status``, the contact sheet's badges and the CLI.

Reads the report the inspectors store (``composer.qc.hook.stored_report``) and nothing else, so it
imports nothing heavy: ``status`` stays a ledger read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
