"""The rubric is data: the bundled default, a library's own rubrics, and `compose validate` checking them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from composer.cli import main
from composer.errors import LibraryError, UnknownAssetError
from composer.library import Library, bundled_library
from composer.models import Rubric


def test_the_default_rubric_is_the_seeds_five_dimensions() -> None:
    rubric = Library(bundled_library()).rubric().model
    assert [d.name for d in rubric.dimensions] == [
        "Image fidelity", "Prompt adherence", "Character & style consistency", "Multimodal & input flexibility",
        "Ease of use & cost"]
    assert (rubric.scale_min, rubric.scale_max, rubric.divergence_threshold) == (0, 10, 1)
    fidelity = rubric.dimensions[0]
    assert [(a.score, a.means) for a in fidelity.anchors][:2] == [
        (10, "nothing obviously wrong at 100% crop; a client deliverable with zero retouching"),
        (7, "passes a quick review; ten minutes of cleanup")]


def test_a_library_without_rubrics_falls_back_to_the_bundled_ones(mini_library: Path) -> None:
    assert Library(mini_library).rubric("default").model.dimension_ids()[0] == "fidelity"
    with pytest.raises(UnknownAssetError, match="unknown rubric 'strict'"):
        Library(mini_library).rubric("strict")


def test_a_library_rubric_wins_over_the_bundled_one(mini_library: Path) -> None:
    (mini_library / "rubrics").mkdir()
    (mini_library / "rubrics/default.yaml").write_text(
        "name: Ours\ndivergence_threshold: 2\ndimensions:\n"
        "  - {id: overall, name: Overall, question: Good?, anchors: [{score: 10, means: great}]}\n",
        encoding="utf-8")
    rubric = Library(mini_library).rubric().model
    assert (rubric.name, rubric.divergence_threshold, rubric.dimension_ids()) == ("Ours", 2, ["overall"])


@pytest.mark.parametrize(("dimensions", "message"), [
    ("[{id: a, name: A, question: Q, anchors: [{score: 10, means: x}]}, "
     "{id: a, name: B, question: Q, anchors: [{score: 10, means: x}]}]", "dimensions.1.id: 'a' is used twice"),
    ("[{id: note, name: A, question: Q, anchors: [{score: 10, means: x}]}]",
     "dimensions.0.id: 'note' is a reserved export column"),
    ("[{id: a, name: A, question: Q, anchors: [{score: 4, means: x}, {score: 7, means: y}]}]",
     "dimensions.0.anchors: list each score once, highest first"),
    ("[{id: a, name: A, question: Q, anchors: [{score: 12, means: x}]}]",
     "dimensions.0.anchors: scores must lie in 0-10"),
])
def test_compose_validate_checks_rubrics(mini_library: Path, dimensions: str, message: str) -> None:
    path = mini_library / "rubrics/bad.yaml"
    path.parent.mkdir()
    path.write_text(f"name: Bad\ndimensions: {dimensions}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--library", str(mini_library)])
    assert result.exit_code != 0
    assert "rubrics/bad.yaml" in result.output and message in result.output
    with pytest.raises(LibraryError, match=message.replace("(", r"\(")):
        Library(mini_library).rubric("bad")


def test_an_unknown_field_in_a_rubric_is_located(mini_library: Path) -> None:
    path = mini_library / "rubrics/typo.yaml"
    path.parent.mkdir()
    path.write_text("name: T\nthreshold: 2\ndimensions: []\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--library", str(mini_library)])
    assert "typo.yaml:2: threshold: unknown field" in result.output
    assert Rubric.model_fields["divergence_threshold"].default == 1
