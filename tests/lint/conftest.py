"""Lint tests compose real briefs from a small library in tmp_path, changed one file at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from composer.compose import Brief, Composer
from composer.library import Library
from composer.lint import Finding, Severity
from composer.shot import ShotSpec


class LintLibrary:
    """The mini library (brand acme, characters ada and bo, scene harbour, style wash), editable."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def brief(self, **spec: Any) -> Brief:
        spec.setdefault("scene", "harbour")
        return Composer(Library(self.root)).compose(ShotSpec(**spec))

    def findings(self, rule: str | None = None, **spec: Any) -> list[Finding]:
        return [f for f in self.brief(**spec).findings if rule is None or f.rule == rule]


def of(findings: list[Finding], severity: Severity) -> list[Finding]:
    return [f for f in findings if f.severity is severity]


@pytest.fixture
def lib(mini_library: Path) -> LintLibrary:
    return LintLibrary(mini_library)


def line_of_text(path: Path, needle: str) -> int:
    """1-based line of the first line containing ``needle``: tests state lines by content."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")

