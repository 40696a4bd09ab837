"""Campaign tests: a small campaign over the mini library, and the fake KIE server for runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer.campaign import Expansion, Planner, open_campaign
from composer.compose import Composer
from composer.library import Library
from fakes.fixtures import fake_kie

__all__ = ["fake_kie"]

SMALL = """\
name: Harbour test
options: {aspect_ratio: "4:5", resolution: 1K}
cast:
  ada: {characters: [ada]}
  bo: {characters: [bo]}
  pair: {characters: [ada, bo]}
groups:
  portraits:
    cast: [ada, bo, pair]
    scenes: [harbour]
    variants:
      - {name: wide, deltas: {framing: wide shot}}
      - {name: close, deltas: {framing: close-up}, options: {aspect_ratio: "1:1"}}
      - {name: dawn, deltas: {lighting: first light}}
      - {name: dusk, deltas: {lighting: last light}}
"""
"""12 shots, each with its own prompt (no takes), 4 of them text-to-image (bo alone)."""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def small_campaign(tmp_path: Path) -> Path:
    return write(tmp_path / "campaign.yaml", SMALL)


def expansion_of(path: Path, library_root: Path, **kwargs: object) -> Expansion:
    return open_campaign(path, Library(library_root), **kwargs)  # type: ignore[arg-type]


def planner_for(library_root: Path) -> Planner:
    return Planner(Composer(Library(library_root)))
