"""Planning (cost from the price table), export (prompt files, manifest.csv, index.md) and the CLI."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from campaign_support import SMALL, expansion_of, planner_for, write
from click.testing import CliRunner

from composer.backends.prices import PriceTable
from composer.campaign import BudgetError, CampaignError, export_campaign
from composer.campaign.export import MANIFEST_FIELDS
from composer.cli import main
from composer.compose import Composer
from composer.errors import ExportError
from composer.export import export_prompt_files
from composer.library import Library

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "campaigns" / "spring-collection.yaml"


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_seed_campaign_plans_145_images_at_the_configured_price() -> None:
    expansion = expansion_of(SEED, REPO)
    plan = planner_for(REPO).plan(expansion)
    assert plan.total.images == 145
    assert {g: t.images for g, t in plan.groups.items()} == {"hero": 30, "lifestyle": 60, "banners": 15,
                                                             "thumbnails": 40}
    per_sku = Counter(p for row in plan.rows for p in row.shot.spec.products)
    assert len(per_sku) == 10 and min(per_sku.values()) == 3 + 6 + 4
    assert Counter(row.shot.spec.characters.count("red-curls") for row in plan.rows)[1] == 60
    prices = PriceTable.load(REPO).prices.kie
    entry = prices.models["gpt-image-2"]
    assert entry.credits is not None and not entry.per_resolution, "the test assumes a flat per-image price"
    assert prices.credit_usd is not None
    assert plan.total.credits == 145 * entry.credits
    assert plan.total.usd == pytest.approx(145 * entry.credits * prices.credit_usd)
    assert plan.total.unpriced == 0 and plan.total.blocked == 0


def test_costs_follow_the_library_price_table(small_campaign: Path, mini_library: Path) -> None:
    write(mini_library / "prices.yaml", "kie:\n  models:\n    gpt-image-2:\n      per_resolution: {1K: 6, 2K: 10}\n")
    text = small_campaign.read_text().replace("{name: dusk, deltas: {lighting: last light}}",
                                              "{name: dusk, deltas: {lighting: last light}, options: "
                                              "{aspect_ratio: \"16:9\", resolution: 2K}}")
    plan = planner_for(mini_library).plan(expansion_of(write(small_campaign, text), mini_library))
    assert plan.total.credits == 9 * 6 + 3 * 10
    assert {row.shot.variant: row.cost.credits for row in plan.rows if row.shot.cast == "ada"} == {
        "wide": 6, "close": 6, "dawn": 6, "dusk": 10}


def test_budget_checks(small_campaign: Path, mini_library: Path) -> None:
    plan = planner_for(mini_library).plan(expansion_of(small_campaign, mini_library))
    plan.check_budget(plan.total.credits)  # exactly enough is enough
    with pytest.raises(BudgetError, match=f"estimated at {plan.total.credits:g} credits, over the budget"):
        plan.check_budget(plan.total.credits - 1)
    with pytest.raises(BudgetError, match="below the price of one image"):
        plan.check_budget(plan.rows[0].cost.credits - 0.5)  # type: ignore[operator]


def test_plan_cli_formats(small_campaign: Path, mini_library: Path) -> None:
    code, out, err = cli("campaign", "plan", str(small_campaign), "--library", str(mini_library))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["id", "group", "cast", "scene"]
    assert sum(1 for line in lines if line.startswith("portraits-")) == 12
    assert any(line.split()[:3] == ["total", "12", "144"] for line in lines)
    code, out, _ = cli("campaign", "plan", str(small_campaign), "--library", str(mini_library), "--format", "json")
    data = json.loads(out)
    assert data["total"]["images"] == 12 and len(data["shots"]) == 12
    assert data["groups"]["portraits"]["credits"] == sum(s["credits"] for s in data["shots"])
    code, out, _ = cli("campaign", "plan", str(small_campaign), "--library", str(mini_library), "--format", "csv")
    rows = list(csv.DictReader(out.splitlines()))
    assert len(rows) == 12 and {r["mode"] for r in rows} == {"image-to-image", "text-to-image"}


def test_plan_cli_budget_failure_is_one_line(small_campaign: Path, mini_library: Path) -> None:
    code, _, err = cli("campaign", "plan", str(small_campaign), "--library", str(mini_library),
                       "--budget-credits", "100")
    assert code == 1
    assert err == "Error: the campaign is estimated at 144 credits, over the budget of 100 credits (by 44)\n"
    code, _, err = cli("campaign", "plan", str(small_campaign), "--library", str(mini_library),
                       "--budget-credits", "5")
    assert code == 1 and "below the price of one image (12 credits)" in err


def test_bad_campaign_cli_is_one_line_and_writes_nothing(tmp_path: Path, mini_library: Path) -> None:
    bad = write(tmp_path / "bad.yaml", SMALL.replace("scenes: [harbour]", "scenes: [harbor]"))
    out = tmp_path / "out"
    code, _, err = cli("campaign", "export", str(bad), "--library", str(mini_library), "--out", str(out))
    assert code == 1
    assert err.count("\n") == 1 and "unknown scene 'harbor' (did you mean 'harbour'?)" in err
    assert not out.exists()


def test_export_writes_the_same_prompt_files_as_compose_shot(small_campaign: Path, mini_library: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    expansion = expansion_of(small_campaign, mini_library)
    result = export_campaign(expansion, planner_for(mini_library), out)
    assert result.files == 36
    composer = Composer(Library(mini_library))
    reference = tmp_path / "reference"
    for shot in expansion.shots[:3]:
        options = shot.options.model_dump(exclude_none=True)
        for path in export_prompt_files(composer.compose(shot.spec), reference, options=options):
            # The same files, but for where the frames are: briefs/ is one folder down from frames/.
            # (Only relative ``frames/`` references: a checkout in a folder named frames has it in its paths.)
            expected = re.sub(r"(?<![/\w.])frames/", "../frames/", path.read_text(encoding="utf-8"))
            assert (out / "briefs" / path.name).read_text(encoding="utf-8") == expected
        copies = sorted(p.name for p in (reference / "frames").iterdir())
        assert sorted(p.name for p in (out / "frames").iterdir()) == copies
    assert sorted(p.name for p in (out / "briefs").iterdir()) == sorted(
        f"{s.id}.{ext}" for s in expansion.shots for ext in ("txt", "md", "json"))


def test_manifest_and_index(small_campaign: Path, mini_library: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = cli("campaign", "export", str(small_campaign), "--library", str(mini_library), "--out", str(out))
    assert code == 0, err
    with (out / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == MANIFEST_FIELDS
    assert len(rows) == 12 and len({r["id"] for r in rows}) == 12
    for row in rows:
        prompt = (out / row["prompt_file"]).read_text(encoding="utf-8")
        assert int(row["chars"]) == len(prompt)
        assert row["output"] == f"images/{row['id']}.png"
        assert (row["reference_frames"] != "") == (row["mode"] == "image-to-image")
        assert float(row["credits"]) == 12
    index = (out / "index.md").read_text(encoding="utf-8")
    assert index.startswith("# Harbour test\n")
    assert "## portraits" in index and "12 shots, 12 images, 144 credits" in index
    assert all(f"[md](briefs/{r['id']}.md)" in index for r in rows)


def test_lint_errors_block_shots_in_plan_and_manifest(small_campaign: Path, mini_library: Path,
                                                      tmp_path: Path) -> None:
    brand = mini_library / "brand_kits" / "acme.yaml"
    brand.write_text(brand.read_text().replace("[lens flare]", "[lens flare, yellow anywhere in frame]"))
    plan = planner_for(mini_library).plan(expansion_of(small_campaign, mini_library))
    blocked = {row.shot.cast for row in plan.rows if row.blocked}
    assert blocked == {"ada", "pair"}  # Ada's yellow raincoat against the brand's "no yellow"
    assert plan.total.blocked == 8
    assert all("yellow" in row.blocked[0] for row in plan.rows if row.blocked)
    out = tmp_path / "out"
    export_campaign(expansion_of(small_campaign, mini_library), planner_for(mini_library), out)
    with (out / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        assert sum(1 for r in csv.DictReader(fh) if r["blocked"]) == 8


def test_options_the_provider_refuses_are_bad_input(small_campaign: Path, mini_library: Path) -> None:
    text = small_campaign.read_text().replace('options: {aspect_ratio: "1:1"}',
                                              'options: {aspect_ratio: "1:1", resolution: 4K}')
    with pytest.raises(CampaignError) as caught:
        planner_for(mini_library).plan(expansion_of(write(small_campaign, text), mini_library))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{small_campaign}: 3 shots cannot be composed: options of group 'portraits': ")
    assert "aspect ratio 1:1 is offered at 1K or 2K only, not 4K [3 shots: portraits-" in message


def test_shots_that_cannot_be_composed_are_reported_together(small_campaign: Path, mini_library: Path) -> None:
    (mini_library / "bibles" / "characters" / "frames" / "ada.png").unlink()
    with pytest.raises(CampaignError) as caught:
        planner_for(mini_library).plan(expansion_of(small_campaign, mini_library))
    message = str(caught.value)
    assert message.startswith(f"{small_campaign}: 8 shots cannot be composed: ")
    assert message.count("ada.png: file not found") == 1  # one reason, once, for the eight shots
    assert "[8 shots: portraits-" in message and "and 5 more]" in message


def test_an_export_reports_every_shot_that_cannot_be_composed_and_writes_no_manifest(
        small_campaign: Path, mini_library: Path, tmp_path: Path) -> None:
    expansion = expansion_of(small_campaign, mini_library)
    (mini_library / "bibles" / "characters" / "frames" / "ada.png").unlink()
    with pytest.raises(CampaignError, match=r"8 shots cannot be composed: .*ada.png: file not found \[8 shots"):
        export_campaign(expansion, planner_for(mini_library), tmp_path / "out")
    assert not (tmp_path / "out" / "manifest.csv").exists()


def test_a_prompt_file_that_cannot_be_written_fails_the_export_cleanly(
        small_campaign: Path, mini_library: Path, tmp_path: Path) -> None:
    expansion = expansion_of(small_campaign, mini_library)
    out = tmp_path / "out"
    blocker = out / "briefs" / f"{expansion.shots[7].id}.md"
    blocker.mkdir(parents=True)  # a folder where the file should go: unwritable even for root
    with pytest.raises(ExportError) as caught:
        export_campaign(expansion, planner_for(mini_library), out)
    assert str(caught.value) == f"cannot write {blocker}: Is a directory"
    left = sorted(p.name for p in (out / "briefs").iterdir())
    assert not [name for name in left if name.startswith(".")], "temporary files were left behind"
    assert blocker.is_dir() and not (out / "manifest.csv").exists() and not (out / "index.md").exists()
    for name in left:  # what was written is whole
        if name.endswith(".json"):
            json.loads((out / "briefs" / name).read_text())


def test_ctrl_c_during_an_export_stops_it_with_one_line(tmp_path: Path, mini_library: Path) -> None:
    """399 shots, stopped once 30 prompt files are written: a plain KeyboardInterrupt, exit 130."""
    variants = 133
    lines = "\n".join(f"      - {{name: v{i}, deltas: {{framing: 'framing {i}'}}}}" for i in range(variants))
    campaign = write(tmp_path / "big.yaml", SMALL.split("    variants:\n")[0] + f"    variants:\n{lines}\n")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "composer.cli", "campaign", "export", str(campaign), "--library",
               str(mini_library), "--out", str(out)]
    export = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (out / "briefs").is_dir() or len(os.listdir(out / "briefs")) < 30:  # the export is writing
            assert export.poll() is None, export.communicate()[1].decode()
            assert time.monotonic() < deadline, "the export never started writing"
            time.sleep(0.01)
        os.killpg(export.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
        _, err = export.communicate(timeout=30)
    finally:
        if export.poll() is None:
            os.killpg(export.pid, signal.SIGKILL)
            export.communicate()
    assert (export.returncode, err.decode()) == (130, "Interrupted.\n")  # no traceback
    with pytest.raises(ProcessLookupError):
        os.killpg(export.pid, 0)  # nothing outlives the export
    names = os.listdir(out / "briefs")
    assert len(names) < 3 * 3 * variants and not [n for n in names if n.startswith(".")]
    assert not (out / "manifest.csv").exists()
