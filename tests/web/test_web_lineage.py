"""Storyboard lineage on the shot page: a clip links to the still it was animated from, a still to
its clips (and names those not generated yet), from the chains the ledger recorded."""

from __future__ import annotations

import json
from pathlib import Path

from review_support import plan_row
from starlette.testclient import TestClient
from web_support import BASE, as_reviewer, campaign_folder

from composer.campaign.chain import CHAINS_META
from composer.campaign.ledger import Ledger
from composer.review.store import ReviewStore
from composer.web.app import create_app
from composer.web.security import Access

CHAINS = {"film-st1-1a2b": "st1", "film-st2-3c4d": "st2", "film-bk-5e6f": "bk@gpt-image-2"}
"""Stills planned as clips: st1's clip was made, st2's waits (for approval, say); bk is a bake-off
shot whose KIE take was animated."""


def chained_folder(tmp_path: Path) -> Path:
    folder = campaign_folder(tmp_path / "out", {
        "stills": ["st1", "st2", "st3"], "bake": ["bk@gpt-image-2", "bk@openai-gpt-image-2"],
        "film": ["film-st1-1a2b", "film-bk-5e6f"]})
    with Ledger(folder) as ledger:
        ledger.plan([plan_row("film-st2-3c4d", "film")])  # planned, waiting: no take
        ledger.set_meta(**{CHAINS_META: json.dumps(CHAINS)})
    return folder


def lineage_of(page: str) -> str:
    return page.split("data-lineage>")[1].split("</p>")[0] if "data-lineage" in page else ""


def test_clips_and_stills_link_to_each_other(tmp_path: Path) -> None:
    folder = chained_folder(tmp_path)
    with ReviewStore.open(folder) as store, TestClient(create_app(folder, Access("127.0.0.1"), store=store),
                                                       base_url=BASE, follow_redirects=False) as client:
        as_reviewer(client, "ana")
        clip = lineage_of(client.get("/shots/film-st1-1a2b").text)
        assert 'first frame from still <a href="/shots/st1" data-still>st1</a>' in clip
        assert "animated as" not in clip
        still = lineage_of(client.get("/shots/st1").text)
        assert 'animated as <a href="/shots/film-st1-1a2b" data-clip>film-st1-1a2b</a>' in still
        assert "first frame" not in still and "not generated yet" not in still
        waiting = lineage_of(client.get("/shots/st2").text)
        assert "to be animated as film-st2-3c4d" in waiting and "not generated yet" in waiting
        assert "<a " not in waiting  # a clip not made yet has no page to link to
        assert lineage_of(client.get("/shots/st3").text) == ""  # in no chain: nothing said
        blind = client.get("/shots/bk").text  # links name cards, never the contender
        assert 'animated as <a href="/shots/film-bk-5e6f" data-clip>' in lineage_of(blind)
        assert "gpt-image-2" not in blind
        assert 'first frame from still <a href="/shots/bk" data-still>bk</a>' in lineage_of(
            client.get("/shots/film-bk-5e6f").text)


def test_a_folder_without_chains_shows_no_lineage(client: TestClient) -> None:
    as_reviewer(client, "ana")
    assert "data-lineage" not in client.get("/shots/s1").text
