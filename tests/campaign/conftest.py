"""Campaign tests: fixtures (helpers live in campaign_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from campaign_support import SMALL, write
from fakes.fixtures import fake_kie

__all__ = ["fake_kie"]


@pytest.fixture
def small_campaign(tmp_path: Path) -> Path:
    return write(tmp_path / "campaign.yaml", SMALL)
