"""The review issue's whole loop, end to end: the bundled bake-off campaign run against the fake KIE
and fake OpenAI servers, two reviewers scoring blind in a real browser, the report's per-model
means and honoured counts, a divergence reconciled and re-run, and the regeneration as a new take.

Debian's chromium through Playwright (see browser_support.py); skipped where chromium is missing.
With ``COMPOSER_REVIEW_SCREENSHOTS=DIR`` it saves the report screenshot docs/review.md shows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import browsers, chromium, live_server, name_reviewer, score_take
from click.testing import CliRunner
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie
from fakes.openai_images import FakeOpenAI

from composer.cli import main
from composer.review.store import ReviewStore
from composer.web.app import create_app
from composer.web.security import Access

BAKEOFF = Path(__file__).resolve().parents[2] / "examples" / "campaigns" / "bakeoff.yaml"
CANDLE = "t2i-product-scented-candle-mirror-vanity"
"""The shot the reviewers score: its brief asks for exactly 4 lit tealights."""
ANA = {"fidelity": 8, "adherence": 7, "consistency": 9, "flexibility": 6, "ease_cost": 8}
WEAKER = {"fidelity": 5, "adherence": 4, "consistency": 6, "flexibility": 5, "ease_cost": 6}


@pytest.fixture
def providers() -> Iterator[dict[str, str]]:
    """Both fake providers, and the environment that sends composer to them."""
    with FakeKie() as kie, FakeOpenAI() as openai:
        yield {**kie.env(), **openai.env(), **FAST_ENV}


def compose(env: dict[str, str], *args: str) -> str:
    """``compose --library <the bundled library> *args`` in-process, which must succeed."""
    result = CliRunner().invoke(main, ["--library", str(BAKEOFF.parents[2]), *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout + result.stderr


def test_a_blind_bakeoff_is_scored_reported_reconciled_and_regenerated(providers: dict[str, str],
                                                                        tmp_path: Path) -> None:
    chromium()
    shots_dir = os.environ.get("COMPOSER_REVIEW_SCREENSHOTS")  # docs/images/report.png comes from here
    out = tmp_path / "bakeoff"
    assert "80 generated" in compose(providers, "campaign", "run", str(BAKEOFF), "--out", str(out))

    with ReviewStore.open(out) as store:
        (candle,) = [card for card in store.shots() if card.id.startswith(CANDLE)]
        assert candle.blind and {t.contender for t in candle.takes} == {"gpt-image-2", "openai-gpt-image-2"}
        url = f"/shots/{candle.id}"
        with live_server(create_app(out, Access("127.0.0.1"), store=store)) as base, browsers() as launch:
            ana = launch(tmp_path / "profile-ana").new_page()
            name_reviewer(ana, base, "Ana")
            assert ana.locator("li.card").count() == 40  # one card a brief, both models' takes inside it
            ana.goto(base + url)
            page = ana.content()
            assert "Take A" in page and "Take B" in page
            assert "gpt-image" not in page and "openai" not in page and "kie" not in page  # blind

            # Ana: the take labelled A for her is strong and has its four tealights; B is weaker, one short.
            a_take = next(t.take for t in store.view(candle.id, "Ana").takes if t.label == "A")
            b_take = next(t.take for t in store.view(candle.id, "Ana").takes if t.label == "B")
            score_take(ana, base + url, "A", ANA, {"count:tealight": "0"})
            score_take(ana, base + url, "B", WEAKER, {"count:tealight": "-1"})

            # Bo sees his own shuffle; he scores the same two takes, 3 points lower on A's fidelity.
            bo = launch(tmp_path / "profile-bo").new_page()
            name_reviewer(bo, base, "Bo")
            bo_label = {t.take: t.label for t in store.view(candle.id, "Bo").takes}
            score_take(bo, base + url, bo_label[a_take], {**ANA, "fidelity": 5}, {"count:tealight": "0"})
            score_take(bo, base + url, bo_label[b_take], WEAKER, {"count:tealight": "-1"})

            report = json.loads(compose(providers, "review", "report", str(out), "--format", "json"))
            a_model = candle.take(a_take).contender  # type: ignore[union-attr]
            b_model = candle.take(b_take).contender  # type: ignore[union-attr]
            rows = {row["key"]: row for row in report["rows"]}
            assert rows[a_model]["dimensions"]["fidelity"]["mean"] == (8 + 5) / 2
            assert rows[b_model]["dimensions"]["adherence"]["mean"] == 4
            assert rows[a_model]["checks"]["exactly 4 lit tealights"] == {"honoured": 1, "checked": 1}
            assert rows[b_model]["checks"]["exactly 4 lit tealights"] == {"honoured": 0, "checked": 1}  # per image

            ana.goto(base + "/report")  # unblinded: each model's means and instructions honoured, by name
            honoured = {model: ana.locator(f"section.honoured[data-honoured='{model}']").inner_text()
                        for model in (a_model, b_model)}
            assert "exactly 4 lit tealights: 1/1" in honoured[a_model]
            assert "exactly 4 lit tealights: 0/1" in honoured[b_model]
            assert "6.50" in ana.locator(f"tr[data-row='{a_model}']").inner_text()  # fidelity (8 + 5) / 2
            if shots_dir:
                ana.wait_for_load_state("networkidle")
                ana.screenshot(path=f"{shots_dir}/report.png", full_page=True)

            ana.goto(base + "/reconcile")
            section = ana.locator(f"section.divergence[data-shot='{candle.id}'][data-dimension=fidelity]")
            assert section.count() == 1 and "3 points apart" in section.inner_text()
            assert ana.locator("section.divergence").count() == 1
            section.locator("textarea[name=text]").fill("the tealights are right, the flames are not: run it again")
            section.locator("button", has_text="Re-run this take").click()
            ana.wait_for_selector("text=Queued for regeneration (1)")

    err = compose(providers, "campaign", "run", str(BAKEOFF), "--out", str(out), "--regenerate")
    assert "regenerate: 1 shot(s) the review asked for again" in err
    assert f"take 3 of {candle.id} (regenerates take {a_take})" in err
    with ReviewStore.open(out) as store:
        three = store.shot(candle.id).take(3)
        assert three is not None and three.parent == a_take and three.contender == a_model
        assert three.image is not None and three.image.is_file()
        assert store.pending_reruns() == []
