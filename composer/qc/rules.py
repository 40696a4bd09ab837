"""The QC rules: each an id, a default severity and a fix hint, like lint's; and the finding they make.

A finding is data, never an exception: an image can have many, and the caller decides what blocks
(``compose qc`` exits 1 on any error; after a download an error marks the shot "needs review").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from composer.location import Severity

Box = tuple[int, int, int, int]
"""``(x0, y0, x1, y1)`` in the image's own pixels, x1 and y1 exclusive."""


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    """The severity a finding of this rule has unless a named exception lowers it."""
    checks: str
    fix: str


RULES: dict[str, Rule] = {rule.id: rule for rule in (
    Rule("banned-colour", Severity.ERROR,
         "a colour family a do-not-include item bans covers a region of the frame",
         "regenerate (say where the colour must not appear), or record a named exception "
         "(lint_exceptions: [{rule: conflict, term: <family>, asset: <id>, reason: ...}])"),
    Rule("palette", Severity.WARNING,
         "too little of the frame is within tolerance of the brand palette (the dominant colours are listed)",
         "check the colour grade against the palette; state the palette colours in the brief"),
    Rule("palette-missing", Severity.WARNING,
         "a required palette colour is nowhere in the frame",
         "regenerate with the colour named where it should appear, or set `required: false` on it"),
    Rule("key-colour", Severity.WARNING,
         "a key colour of a character or product in the shot is nowhere in the frame",
         "check the subject is in frame and unchanged (hair, jacket...); regenerate with its reference frames"),
    Rule("dimensions", Severity.ERROR,
         "the image is not the size that was requested",
         "regenerate with the requested size, or correct the size in the shot's options"),
    Rule("aspect-ratio", Severity.ERROR,
         "the image's aspect ratio is not the one requested",
         "regenerate with the requested aspect ratio, or correct it in the shot's options"),
    Rule("blank", Severity.ERROR,
         "the image is blank or one uniform colour",
         "regenerate: the provider returned an empty or failed render"),
    Rule("file-type", Severity.ERROR,
         "the file's content is not the type its name or the request claims",
         "rename the file to its real type, or regenerate with the requested output format"),
    Rule("near-duplicate", Severity.WARNING,
         "the image is a near-duplicate (perceptual hash) of another take",
         "regenerate one of the takes with a varied brief, or drop it"),
    Rule("unreadable", Severity.ERROR,
         "the file cannot be read as an image (truncated, not an image, too large to decode safely)",
         "download it again or regenerate it; nothing else was checked"),
)}


@dataclass(frozen=True)
class Swatch:
    """One dominant colour of an image."""

    hex: str
    share: float
    """Fraction of the frame, 0-1."""
    nearest: str | None
    """The nearest palette colour's name (None without a palette)."""
    delta_e: float | None
    """CIEDE2000 distance to it."""

    def as_dict(self) -> dict[str, Any]:
        return {"hex": self.hex, "share": round(self.share, 4), "nearest": self.nearest,
                "delta_e": None if self.delta_e is None else round(self.delta_e, 2)}


@dataclass(frozen=True)
class QcFinding:
    rule: str
    severity: Severity
    message: str
    fix: str
    area_fraction: float | None = None
    """Fraction of the frame the finding covers, 0-1, where it applies."""
    boxes: tuple[Box, ...] = ()
    palette: tuple[Swatch, ...] = ()

    def __str__(self) -> str:
        return f"{self.severity}: {self.rule}: {self.message} (fix: {self.fix})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "severity": self.severity.value, "message": self.message, "fix": self.fix,
            "area_fraction": None if self.area_fraction is None else round(self.area_fraction, 6),
            "boxes": [list(box) for box in self.boxes], "palette": [s.as_dict() for s in self.palette],
        }


def finding(rule: str, message: str, *, severity: Severity | None = None, fix: str | None = None,
            area_fraction: float | None = None, boxes: tuple[Box, ...] = (),
            palette: tuple[Swatch, ...] = ()) -> QcFinding:
    """A finding of a registered rule, with the rule's severity and fix unless given."""
    spec = RULES[rule]
    return QcFinding(rule, severity or spec.severity, message, fix or spec.fix, area_fraction, boxes, palette)
