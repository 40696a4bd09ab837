"""The price table is data with sources and dates; a library's prices.yaml overrides it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from composer.backends import GenerationOptions, Job, PriceTable
from composer.backends.prices import BUNDLED_PRICES
from composer.cli import main
from composer.errors import LibraryError

BUNDLED = yaml.safe_load(BUNDLED_PRICES.read_text(encoding="utf-8"))


def kie_job(**options: object) -> Job:
    return Job("p", options=GenerationOptions(**options))  # type: ignore[arg-type]


def test_default_gpt_image_2_on_kie_is_the_seed_price() -> None:
    cost = PriceTable.load().kie_cost(kie_job())
    entry = BUNDLED["kie"]["models"]["gpt-image-2"]
    assert cost.credits == entry["credits"] == 12
    assert cost.usd == pytest.approx(12 * BUNDLED["kie"]["credit_usd"]) == pytest.approx(0.06)
    assert cost.source == entry["source"] and cost.date == entry["date"] == "2026-04"
    assert "12 credits x $0.005" in cost.describe()
    # Image-to-image costs the same flat price.
    assert PriceTable.load().kie_cost(Job("p", reference_frames=(Path("f.png"),))).credits == 12


def test_library_override_replaces_entries_and_credit_value(tmp_path: Path) -> None:
    (tmp_path / "prices.yaml").write_text(
        "kie:\n  credit_usd: 0.004\n  credit_source: our invoice\n  credit_date: '2026-11'\n"
        "  models:\n    gpt-image-2:\n      per_resolution: {1K: 6, 2K: 10, 4K: 16}\n"
        "      source: KIE price page\n      date: '2026-11-20'\n", encoding="utf-8")
    table = PriceTable.load(tmp_path)
    cost = table.kie_cost(kie_job(aspect_ratio="16:9", resolution="4K"))
    expected = (16, pytest.approx(0.064), "KIE price page", "2026-11-20")
    assert (cost.credits, cost.usd, cost.source, cost.date) == expected
    assert table.kie_cost(kie_job()).credits == 6  # no resolution sent: KIE renders 1K
    # OpenAI entries the override does not mention stay as bundled.
    assert table.prices.openai.models["gpt-image-2"].usd_per_image["high"] == \
        BUNDLED["openai"]["models"]["gpt-image-2"]["usd_per_image"]["high"]
    assert table.kie_cost(kie_job(aspect_ratio="16:9", resolution="2K")).credits == 10


def test_bad_override_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "prices.yaml").write_text("kie:\n  models:\n    gpt-image-2:\n      credit: 12\n", encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        PriceTable.load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'prices.yaml'}:4: kie.models.gpt-image-2.credit: unknown field")


def test_unknown_price_says_where_to_set_it() -> None:
    sora = Job("p", reference_frames=(Path("f.png"),), target="sora-2", model="sora-2-image-to-video", kind="video")
    cost = PriceTable.load().kie_cost(sora)
    assert cost.usd is None and "prices.yaml" in cost.describe()


def openai_job(**options: object) -> Job:
    return Job("p", backend="openai", options=GenerationOptions(**options))  # type: ignore[arg-type]


def test_openai_estimate_is_priced_by_quality_and_size_not_pixels() -> None:
    table = PriceTable.load()
    per_image = BUNDLED["openai"]["models"]["gpt-image-2"]["usd_per_image"]
    square = table.openai_estimate(openai_job(quality="low", size="1024x1024"))
    portrait = table.openai_estimate(openai_job(quality="low", size="1024x1536"))
    assert square.usd == pytest.approx(per_image["low"]["1024x1024"]) == pytest.approx(0.006)
    # OpenAI's own table: 1024x1536 costs less than 1024x1024 at the same quality.
    assert portrait.usd == pytest.approx(0.005) and portrait.usd < square.usd
    assert "low quality, 1024x1536, $0.005/image" in portrait.basis and portrait.date == "2026-05-06"
    assert table.openai_estimate(openai_job(quality="high", size="1536x1024")).usd == pytest.approx(0.165)
    auto = table.openai_estimate(openai_job())  # auto quality as high, auto size as the dearest size
    assert auto.usd == pytest.approx(per_image["high"]["1024x1024"]) and "auto size priced as 1024x1024" in auto.basis
    unlisted = table.openai_estimate(openai_job(quality="low", size="2048x1024"))
    assert unlisted.usd is None and "no price for openai/gpt-image-2 low quality at 2048x1024" in unlisted.basis


def test_kie_per_resolution_entries_carry_their_own_source_and_date(tmp_path: Path) -> None:
    (tmp_path / "prices.yaml").write_text(
        "kie:\n  models:\n    gpt-image-2:\n      credits: 12\n      source: seed\n      date: '2026-04'\n"
        "      per_resolution:\n        2K: {credits: 10, source: third-party reading, date: '2026-11'}\n"
        "        4K: 16\n", encoding="utf-8")
    table = PriceTable.load(tmp_path)
    two_k = table.kie_cost(kie_job(aspect_ratio="16:9", resolution="2K"))
    assert (two_k.credits, two_k.source, two_k.date) == (10, "third-party reading", "2026-11")
    four_k = table.kie_cost(kie_job(aspect_ratio="16:9", resolution="4K"))  # a bare number: the model's provenance
    assert (four_k.credits, four_k.source, four_k.date) == (16, "seed", "2026-04")
    one_k = table.kie_cost(kie_job())  # not listed: the flat default
    assert (one_k.credits, one_k.basis) == (12, "12 credits x $0.005")
    rows = {(r.model, r.variant): r for r in table.rows() if r.backend == "kie"}
    assert rows[("gpt-image-2", "2K")].source == "third-party reading" and rows[("gpt-image-2", "")].credits == 12
    assert rows[("gpt-image-2", "4K")].usd == pytest.approx(0.08)


def test_openai_cost_from_reported_usage() -> None:
    rates = BUNDLED["openai"]["models"]["gpt-image-2"]["usd_per_million_tokens"]
    usage = {"input_tokens": 1100, "output_tokens": 4160, "total_tokens": 5260,
             "input_tokens_details": {"text_tokens": 100, "image_tokens": 1000},
             "output_tokens_details": {"image_tokens": 4160, "text_tokens": 0}}
    cost = PriceTable.load().openai_cost(Job("p", backend="openai"), usage)
    expected = (100 * rates["text_input"] + 1000 * rates["image_input"] + 4160 * rates["image_output"]) / 1e6
    assert cost.usd == pytest.approx(expected) and not cost.estimated
    assert "4,160 image output tokens" in cost.basis


def test_sora_priced_by_clip_length_from_an_override(tmp_path: Path) -> None:
    (tmp_path / "prices.yaml").write_text(
        'kie:\n  models:\n    sora-2:\n      per_n_frames: {"10": 30, "15": 45}\n      source: KIE price page\n'
        '      date: "2026-11-20"\n', encoding="utf-8")
    table = PriceTable.load(tmp_path)
    sora = {"target": "sora-2", "model": "sora-2-image-to-video", "kind": "video", "reference_frames": (Path("f"),)}
    long = table.kie_cost(Job("p", **sora, options=GenerationOptions(n_frames=15)))  # type: ignore[arg-type]
    assert (long.credits, long.usd) == (45, pytest.approx(0.225))
    unknown = table.kie_cost(Job("p", **sora))  # type: ignore[arg-type]
    assert unknown.usd is None and "pass --n-frames" in unknown.basis


PER_RESOLUTION = """\
kie:
  models:
    gpt-image-2:
      credits: 12
      source: seed article
      date: "2026-04"
      per_resolution:
        2K: {credits: 10, source: third-party reading of kie.ai/pricing, date: "2026-11"}
"""


def test_compose_prices_lists_every_figure_with_its_source(mini_library: Path) -> None:
    (mini_library / "prices.yaml").write_text(PER_RESOLUTION, encoding="utf-8")
    result = CliRunner().invoke(main, ["prices", "--library", str(mini_library)])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:4] == ["kie", "gpt-image-2", "2K", "10"] and
               line.endswith("third-party reading of kie.ai/pricing (2026-11)") for line in lines)
    assert any(line.split()[:3] == ["kie", "gpt-image-2", "12"] and line.endswith("seed article (2026-04)")
               for line in lines)
    assert any(line.split()[:5] == ["openai", "gpt-image-2", "low", "1024x1536", "$0.005"] for line in lines)
    data = json.loads(CliRunner().invoke(main, ["prices", "--format", "json", "--library", str(mini_library)]).stdout)
    assert data["files"][-1] == str(mini_library / "prices.yaml")
    assert {"backend": "kie", "model": "gpt-image-2", "variant": "2K", "credits": 10, "usd": 0.05,
            "source": "third-party reading of kie.ai/pricing", "date": "2026-11"} in data["prices"]


def test_campaign_plan_shows_each_entrys_source_and_date(mini_library: Path, tmp_path: Path) -> None:
    (mini_library / "prices.yaml").write_text(PER_RESOLUTION, encoding="utf-8")
    campaign = tmp_path / "c.yaml"
    campaign.write_text("name: t\ncast:\n  ada: {characters: [ada]}\ngroups:\n  g:\n    cast: [ada]\n"
                        "    scenes: [harbour]\n    variants:\n      - {name: small}\n"
                        "      - {name: big, options: {aspect_ratio: '16:9', resolution: 2K}}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["campaign", "plan", str(campaign), "--library", str(mini_library)])
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stdout.splitlines() if line.startswith("note: price:")]
    assert notes == ["note: price: 12 credits x $0.005 (seed article, 2026-04)",
                     "note: price: 10 credits at 2K x $0.005 (third-party reading of kie.ai/pricing, 2026-11)"]
