"""Shot and campaign file checks: every asset id they name exists; their reference frames stay inside."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from composer.attachments import split_reference
from composer.errors import LibraryError
from composer.location import Severity
from composer.paths import inside
from composer.validate.report import Report, fix_for
from composer.yamlio import line_of, parse_yaml, read_text

SHOT_DIRS = ("shots", "campaigns", "examples")
"""Folders (inside the library) whose YAML files are read as shots or campaigns, for references and use."""
REFERENCE_KEYS = {"brand": "brand", "style": "style", "scene": "scene", "scenes": "scene",
                  "characters": "character", "products": "product", "target": "target", "targets": "target",
                  "rubric": "rubric"}
"""Keys of a shot or campaign file whose values are asset ids (at any depth)."""


def shot_files(root: Path) -> Iterator[Path]:
    for folder in SHOT_DIRS:
        if (root / folder).is_dir():
            yield from sorted((root / folder).rglob("*.yaml"))


def check_shot_files(report: Report) -> None:
    for path in shot_files(report.library.root):
        try:
            text = read_text(path, root=report.library.root)[0]
            data = parse_yaml(text, path)
        except LibraryError as exc:
            report.error(exc, "schema", fix_for(exc.reason))
            continue
        for kind, value, loc in _references(data, []):
            report.reference(kind, value, path, text, loc)
        for ref, loc in _frame_references(data, []):
            try:
                inside(path.parent / split_reference(ref)[1], report.library.root)
            except LibraryError as exc:
                report.add(Severity.ERROR, "frames", f"reference {ref}: {exc.reason}",
                           "keep reference frames inside the library (or pass them with --reference)", path,
                           line_of(text, loc), ".".join(map(str, loc)))


def _frame_references(data: Any, loc: list[str | int]) -> Iterator[tuple[str, list[str | int]]]:
    """(path, location) of every reference frame a shot or campaign file names, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "references" and isinstance(value, list):
                yield from ((v, [*loc, key, i]) for i, v in enumerate(value) if isinstance(v, str))
            else:
                yield from _frame_references(value, [*loc, key])
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _frame_references(value, [*loc, index])


def _references(data: Any, loc: list[str | int]) -> Iterator[tuple[str, str, list[str | int]]]:
    """(kind, id, location) of every asset id a shot or campaign file names, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            kind = REFERENCE_KEYS.get(str(key))
            if kind and isinstance(value, str) and value != "*":
                yield kind, value, [*loc, key]
            elif kind and isinstance(value, list):
                yield from ((kind, v, [*loc, key, i]) for i, v in enumerate(value) if isinstance(v, str) and v != "*")
            else:
                yield from _references(value, [*loc, key])
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _references(value, [*loc, index])
