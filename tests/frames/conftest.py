"""Frame lifecycle tests: fixtures (helpers live in frames_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.fixtures import fake_kie
from fakes.kie import FakeKie
from frames_support import Storyboard, copy_library, run_storyboard

__all__ = ["fake_kie"]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A copy of the bundled library (its files may be changed)."""
    return copy_library(tmp_path)


@pytest.fixture
def storyboard(library: Path, tmp_path: Path, fake_kie: FakeKie) -> Storyboard:
    """The storyboard's stills run in the library copy; one approved, one rejected."""
    return run_storyboard(library, tmp_path, fake_kie)
