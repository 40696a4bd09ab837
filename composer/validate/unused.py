"""Notices: assets, frames and templates nothing uses (run last: every other check marks what is used)."""

from __future__ import annotations

from composer.library import ASSET_KINDS, DEFAULT_RUBRIC
from composer.location import Severity
from composer.validate.frames import FRAME_KINDS
from composer.validate.report import Report
from composer.validate.shots import SHOT_DIRS

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})


def check_unused(report: Report) -> None:
    report.used.add(("rubric", DEFAULT_RUBRIC))  # every campaign that names no rubric uses it
    for asset in report.assets["brand"].values():
        if asset.model is not None and asset.model.extends:
            report.used.add(("brand", asset.model.extends))
        for exc in asset.model.lint_exceptions if asset.model is not None else []:
            report.used.update((k, exc.asset) for k in ASSET_KINDS if exc.asset)
    for asset in report.assets["character"].values():
        for other in asset.keys("relationships"):
            report.used.update({("character", other), ("product", other)})
    where = "composer.yaml defaults, a brand's extends, a relationship, or a shot/campaign file in " + \
        ", ".join(f"{d}/" for d in SHOT_DIRS)
    for kind, assets in report.assets.items():
        for asset in assets.values():
            if asset.model is not None and (kind, asset.id) not in report.used:
                report.add(Severity.NOTICE, "unused", f"{kind} '{asset.id}' is not used by {where}",
                           "nothing, if shots name it on the command line; otherwise remove it", asset.path)
    _unused_files(report)


def _unused_files(report: Report) -> None:
    root = report.library.root
    for kind in FRAME_KINDS:
        frames_dir = root / ASSET_KINDS[kind][0]
        for path in sorted(frames_dir.rglob("*")) if frames_dir.is_dir() else []:
            if path.suffix.lower() in IMAGE_SUFFIXES and ("frame", str(path.resolve())) not in report.used:
                report.add(Severity.NOTICE, "unused", "image is not a reference frame of any asset",
                           "list it under an asset's reference_frames, or remove it", path)
    own = root / "templates"
    for path in sorted(own.rglob("*.j2")) if own.is_dir() else []:
        name = path.relative_to(own).as_posix()
        if ("template", str(path.resolve())) not in report.used and ("template-name", name) not in report.used:
            report.add(Severity.NOTICE, "unused", "template is not used by any target or included by one",
                       "name it in a target's `template` (composer.yaml targets), or remove it", path)
