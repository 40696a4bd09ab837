"""Image-to-image: a cast member with reference frames must be sent with them (frames the model's
image cap left out are reported as cuts instead), and no frame's role may contradict the brief
(``composer.lint.roles``).

The composer attaches every cast member's frames, so this fires when a brief was assembled or
altered elsewhere (a backend or option that sends text only): a character with frames rendered
from text alone drifts from shot to shot. A motion shot with a locked first frame (a still of
the shot: ``--frame``, or a ``from:`` group) sends that still alone, on purpose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from composer.attachments import entry_path
from composer.lint.context import LintContext
from composer.lint.findings import Finding
from composer.lint.roles import check_roles
from composer.location import Location, Severity

RULE = "frames"


def check_references(ctx: LintContext) -> list[Finding]:
    return [*_unsent_frames(ctx), *check_roles(ctx)]


def _unsent_frames(ctx: LintContext) -> list[Finding]:
    if any(f.owner_kind == "still" for f in ctx.brief.assets.attachments.frames):
        return []  # a clip's first frame is a still of the shot: the cast's sheets are left out on purpose
    sent_names = {p.name for p in ctx.brief.reference_frames}
    capped = {_resolve(f.path) for f in ctx.brief.assets.attachments.left_out}  # reported as cuts instead
    sent: set[Path] | None = None
    findings = []
    cast: list[Any] = [*ctx.brief.assets.characters, *ctx.brief.assets.products]
    for member in cast:
        names = [entry_path(e) for e in member.model.reference_frames]
        if not names:
            continue
        if all(Path(name).name in sent_names for name in names):
            continue  # the usual case, decided without touching the disk
        sent = sent if sent is not None else {_resolve(p) for p in ctx.brief.reference_frames}
        wanted = [_resolve(member.path.parent / name) for name in names]
        missing = [w for w in wanted if w not in sent and w not in capped]
        if not missing:
            continue
        where = Location(str(member.path), None, "reference_frames")
        if len(missing) == len(wanted):
            message = (f"{member.kind} {member.id} has {len(wanted)} reference frame(s) but the shot is sent "
                       "text-only: its identity will drift between shots")
        else:
            message = (f"{member.kind} {member.id}: {len(missing)} of its {len(wanted)} reference frames are not "
                       f"sent ({', '.join(p.name for p in missing)})")
        findings.append(Finding(
            Severity.WARNING, RULE, message,
            "send the shot image-to-image with the character's frames (the composer attaches them unless "
            "something removed them), or record lint_exceptions: [{rule: frames, term: "
            f"{member.id}, reason: ...}}]",
            (where,), frozenset({member.id.lower()}), member.id,
        ))
    return findings


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path
