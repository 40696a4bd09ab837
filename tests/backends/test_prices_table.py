"""The price table is data with sources and dates; a library's prices.yaml overrides it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from composer.backends import GenerationOptions, Job, PriceTable
from composer.backends.prices import BUNDLED_PRICES
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


def test_bad_override_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "prices.yaml").write_text("kie:\n  models:\n    gpt-image-2:\n      credit: 12\n", encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        PriceTable.load(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'prices.yaml'}:4: kie.models.gpt-image-2.credit: unknown field")


def test_unknown_price_says_where_to_set_it() -> None:
    sora = Job("p", reference_frames=(Path("f.png"),), target="sora-2", model="sora-2-image-to-video", kind="video")
    cost = PriceTable.load().kie_cost(sora)
    assert cost.usd is None and "prices.yaml" in cost.describe()


def test_openai_estimate_scales_with_quality_and_size() -> None:
    table = PriceTable.load()
    per_image = BUNDLED["openai"]["models"]["gpt-image-2"]["usd_per_image"]
    low = table.openai_estimate(Job("p", backend="openai", options=GenerationOptions(quality="low")))
    assert low.usd == pytest.approx(per_image["low"])
    auto = table.openai_estimate(Job("p", backend="openai"))
    assert auto.usd == pytest.approx(per_image["high"])  # auto is estimated at the top
    wide = table.openai_estimate(Job("p", backend="openai", options=GenerationOptions(quality="low", size="2048x1024")))
    assert wide.usd == pytest.approx(per_image["low"] * 2)


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
