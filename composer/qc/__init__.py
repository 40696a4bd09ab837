"""Pixel QC: every generated image checked against the brand kit and bibles it was made from.

Lint checks a brief's words; QC checks the pixels that came back. ``check_image(path, context)``
returns an ``ImageReport`` of findings, each of a rule in ``RULES`` (id, severity, fix hint):

===============  ========  ================================================================
banned-colour    error     a family a do-not-include item bans ("no red") covers a region
palette          warning   too little of the frame is near the palette (always lists the dominant colours)
palette-missing  warning   a required palette colour is absent
key-colour       warning   a bible's key colour (hair, jacket...) is absent
dimensions       error     not the requested size
aspect-ratio     error     not the requested aspect ratio
blank            error     one uniform colour
file-type        error     content is not the type the name or the request claims
near-duplicate   warning   a take that looks like another (perceptual hash)
unreadable       error     truncated, not an image, or too large to decode safely
===============  ========  ================================================================

A named lint exception (``lint_exceptions: [{rule: conflict, term: red, ...}]``) turns a
banned-colour error into a notice that cites it. Nothing here deletes or moves a file.

Modules: ``rules`` (the registry and the finding), ``settings`` (thresholds), ``context`` (what an
image is checked against), ``decode``, ``pixels`` (CIELAB, bins, clusters), ``families`` (colour
families in LCh), ``colour_rules``, ``technical``, ``duplicates``, ``check`` (one image, many),
``folders`` (campaign and shot folders), ``overlay``, ``text``, ``hook`` (the inspectors run after
every download) and ``api`` (JSON-able findings for the review app). The names below are imported
on first use, so ``import composer.qc.hook`` does not load the pixel checks' dependencies twice over.
A stored report is read back (badges, counts) by ``composer.generate.inspection``, below campaigns:
QC reads campaign ledgers, so campaigns never import QC.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from composer.qc.check import ImageReport, check_image, check_images, inspect
    from composer.qc.context import Expected, QcContext, build_context, context_from_brief
    from composer.qc.rules import RULES, QcFinding, Rule, Swatch
    from composer.qc.settings import QcSettings

_EXPORTS = {
    "RULES": "composer.qc.rules", "QcFinding": "composer.qc.rules", "Rule": "composer.qc.rules",
    "Swatch": "composer.qc.rules", "QcSettings": "composer.qc.settings", "Expected": "composer.qc.context",
    "QcContext": "composer.qc.context", "build_context": "composer.qc.context",
    "context_from_brief": "composer.qc.context", "ImageReport": "composer.qc.check",
    "check_image": "composer.qc.check", "check_images": "composer.qc.check", "inspect": "composer.qc.check",
}

__all__ = [
    "RULES", "Expected", "ImageReport", "QcContext", "QcFinding", "QcSettings", "Rule", "Swatch", "build_context",
    "check_image", "check_images", "context_from_brief", "inspect",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'composer.qc' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
