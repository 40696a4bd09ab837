"""Review app fixtures: a reviewable folder (made through the ledger's API) and a TestClient on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.fixtures import fake_kie  # noqa: F401  (a fixture for the tests here)
from starlette.testclient import TestClient
from web_support import BAKEOFF, BASE, campaign_folder

from composer.library import Library
from composer.review.store import ReviewStore
from composer.web.app import create_app
from composer.web.security import Access


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return campaign_folder(tmp_path / "out", BAKEOFF)


@pytest.fixture
def store(folder: Path) -> Iterator[ReviewStore]:
    with ReviewStore.open(folder, library=Library.find()) as opened:
        yield opened


@pytest.fixture
def client(folder: Path, store: ReviewStore) -> Iterator[TestClient]:
    with TestClient(create_app(folder, Access("127.0.0.1"), store=store), base_url=BASE,
                    follow_redirects=False) as test_client:
        yield test_client
