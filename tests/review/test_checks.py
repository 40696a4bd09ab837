"""Instruction checks come from the brief: counts, orders, do-not-include, must-include, palette."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.kie import FakeKie
from review_support import CHECKED, run_campaign_file

from composer.compose import Composer
from composer.library import Library
from composer.review import ReviewInputError, ReviewStore
from composer.review.checks import brief_checks
from composer.shot import ShotSpec


def test_every_explicit_instruction_becomes_a_check(example_library: Path) -> None:
    spec = ShotSpec(characters=["bear"], scene="woodland-clearing", brand="bramble-books", style="watercolor-1970s",
                    deltas={"counts": ["4 candles"], "order": ["the mug", "the book", "the glasses"],
                            "negative": ["umbrellas"]})
    checks = brief_checks(Composer(Library(example_library)).compose(spec))
    by_kind = {c.kind: [x.label for x in checks if x.kind == c.kind] for c in checks}
    assert by_kind["count"] == ["exactly 4 candles"]
    assert [c.expected for c in checks if c.kind == "count"] == [4]
    assert by_kind["order"] == ["left to right: the mug, the book, the glasses"]
    assert "no red anywhere in frame" in by_kind["avoid"] and "no umbrellas" in by_kind["avoid"]
    assert by_kind["include"][0] == "shows soft paper texture visible in light areas of the picture"
    assert by_kind["palette"][0].startswith("stays in the palette (Oat Paper #F2E8D5, Honey Ochre #D9A441")
    assert next(c.id for c in checks if c.label == "no red anywhere in frame") == "avoid:red-anywhere-in-frame"


def test_a_brief_without_instructions_has_only_its_brands(example_library: Path) -> None:
    spec = ShotSpec(characters=["red-curls"], scene="castle")
    kinds = {c.kind for c in brief_checks(Composer(Library(example_library)).compose(spec))}
    assert "count" not in kinds and "order" not in kinds


def test_reviewers_answer_the_checks_of_a_campaign_shot(tmp_path: Path, mini_library: Path,
                                                        fake_kie: FakeKie) -> None:
    campaign = tmp_path / "checked.yaml"
    campaign.write_text(CHECKED, encoding="utf-8")
    out = tmp_path / "out"
    run_campaign_file(campaign, mini_library, out, fake_kie)
    with ReviewStore.open(out) as store:
        (card,) = store.shots()
        checks = {c.id: c for c in store.checks(card.id)}
        assert [c.label for c in checks.values()] == [
            "exactly 4 lobster pots", "left to right: a coiled rope, Bo, a gull", "no umbrellas", "no lens flare",
            "shows soft natural light", "stays in the palette (Sage #8A9A5B, Cream #FFF8E7)"]
        store.save("ana", card.id, 1, checks={"count:pot": "+1", "avoid:umbrellas": "yes", "palette": "no"})
        answers = {a.check_id: (a.answer, a.honoured) for a in store.answers()}
        assert answers == {"count:pot": (1, False), "avoid:umbrellas": (1, True), "palette": (0, False)}
        with pytest.raises(ReviewInputError, match=r"^check: shot '.+' has no instruction check 'count:candle'$"):
            store.save("ana", card.id, 1, checks={"count:candle": 0})
        with pytest.raises(ReviewInputError, match=r"^count:pot: 'lots' is not an offset"):
            store.save("ana", card.id, 1, checks={"count:pot": "lots"})
        with pytest.raises(ReviewInputError, match=r"^palette: 'maybe' is not yes or no$"):
            store.save("ana", card.id, 1, scores={"fidelity": 3}, checks={"palette": "maybe"})
        assert [s.score for s in store.scores()] == []  # the refused save stored nothing
