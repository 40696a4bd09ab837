"""What the machines already said about a take, for the reviewer: pixel QC and the brief's lint.

Both are read, never recomputed: QC from the report the post-download inspector stored (the
campaign ledger's row, or a ``compose shot --generate`` record), lint from the findings the
campaign plan kept in the ledger. A take made before a later regeneration of the same shot has no
QC of its own any more (the ledger keeps the latest attempt's report): it says so instead of
showing the newer take's findings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from composer.campaign.expand import CONTENDER_SEPARATOR
from composer.campaign.ledger import Ledger
from composer.errors import ComposerError
from composer.generate.inspection import QcSummary, summarise
from composer.review.records import ShotCard, Take
from composer.review.takes import RECORD_SUFFIX, folder_kind


@dataclass(frozen=True)
class Line:
    """One finding as a reviewer reads it."""

    severity: str
    """``error``, ``warning`` or ``notice``."""
    rule: str
    message: str


@dataclass(frozen=True)
class TakeFindings:
    qc: QcSummary | None
    """None when QC never ran on this take (or its report is not kept)."""
    qc_lines: tuple[Line, ...] = ()
    lint: tuple[Line, ...] = ()
    """The shot's brief, as the campaign last planned it."""
    note: str = ""
    """Why there is no QC to show, when there is none."""

    def blinded(self, hidden: Iterable[str]) -> TakeFindings:
        """These findings with every ``hidden`` name (a model, target or backend) masked, and every
        ``<shot>@<contender>`` file name's contender too: a near-duplicate finding names the other
        image's file, and a bake-off's file names say which model made it."""
        names = sorted({name for name in hidden if name}, key=len, reverse=True)
        pattern = re.compile("|".join([CONTENDER_IN_NAME, *map(re.escape, names)]))

        def mask(line: Line) -> Line:
            return replace(line, message=pattern.sub(_masked, line.message))

        return replace(self, qc_lines=tuple(map(mask, self.qc_lines)), lint=tuple(map(mask, self.lint)))

    @property
    def lint_errors(self) -> int:
        return sum(line.severity == "error" for line in self.lint)

    @property
    def lint_warnings(self) -> int:
        return sum(line.severity == "warning" for line in self.lint)


NOTHING = TakeFindings(None, note="pixel QC did not run on this take")

CONTENDER_IN_NAME = rf"{CONTENDER_SEPARATOR}[A-Za-z0-9._-]+?(?=\.[A-Za-z0-9]+\b)"
"""The ``@<contender>`` of a campaign file name such as ``images/<shot>@openai-gpt-image-2.png``."""


def _masked(found: re.Match[str]) -> str:
    return f"{CONTENDER_SEPARATOR}(hidden)" if found.group().startswith(CONTENDER_SEPARATOR) else "(hidden)"


def _qc_lines(report: dict[str, Any] | None) -> tuple[Line, ...]:
    images = report.get("images", []) if isinstance(report, dict) else []
    found = [f for image in images if isinstance(image, dict) for f in image.get("findings", [])]
    return tuple(Line(str(f.get("severity", "")), str(f.get("rule", "")), str(f.get("message", "")))
                 for f in found if isinstance(f, dict))


def _lint_lines(stored: tuple[dict[str, str], ...]) -> tuple[Line, ...]:
    return tuple(Line(f.get("severity", ""), f.get("rule", ""), f.get("message", "")) for f in stored)


class FindingsSource:
    """The findings of each take of one review folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.kind = folder_kind(folder)

    def of_shot(self, card: ShotCard) -> dict[int, TakeFindings]:
        """Each take's findings by take number, as the shot page shows them: with every model,
        target and backend name masked when the shot is reviewed blind."""
        found = {take.take: self.of(take) for take in card.takes}
        if not card.blind:
            return found
        hidden = [name for t in card.takes for name in (t.contender, t.target, t.backend, t.model) if name]
        return {number: findings.blinded(hidden) for number, findings in found.items()}

    def of(self, take: Take) -> TakeFindings:
        try:
            if self.kind == "campaign":
                return self._from_ledger(take)
            if self.kind == "shots":
                return self._from_record(take)
        except (ComposerError, OSError, ValueError):
            return TakeFindings(None, note="the stored QC report could not be read")
        return NOTHING

    def _from_ledger(self, take: Take) -> TakeFindings:
        with Ledger(self.folder, create=False) as ledger:
            entry = ledger.get(take.source)
        if entry is None:
            return NOTHING
        lint = _lint_lines(entry.lint)
        if [f["path"] for f in entry.files] != list(take.files) or entry.state != "done":
            return TakeFindings(None, lint=lint, note="pixel QC of an earlier take is not kept")
        summary = summarise(entry.qc, entry.needs_review)
        return TakeFindings(summary, _qc_lines(entry.qc), lint, "" if summary else NOTHING.note)

    def _from_record(self, take: Take) -> TakeFindings:
        path = self.folder / take.source
        if not take.source.endswith(RECORD_SUFFIX) or not path.is_file():
            return NOTHING
        data = json.loads(path.read_text(encoding="utf-8"))
        report = data.get("qc") if isinstance(data, dict) else None
        summary = summarise(report, bool(data.get("needs_review")))
        return TakeFindings(summary, _qc_lines(report), note="" if summary else NOTHING.note)
