"""Shared fixtures. Tests use the real o200k_base table from ../shared/tiktoken when it is there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_TIKTOKEN = REPO.parent / "shared" / "tiktoken"

if "TIKTOKEN_CACHE_DIR" not in os.environ and SHARED_TIKTOKEN.is_dir():
    os.environ["TIKTOKEN_CACHE_DIR"] = str(SHARED_TIKTOKEN)


@pytest.fixture(autouse=True)
def _no_ambient_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a library from the developer's environment."""
    monkeypatch.delenv("COMPOSER_LIBRARY", raising=False)


@pytest.fixture
def example_library() -> Path:
    """The bundled example library (the repository root)."""
    return REPO
