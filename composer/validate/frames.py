"""Frame checks: every reference frame an asset lists exists inside the library and decodes fully."""

from __future__ import annotations

from typing import Any

from composer.errors import ReferenceFrameError
from composer.frames import check_frame, verify_frame
from composer.location import Severity
from composer.validate.report import Asset, Report
from composer.yamlio import line_of

FRAME_KINDS = ("character", "product", "style", "scene", "brand")
"""The asset kinds that may list reference frames."""


def frame_entries(asset: Asset, kind: str) -> list[tuple[list[str | int], str]]:
    """An asset's frame paths (plain, or the ``path`` of a ``{path, role}`` entry) with where each
    is named, from the parsed YAML (so a file with a schema error still has them checked)."""
    field: list[str | int] = ["logo", "frames"] if kind == "brand" else ["reference_frames"]
    value: Any = asset.raw
    for key in field:
        value = value.get(key) if isinstance(value, dict) else None
    entries = []
    for index, entry in enumerate(value if isinstance(value, list) else []):
        path = entry.get("path") if isinstance(entry, dict) else entry
        if isinstance(path, str):
            entries.append(([*field, index], path))
    return entries


def check_frames(report: Report) -> None:
    for kind in FRAME_KINDS:
        for asset in report.assets[kind].values():
            for keys, name in frame_entries(asset, kind):
                line = line_of(asset.text, keys)
                where = ".".join(map(str, keys))
                try:
                    frame = check_frame(asset.path.parent / name, root=report.library.root, source=asset.path,
                                        line=line, field=where)
                    verify_frame(frame, source=asset.path, line=line, field=where)  # decodes: no broken data
                except ReferenceFrameError as exc:
                    report.error(exc, "frames", "put a PNG, JPEG or WebP image (at most 50 MB) at that path, "
                                 "inside the library, or correct the path")
                except OSError as exc:
                    report.add(Severity.ERROR, "frames", f"reference frame {name}: unreadable ({exc.strerror})",
                               "check the file's permissions", asset.path, line, where)
                else:
                    report.used.add(("frame", str(frame)))
