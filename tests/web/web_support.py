"""Helpers for the review app's tests: folders made through the ledger's API, forms as a browser sends them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "review"))
from review_support import campaign_folder

REPO_FRAMES = Path(__file__).resolve().parents[2] / "bibles" / "characters" / "frames"
BAKEOFF = {"hero": ["h1@gpt-image-2", "h1@openai-gpt-image-2", "h2@gpt-image-2", "h2@openai-gpt-image-2"],
           "solo": ["s1"]}
"""Two blind shots (one take per model each) and one open shot."""
BASE = "http://127.0.0.1:8765"

__all__ = ["BAKEOFF", "BASE", "REPO_FRAMES", "as_reviewer", "campaign_folder", "csrf_of", "field_of"]


def csrf_of(page: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def field_of(page: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert found, f"the page has no field {name}"
    return found.group(1)


def as_reviewer(client: TestClient, name: str) -> None:
    """Name the reviewer the way a browser does: the form, its CSRF token, the cookie."""
    page = client.get("/reviewer").text
    response = client.post("/reviewer", data={"csrf": csrf_of(page), "name": name, "next": "/"})
    assert response.status_code == 303, response.text
