"""compose review report: figures checked against means computed by hand, honoured counts, chart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes.kie import FakeKie
from PIL import Image
from review_support import answered_checks, campaign_folder, score_the_sample

from composer.cli import main
from composer.review import ReviewStore
from composer.review.report import build_report

SHOTS = {"hero": ["h1@gpt-image-2", "h1@openai-gpt-image-2", "h2@gpt-image-2", "h2@openai-gpt-image-2"],
         "solo": ["s1"]}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = campaign_folder(tmp_path / "out", SHOTS)
    with ReviewStore.open(folder) as store:
        score_the_sample(store)  # its docstring has the hand-computed means
    return folder


def test_figures_match_the_hand_computed_ones(folder: Path) -> None:
    with ReviewStore.open(folder) as store:
        report = build_report(store)
    kie, openai = report.rows
    assert (kie.key, kie.takes, openai.key, openai.takes) == ("gpt-image-2", 3, "openai-gpt-image-2", 2)
    fidelity = kie.dimensions["fidelity"]
    assert fidelity.takes == 3 and fidelity.mean == pytest.approx(20 / 3)
    assert fidelity.sd == pytest.approx(((1 / 3) ** 2 + (7 / 3) ** 2 + (8 / 3) ** 2) ** 0.5 / 3 ** 0.5)
    assert (kie.dimensions["adherence"].takes, kie.dimensions["adherence"].mean) == (1, 2)
    assert kie.dimensions["consistency"].mean is None
    assert (openai.dimensions["fidelity"].mean, openai.dimensions["fidelity"].sd) == (4, 1)
    assert (kie.approved, kie.rejected, openai.approved, openai.regenerate) == (2, 1, 1, 1)
    assert kie.usd_per_approved == pytest.approx(0.18 / 2) and kie.credits_per_approved == 18
    assert openai.usd_per_approved == pytest.approx(0.42) and openai.credits == 0
    assert [(d.shot_id, d.take, d.dimension, d.spread) for d in report.divergences] == [
        ("h1", 1, "fidelity", 2), ("h2", 2, "fidelity", 4)]


def test_by_group_and_backend(folder: Path) -> None:
    with ReviewStore.open(folder) as store:
        assert [(r.key, r.takes) for r in build_report(store, "group").rows] == [("hero", 4), ("solo", 1)]
        assert [r.key for r in build_report(store, "backend").rows] == ["kie", "openai"]


def test_the_report_in_every_format_and_its_chart(folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(main, ["review", "report", str(folder)])
    assert table.exit_code == 0
    assert "gpt-image-2" in table.stdout and "6.67 ±2.05" in table.stdout and "4.00 ±1.00" in table.stdout
    assert "divergences to reconcile: 2\n  h1 take 1 fidelity: ana 8, ben 6\n  h2 take 2 fidelity: ana 1, ben 5" \
        in table.stdout
    md = runner.invoke(main, ["review", "report", str(folder), "--format", "md"]).stdout
    assert "| gpt-image-2 | 3 | 2/3 | 6.67 ±2.05 |" in md
    data = json.loads(runner.invoke(main, ["review", "report", str(folder), "--format", "json"]).stdout)
    assert data["rows"][0]["dimensions"]["fidelity"] == {"takes": 3, "mean": 6.6667, "sd": 2.0548}
    csv_text = runner.invoke(main, ["review", "report", str(folder), "--format", "csv", "--by", "group"]).stdout
    assert csv_text.splitlines()[1].startswith("hero,4,2,1,1,")
    chart = tmp_path / "means.png"
    assert runner.invoke(main, ["review", "report", str(folder), "--chart", str(chart)]).exit_code == 0
    with Image.open(chart) as image:
        assert image.size == (1000, 560)
        assert image.getpixel((80, 100)) == (255, 255, 255)
        colours = {image.getpixel((x, 400)) for x in range(70, 970)}
        assert (0x4C, 0x72, 0xB0) in colours and (0xDD, 0x84, 0x52) in colours  # a bar for each model


def test_honoured_counts_per_instruction(tmp_path: Path, mini_library: Path, fake_kie: FakeKie) -> None:
    out = answered_checks(tmp_path, mini_library, fake_kie)
    with ReviewStore.open(out) as store:
        (row,) = build_report(store).rows
    assert row.checks == {"exactly 4 lobster pots": [1, 3], "no umbrellas": [2, 3]}
    assert row.kinds == {"count": [1, 3], "avoid": [2, 3]}
    table = CliRunner().invoke(main, ["review", "report", str(out)]).stdout
    assert "  exactly 4 lobster pots: 1/3\n  no umbrellas: 2/3\n" in table
    assert "  by kind: counts 1/3, do-not-include items 2/3" in table
