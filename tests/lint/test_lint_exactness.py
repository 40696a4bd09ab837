"""Counts and left-to-right orders: stated once, unambiguously, never contradicted."""

from __future__ import annotations

import pytest
from lint.conftest import LintLibrary, line_of_text, of

from composer.lint import Severity

SCENE = "bibles/scenes/harbour.yaml"


def props(lib: LintLibrary, items: str) -> None:
    lib.edit(SCENE, "props: [lobster pots, coiled rope, gulls]", f"props: [{items}]")


def test_a_count_stated_once_is_clean(lib: LintLibrary) -> None:
    props(lib, "four candles on the harbour wall, coiled rope")
    brief = lib.brief(deltas={"counts": ["4 candles"]})
    assert "Exactly 4 candles: no more, no fewer." in brief.prompt
    assert brief.findings == []


def test_a_different_number_elsewhere_contradicts_the_count(lib: LintLibrary) -> None:
    props(lib, "two tall candles on the harbour wall")
    [finding] = lib.findings("exactness", deltas={"counts": ["4 candles"]})
    assert finding.severity is Severity.ERROR
    assert '"two tall candles"' in finding.message and "exactly 4 candles" in finding.message
    assert finding.locations[0].field == "props.0"
    assert finding.locations[0].line == line_of_text(lib.root / SCENE, "props:")
    assert finding.locations[1].field == "deltas.counts.0"


def test_a_vague_quantity_is_a_warning(lib: LintLibrary) -> None:
    [finding] = lib.findings("exactness", deltas={"counts": ["4 candles"], "action": "she lights several candles"})
    assert finding.severity is Severity.WARNING and "several candles" in finding.message


@pytest.mark.parametrize("counts", [["some candles"], ["candles"], ["a few candles"]])
def test_a_count_without_a_number_is_an_error(lib: LintLibrary, counts: list[str]) -> None:
    [finding] = lib.findings("exactness", deltas={"counts": counts})
    assert finding.severity is Severity.ERROR and "no exact number" in finding.message


def test_two_counts_of_one_noun_disagree(lib: LintLibrary) -> None:
    [finding] = lib.findings("exactness", deltas={"counts": ["4 candles", "three candles"]})
    assert finding.severity is Severity.ERROR
    assert [loc.field for loc in finding.locations] == ["deltas.counts.0", "deltas.counts.1"]


def test_an_exact_statement_in_the_text_is_a_count_too(lib: LintLibrary) -> None:
    findings = lib.findings("exactness", deltas={"counts": ["4 candles"], "notes": ["exactly 3 candles lit"]})
    assert [(f.severity, f.locations[1].field) for f in of(findings, Severity.ERROR)] == [
        (Severity.ERROR, "deltas.notes.0")]


@pytest.mark.parametrize("action", [
    "she checks the 35mm lens at f/4 by the candles",
    "two fishermen carrying candles",
    "candlelight on the water",
    "the candles flicker",
])
def test_numbers_that_belong_to_something_else(lib: LintLibrary, action: str) -> None:
    assert lib.findings("exactness", deltas={"counts": ["4 candles"], "action": action}) == []


ORDER = ["mug", "book", "glasses"]


@pytest.mark.parametrize("composition", [
    "mug on the left, book in the centre, glasses on the right",
    "light falls from the left across the table",
    "the mug to the left of the book",
])
def test_placements_that_agree_with_the_order(lib: LintLibrary, composition: str) -> None:
    brief = lib.brief(deltas={"order": ORDER, "composition": composition})
    assert "From left to right, in this exact order: mug, book, glasses." in brief.prompt
    assert [f for f in brief.findings if f.rule == "exactness"] == []


@pytest.mark.parametrize(("composition", "item"), [
    ("the glasses on the left, by the window", "glass"),
    ("mug right", "mug"),
    ("the mug sits in the centre", "mug"),
])
def test_a_placement_that_contradicts_the_order(lib: LintLibrary, composition: str, item: str) -> None:
    [finding] = lib.findings("exactness", deltas={"order": ORDER, "composition": composition})
    assert finding.severity is Severity.ERROR and f'"{item}"' in finding.message
    assert finding.locations[0].field == "deltas.composition"


def test_two_orders_that_differ(lib: LintLibrary) -> None:
    lib.edit(SCENE, "mood: quiet", "mood: quiet\ncomposition: left to right, book, mug and glasses")
    [finding] = lib.findings("exactness", deltas={"order": ORDER})
    assert finding.severity is Severity.ERROR and "book, mug, glass" in finding.message


def test_the_same_order_twice_is_a_notice(lib: LintLibrary) -> None:
    lib.edit(SCENE, "mood: quiet", "mood: quiet\ncomposition: from left to right, mug, book, glasses")
    [finding] = lib.findings("exactness", deltas={"order": ORDER})
    assert finding.severity is Severity.NOTICE


def test_a_movement_from_left_to_right_is_not_an_order(lib: LintLibrary) -> None:
    lib.edit(SCENE, "motion: boats rock gently", "motion: the camera tracks from left to right along the quay, gulls")
    assert lib.findings("exactness", target="sora-2", deltas={"order": ORDER}) == []


def test_an_order_that_repeats_or_names_one_subject(lib: LintLibrary) -> None:
    [repeat] = lib.findings("exactness", deltas={"order": ["mug", "book", "Mug"]})
    assert repeat.severity is Severity.ERROR and repeat.locations[0].field == "deltas.order.2"
    [single] = lib.findings("exactness", deltas={"order": ["mug"]})
    assert single.severity is Severity.WARNING
