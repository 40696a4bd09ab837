"""The review app in a real browser: two reviewers score the same take blind, 3 points apart, and
the reconcile page lists it.

Debian's chromium through Playwright (see browser_support.py); skipped where chromium is missing.
With ``COMPOSER_REVIEW_SCREENSHOTS=DIR`` the run also saves the screenshots docs/review.md shows
(``grid.png``, ``shot.png``, ``reconcile.png``; ``report.png`` comes from test_web_bakeoff.py) into DIR.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from browser_support import browsers, chromium, live_server, name_reviewer, score_take
from web_support import REPO_FRAMES, campaign_folder

from composer.library import Library
from composer.review.store import ReviewStore
from composer.web.app import create_app
from composer.web.security import Access

SHOTS = {"hero": [f"h{i}@{model}" for i in range(1, 5) for model in ("gpt-image-2", "openai-gpt-image-2")],
         "detail": ["d1", "d2", "d3"]}
ANA = {"fidelity": 8, "adherence": 7, "consistency": 9, "flexibility": 6, "ease_cost": 8}


@pytest.fixture
def bakeoff(tmp_path: Path) -> Path:
    """A small bake-off folder whose takes are the library's reference frames (something to look at)."""
    folder = campaign_folder(tmp_path / "bakeoff", SHOTS)
    frames = sorted(REPO_FRAMES.glob("*.png"))
    for index, image in enumerate(sorted((folder / "images").glob("*.png"))):
        shutil.copyfile(frames[index % len(frames)], image)
    briefs = folder / "briefs"
    briefs.mkdir()
    for shot in SHOTS["detail"]:
        (briefs / f"{shot}.md").write_text(f"# Brief: {shot}\n\n## Cast\n\nFennel Fox in a green waistcoat.\n\n"
                                           "## Negative constraints\n\n- no red anywhere in frame\n")
    return folder


def test_two_reviewers_score_blind_and_the_divergence_is_listed(bakeoff: Path, tmp_path: Path) -> None:
    chromium()
    shots_dir = os.environ.get("COMPOSER_REVIEW_SCREENSHOTS")
    with ReviewStore.open(bakeoff, library=Library.find()) as store, \
            live_server(create_app(bakeoff, Access("127.0.0.1"), store=store)) as base, browsers() as launch:
        ana = launch(tmp_path / "profile-ana").new_page()
        name_reviewer(ana, base, "Ana")
        assert ana.locator("li.card").count() == 7
        assert "openai" not in ana.content()
        if shots_dir:
            ana.wait_for_load_state("networkidle")
            ana.screenshot(path=f"{shots_dir}/grid.png", full_page=True)

        label_ana = store.view("h1", "Ana").label_of(1)
        ana.goto(f"{base}/shots/h1")
        range_input = ana.locator(f"#take-{label_ana} [data-score] input[type=range]").first
        range_input.fill("4")  # the slider keeps its number field in step (review.js)
        assert ana.input_value(f"#s-{label_ana}-fidelity") == "4"
        score_take(ana, f"{base}/shots/h1", label_ana, ANA)
        ana.fill(f"#take-{label_ana} textarea[name=note]", "hands are right; the scarf stripes drift")
        ana.check(f"#take-{label_ana} input[name=verdict][value=approve]")
        ana.click(f"#take-{label_ana} button[type=submit]")
        ana.wait_for_selector(f"#take-{label_ana} .saved")
        if shots_dir:
            ana.screenshot(path=f"{shots_dir}/shot.png", full_page=True)

        bo = launch(tmp_path / "profile-bo").new_page()
        name_reviewer(bo, base, "Bo")
        label_bo = store.view("h1", "Bo").label_of(1)
        score_take(bo, f"{base}/shots/h1", label_bo, {**ANA, "fidelity": 5})
        assert bo.input_value(f"#s-{label_bo}-fidelity") == "5"

        ana.goto(f"{base}/reconcile")
        section = ana.locator("section.divergence[data-shot=h1][data-dimension=fidelity]")
        assert section.count() == 1
        text = section.inner_text()
        assert "3 points apart" in text and "hands are right" in text
        assert [row.inner_text().split("\t")[:2] for row in section.locator("tr").all()[1:]] == [["Ana", "8"],
                                                                                                  ["Bo", "5"]]
        assert ana.locator("section.divergence").count() == 1  # no other dimension differs
        if shots_dir:
            ana.screenshot(path=f"{shots_dir}/reconcile.png", full_page=True)

        section.locator("textarea[name=text]").fill("8: the hands are right; Bo saw the scarf, not the hands")
        section.locator("button", has_text="Resolve").click()
        ana.wait_for_selector("text=Reconcile: 0 divergences")

        ana.goto(f"{base}/report")  # unblinded: both models by name, the fidelity Ana and Bo gave h1's take 1
        report = ana.content()
        assert "openai-gpt-image-2" in report and "6.5" in report

    fidelity = {s.reviewer: s.score for s in store_scores(bakeoff) if s.take == 1 and s.dimension == "fidelity"}
    assert fidelity == {"Ana": 8, "Bo": 5}  # neither reviewer's save touched the other's


def store_scores(folder: Path) -> list[object]:
    with ReviewStore.open(folder, library=Library.find()) as store:
        return list(store.scores("h1"))
