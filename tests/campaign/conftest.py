"""Campaign tests: fixtures (helpers live in campaign_support.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from campaign_support import SMALL, write
from fakes.fixtures import fake_kie

from composer.campaign import atomic

__all__ = ["fake_kie"]


@pytest.fixture
def small_campaign(tmp_path: Path) -> Path:
    return write(tmp_path / "campaign.yaml", SMALL)


@pytest.fixture(autouse=True)
def _unnamed_files_where_the_platform_has_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed write turns unnamed files off for the rest of the process: not for the next test."""
    monkeypatch.setattr(atomic, "_unnamed_files", hasattr(os, "O_TMPFILE"))
