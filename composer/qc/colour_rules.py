"""The colour rules: banned families in the frame, palette adherence, bible key colours."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from composer.lint.colours import family_named, family_of_word
from composer.location import Severity
from composer.models import LintException
from composer.qc.context import QcContext
from composer.qc.families import family_mask
from composer.qc.pixels import Pixels, delta_e, hex_to_lab, lab_to_hex
from composer.qc.rules import Box, QcFinding, Swatch, finding
from composer.qc.settings import QcSettings

MAX_BOXES = 20
"""Boxes reported per finding (the largest regions); the area fraction counts every region."""


@dataclass(frozen=True)
class Frame:
    """What the colour rules need of one image: its pixels and the scale back to its own size."""

    pixels: Pixels
    width: int
    height: int


def check_banned(frame: Frame, ctx: QcContext, settings: QcSettings) -> list[QcFinding]:
    findings = []
    for family, source in ctx.banned_families.items():
        regions, area = _regions(frame, family, settings)
        if not regions:
            continue
        message = (f"{family} ({source!r}) covers {area:.2%} of the frame in {len(regions)} region(s), "
                   f"largest at {list(regions[0])}")
        exception = _exception_for(family, ctx)
        if exception is None:
            findings.append(finding("banned-colour", message, area_fraction=area, boxes=tuple(regions[:MAX_BOXES])))
        else:
            findings.append(finding(
                "banned-colour", f"allowed by exception ({exception.reason}): {message}",
                severity=Severity.NOTICE, area_fraction=area, boxes=tuple(regions[:MAX_BOXES]),
                fix="nothing to do; remove the exception to enforce the rule again"))
    return findings


def _regions(frame: Frame, family: str, settings: QcSettings) -> tuple[list[Box], float]:
    """The family's connected regions at least the minimum size, largest first, and their area."""
    from scipy import ndimage

    mask = family_mask(frame.pixels.lch, family)
    if not mask.any():
        return [], 0.0
    labels, count = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    floor = max(settings.min_region_pixels, settings.min_region_fraction * frame.pixels.count)
    kept = [i + 1 for i in np.argsort(-sizes[1:]) if sizes[i + 1] >= floor]
    if not kept:
        return [], 0.0
    h, w = mask.shape
    sx, sy = frame.width / w, frame.height / h
    slices = ndimage.find_objects(labels)
    boxes = [(int(slices[i - 1][1].start * sx), int(slices[i - 1][0].start * sy),
              min(frame.width, int(np.ceil(slices[i - 1][1].stop * sx))),
              min(frame.height, int(np.ceil(slices[i - 1][0].stop * sy)))) for i in kept]
    return boxes, float(sizes[kept].sum()) / frame.pixels.count


def _exception_for(family: str, ctx: QcContext) -> LintException | None:
    """A named ``conflict`` exception for this family (by name or a word of it) that applies to the shot:
    unscoped, or scoped to a member of its cast."""
    for exc in ctx.exceptions:
        term = exc.term.casefold()
        if exc.rule != "conflict" or (family_named(term) != family and family not in family_of_word(term)):
            continue
        if exc.asset is None or exc.asset in ctx.cast:
            return exc
    return None


def check_palette(frame: Frame, ctx: QcContext, settings: QcSettings) -> list[QcFinding]:
    brand = ctx.brand
    dominant = frame.pixels.dominant
    centres = np.array([lab for lab, _ in dominant])
    if brand is None:
        swatches = tuple(Swatch(h, share, None, None) for h, (_, share) in zip(lab_to_hex(centres), dominant,
                                                                              strict=True))
        return [finding("palette", "dominant colours (no brand palette to compare with)",
                        severity=Severity.NOTICE, fix="nothing to do", palette=swatches)]
    palette = hex_to_lab([c.hex for c in brand.palette])
    distances = delta_e(centres, palette)
    swatches = tuple(
        Swatch(code, share, brand.palette[int(np.argmin(row))].name, float(row.min()))
        for code, (_, share), row in zip(lab_to_hex(centres), dominant, distances, strict=True))
    shares = frame.pixels.share_within(palette, settings.palette_tolerance)
    adherence = float(shares[-1])
    ok = adherence >= settings.min_adherence
    findings = [finding(
        "palette",
        f"{adherence:.0%} of the frame is within ΔE00 {settings.palette_tolerance:g} of the palette"
        + ("" if ok else f" (minimum {settings.min_adherence:.0%})"),
        severity=None if not ok else Severity.NOTICE, fix=None if not ok else "nothing to do",
        area_fraction=adherence, palette=swatches)]
    for colour, share in zip(brand.palette, shares[:-1], strict=True):
        if colour.required and share < settings.min_present_share:
            findings.append(finding(
                "palette-missing",
                f"required palette colour {colour.name} {colour.hex} is absent ({share:.2%} of the frame within "
                f"ΔE00 {settings.palette_tolerance:g}; at least {settings.min_present_share:.1%} expected)",
                area_fraction=float(share)))
    return findings


def check_key_colours(frame: Frame, ctx: QcContext, settings: QcSettings) -> list[QcFinding]:
    keys = [(asset_id, key) for asset_id, bible in ctx.cast.items() for key in bible.key_colours]
    if not keys:
        return []
    shares = frame.pixels.share_within(hex_to_lab([k.hex for _, k in keys]), settings.key_tolerance)
    return [
        finding("key-colour",
                f"{asset_id}'s key colour {key.name} {key.hex} ({key.where}) is absent ({share:.2%} of the frame "
                f"within ΔE00 {settings.key_tolerance:g}; at least {settings.min_present_share:.1%} expected)",
                area_fraction=float(share))
        for (asset_id, key), share in zip(keys, shares[:-1], strict=True)
        if share < settings.min_present_share
    ]
