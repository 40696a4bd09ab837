"""A reference frame whose role the brief contradicts (rule ``frames``).

Each attached image is labelled with its role ("Image 2: Isla, wardrobe reference: match the
clothes..."), so a brief that asks for something else sends the model two instructions at once:

- a **wardrobe** frame while the shot dresses the character otherwise ("wearing a red raincoat");
- a **logo** frame while the shot places no logo (``deltas.logo``), and the brief forbids any other;
- a **video** brief whose first frame is a reference sheet (identity, wardrobe or product): the
  motion prompt says to animate that frame, so the clip opens on the sheet (a notice: pass a still
  of the shot with ``--frame``).
"""

from __future__ import annotations

import re

from composer.attachments import Frame
from composer.lint.context import LintContext
from composer.lint.findings import Finding
from composer.location import Location, Severity

RULE = "frames"
DRESSING = re.compile(r"\b(?:wears?|wearing|dressed|outfit|costume|(?:changes?|changed) into)\b", re.IGNORECASE)
"""Words that say what someone wears: the shot then dresses the cast itself."""
SHEET_ROLES = ("identity", "wardrobe", "product")


def check_roles(ctx: LintContext) -> list[Finding]:
    brief = ctx.brief
    attached = brief.assets.attachments.frames
    findings = [*_dressed_otherwise(ctx, attached)]
    if not brief.spec.deltas.logo:
        findings += [_finding(Severity.WARNING, frame, index,
                              "is a logo reference, but the shot places no logo (deltas.logo) and the brief "
                              "allows no other logo or text",
                              "set deltas.logo to say where the logo goes, or leave the logo frame out", "logo")
                     for index, frame in enumerate(attached, 1) if frame.role == "logo"]
    if brief.target.kind == "video" and attached and attached[0].role in SHEET_ROLES \
            and attached[0].owner_kind != "still":
        findings.append(_finding(
            Severity.NOTICE, attached[0], 1,
            f"is the first frame of a motion brief that says to animate it, but it is a {attached[0].role} "
            "reference sheet: the clip would open on the sheet",
            "pass a still of the shot as the first frame (--frame PATH, or --frame DIR/SHOT_ID for a result)",
            attached[0].role))
    return findings


def _dressed_otherwise(ctx: LintContext, attached: tuple[Frame, ...]) -> list[Finding]:
    wardrobe = [(i, f) for i, f in enumerate(attached, 1) if f.role == "wardrobe"]
    if not wardrobe:
        return []
    deltas = ctx.brief.spec.deltas
    said = [(name, text) for name, text in (("action", deltas.action), *(("notes", n) for n in deltas.notes))
            if text and DRESSING.search(text)]
    if not said:
        return []
    field, text = said[0]
    return [_finding(Severity.WARNING, frame, index,
                     f"asks the model to match {frame.owner or 'the cast'}'s clothes, but the shot's {field} "
                     f"dresses them otherwise (\"{text}\")",
                     "leave the wardrobe frame out of this shot (give it role: identity only where it shows the "
                     "face), or record lint_exceptions: [{rule: frames, term: wardrobe, reason: ...}]", "wardrobe")
            for index, frame in wardrobe]


def _finding(severity: Severity, frame: Frame, index: int, what: str, fix: str, term: str) -> Finding:
    where = Location(str(frame.listed_in), None, "reference_frames") if frame.listed_in else Location("shot")
    return Finding(severity, RULE, f"Image {index} ({frame.describe()}) {what}", fix, (where,),
                   frozenset({term, (frame.owner_id or "").lower()} - {""}), frame.owner_id)
