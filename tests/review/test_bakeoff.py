"""Bake-off: a group names several targets (or backends); plan costs each, expansion makes each."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie
from fakes.openai_images import FakeOpenAI

from composer.campaign import CampaignFileError, open_campaign
from composer.cli import main
from composer.library import Library

BAKEOFF = Path(__file__).resolve().parents[2] / "examples" / "campaigns" / "bakeoff.yaml"


def test_the_bundled_bakeoff_is_forty_briefs_through_two_models(example_library: Path) -> None:
    shots = open_campaign(BAKEOFF, Library(example_library)).shots
    assert len(shots) == 80
    bases = {s.id.partition("@")[0] for s in shots}
    assert len(bases) == 40
    assert {s.id.partition("@")[2] for s in shots} == {"gpt-image-2", "openai-gpt-image-2"}
    assert all(s.spec.target == s.id.partition("@")[2] and s.spec.name == s.id for s in shots)
    groups = {s.group.split("-", 1)[1] for s in shots}
    assert groups == {"portrait", "product", "architecture", "illustration", "mockup", "abstract"}
    assert sum(1 for s in shots if s.group.startswith("t2i")) == 40


def test_plan_costs_each_model(example_library: Path) -> None:
    result = CliRunner().invoke(main, ["campaign", "plan", str(BAKEOFF), "--library", str(example_library),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {m: (t["images"], t["blocked"]) for m, t in data["models"].items()} == {
        "gpt-image-2 on kie": (40, 0), "openai-gpt-image-2 on openai": (40, 0)}
    modes = {(s["target"], s["mode"]) for s in data["shots"]}
    assert modes == {(t, m) for t in ("gpt-image-2", "openai-gpt-image-2")
                     for m in ("text-to-image", "image-to-image")}
    table = CliRunner().invoke(main, ["campaign", "plan", str(BAKEOFF), "--library", str(example_library)]).stdout
    assert "gpt-image-2 on kie                40       480      $2.40" in table


def campaign(tmp_path: Path, group: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(f"cast:\n  ada: {{characters: [ada]}}\ngroups:\n  g:\n    cast: [ada]\n    scenes: [harbour]\n"
                    f"{group}", encoding="utf-8")
    return path


def test_a_backend_bakeoff_sends_the_same_brief_to_each_backend(tmp_path: Path, mini_library: Path) -> None:
    shots = open_campaign(campaign(tmp_path, "    backends: [kie, openai]\n"), Library(mini_library)).shots
    assert [(s.id.partition("@")[2], s.backend) for s in shots] == [("kie", "kie"), ("openai", "openai")]
    assert shots[0].spec.target == shots[1].spec.target is None


@pytest.mark.parametrize(("group", "message"), [
    ("    target: gpt-image-2\n    targets: [gpt-image-2, openai-gpt-image-2]\n",
     "a group names either `target` or `targets`, not both"),
    ("    targets: [gpt-image-2]\n", "`targets` names a bake-off: list two or more (or use `target`)"),
    ("    targets: [gpt-image-2, gpt-image-2]\n", "`targets` lists the same one twice"),
    ("    targets: [gpt-image-2, openai-gpt-image-2]\n    backends: [kie, openai]\n",
     "a bake-off group names `targets` or `backends`, not both"),
    ("    targets: [gpt-image-2, gpt-image-3]\n", "c.yaml:7: groups.g.targets.1: unknown target 'gpt-image-3'"),
])
def test_bad_bakeoff_groups_are_refused(tmp_path: Path, mini_library: Path, group: str, message: str) -> None:
    with pytest.raises(CampaignFileError, match=re.escape(message)):
        open_campaign(campaign(tmp_path, group), Library(mini_library))


def test_a_backend_bakeoff_runs_on_both_backends(tmp_path: Path, mini_library: Path, fake_kie: FakeKie,
                                                 fake_openai: FakeOpenAI) -> None:
    out = tmp_path / "out"
    env = {**fake_kie.env(), **fake_openai.env(), **FAST_ENV}
    result = CliRunner().invoke(main, ["campaign", "run", str(campaign(tmp_path, "    backends: [kie, openai]\n")),
                                       "--out", str(out), "--library", str(mini_library)], env=env)
    assert result.exit_code == 0, result.output
    assert "2 generated" in result.stderr
    assert fake_kie.calls["createTask"] == 1 and sum(fake_openai.calls.values()) == 1
    assert sorted(p.name.partition("@")[2] for p in (out / "images").glob("*.png")) == ["kie.png", "openai.png"]


def test_blind_findings_mask_the_models_they_name() -> None:
    from composer.review.findings import Line, TakeFindings

    found = TakeFindings(None, qc_lines=(Line("warning", "near-duplicate",
                                              "near-duplicate of /x/images/h1@openai-gpt-image-2.png (0 bits apart)"),
                                         Line("notice", "palette", "gpt-image-2 drifted")))
    masked = found.blinded(["gpt-image-2", "openai"])
    assert [line.message for line in masked.qc_lines] == [
        "near-duplicate of /x/images/h1@(hidden).png (0 bits apart)", "(hidden) drifted"]
