"""Hostile libraries: each a fresh copy of the mini library (tests/conftest.py), broken one way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import write_mini_library

Mutation = Callable[[Path], None]


class Libraries:
    """Makes one library per case under a module-wide folder, so a class's cases run in one child."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        self.factory = factory

    def make(self, name: str, mutate: Mutation | None = None) -> Path:
        root = write_mini_library(self.factory.mktemp(name.replace("/", "-")) / "lib")
        (root / "templates").mkdir()
        if mutate is not None:
            mutate(root)
        return root


@pytest.fixture(scope="module")
def libraries(tmp_path_factory: pytest.TempPathFactory) -> Libraries:
    return Libraries(tmp_path_factory)


@pytest.fixture
def lib(mini_library: Path) -> Path:
    (mini_library / "templates").mkdir()
    return mini_library
