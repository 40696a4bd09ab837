"""QC tests: fixtures (helpers live in qc_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.fixtures import fake_kie
from qc_support import FILES


@pytest.fixture
def qc_library(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root



__all__ = ["fake_kie", "qc_library"]
