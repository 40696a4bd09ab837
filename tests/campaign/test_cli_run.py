"""`compose campaign run / status / sheet` through the CLI, against the fake KIE server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from campaign_support import SMALL, expansion_of, planner_for, write
from click.testing import CliRunner
from fakes.fixtures import FAST_ENV, FAST_POLL, FAST_RETRY
from fakes.kie import FakeKie
from fakes.openai_images import FakeOpenAI
from fakes.openai_images import Reply as OpenAIReply

from composer.backends import make_backend
from composer.campaign.run import run_campaign
from composer.campaign.select import RunSettings
from composer.cli import main


@pytest.fixture
def env(fake_kie: FakeKie, monkeypatch: pytest.MonkeyPatch) -> FakeKie:
    for name, value in {**fake_kie.env(), **FAST_ENV}.items():
        monkeypatch.setenv(name, value)
    return fake_kie


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_run_status_recheck_and_sheet(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                      env: FakeKie) -> None:
    out = tmp_path / "out"
    lib = ("--library", str(mini_library))
    code, _, err = cli("campaign", "run", str(small_campaign), "--out", str(out), "--concurrency", "3", *lib)
    assert code == 0, err
    assert "12 shot(s) to generate or collect; 0 already done" in err
    assert "campaign run: 12 generated, 0 already done; 144 credits spent or committed" in err
    code, text, _ = cli("campaign", "status", str(out))
    assert code == 0 and "12 shots: 12 done" in text and "provider tasks created: 12" in text
    code, data, _ = cli("campaign", "status", str(out), "--format", "json")
    status = json.loads(data)
    assert status["states"]["done"] == 12 and status["credits_spent"] == 144 and status["stale"] == []

    edited = write(tmp_path / "edited.yaml", SMALL.replace("lighting: last light", "lighting: blue hour"))
    code, data, _ = cli("campaign", "status", str(out), "--format", "json", "--recheck", str(edited), *lib)
    assert code == 0 and len(json.loads(data)["stale"]) == 3  # ada, bo and pair at dusk

    code, _, err = cli("campaign", "sheet", str(out), "--columns", "4")
    assert code == 0 and (out / "contact-sheet.png").is_file() and "wrote" in err


def test_run_refuses_a_budget_below_one_image(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                              env: FakeKie) -> None:
    code, _, err = cli("campaign", "run", str(small_campaign), "--out", str(tmp_path / "out"), "--library",
                       str(mini_library), "--budget-credits", "10")
    assert code == 1
    assert err == ("Error: a budget of 10 credits is below the price of one image (12 credits); nothing would "
                   "be generated\n")
    assert sum(env.calls.values()) == 0


def test_an_incomplete_run_exits_1_with_a_summary(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                                  env: FakeKie) -> None:
    env.outcome("fail", times=1, fail_msg="content policy")
    out = tmp_path / "out"
    code, _, err = cli("campaign", "run", str(small_campaign), "--out", str(out), "--library", str(mini_library),
                       "--budget-credits", "100")
    assert code == 1
    last = err.strip().splitlines()[-1]
    # The failed task's credits are released (KIE bills no failed task), so 8 or 9 shots start.
    match = re.match(r"Error: campaign incomplete: 1 failed, (\d) not started \(the budget of 100 credits would be "
                     r"exceeded \(96 spent or committed\)\); see `compose campaign status ", last)
    assert match is not None, last
    done = re.search(r"campaign run: (\d+) generated", err)
    assert done is not None and int(done[1]) == 8 and int(match[1]) in (3, 4)
    assert "content policy" in err


def test_status_of_a_folder_without_a_ledger(tmp_path: Path) -> None:
    code, _, err = cli("campaign", "status", str(tmp_path))
    assert code == 1 and err == f"Error: {tmp_path} has no campaign ledger (ledger.sqlite); run `compose " \
                                "campaign run` first\n"


MOTION = """\
name: Stills and motion
cast:
  ada: {characters: [ada]}
groups:
  stills:
    cast: [ada]
    scenes: [harbour]
  motion:
    cast: [ada]
    scenes: [harbour]
    target: sora-2
    options: {n_frames: 10}
"""
"""One priced still (12 credits) and one Sora 2 clip, which the bundled table cannot price."""


def test_run_refuses_unpriced_shots_under_a_budget_before_sending(mini_library: Path, tmp_path: Path,
                                                                 env: FakeKie) -> None:
    campaign = write(tmp_path / "motion.yaml", MOTION)
    args = (str(campaign), "--library", str(mini_library), "--budget-credits", "100")
    code, _, plan_err = cli("campaign", "plan", *args)
    assert code == 1 and plan_err.startswith("Error: 1 shots have no price in the price table")
    code, _, err = cli("campaign", "run", *args, "--out", str(tmp_path / "out"))
    assert code == 1 and err == plan_err  # run refuses exactly as plan does
    assert sum(env.calls.values()) == 0  # nothing uploaded, nothing created
    code, _, err = cli("campaign", "run", *args, "--out", str(tmp_path / "out"), "--allow-unpriced")
    assert code == 0, err
    assert "campaign run: 2 generated" in err and len(env.tasks) == 2
    assert {t.model for t in env.tasks.values()} == {"gpt-image-2-image-to-image", "sora-2-image-to-video"}


def test_a_moderation_refusal_in_a_campaign_is_final_and_names_the_brief(mini_library: Path,
                                                                        tmp_path: Path) -> None:
    campaign = write(tmp_path / "one.yaml", "name: one\nbackend: openai\ncast:\n  ada: {characters: [ada]}\n"
                                            "groups:\n  g:\n    cast: [ada]\n    scenes: [harbour]\n")
    out = tmp_path / "out"
    with FakeOpenAI() as fake:
        fake.script("edits", *[OpenAIReply(400, code="moderation_blocked", type="image_generation_user_error",
                                           message="Rejected by the safety system.")] * 3)
        stats = run_campaign(expansion_of(campaign, mini_library), planner_for(mini_library), out,
                             lambda name: make_backend(name, fake.settings(), poll=FAST_POLL, retry=FAST_RETRY),
                             RunSettings(retry_delay=0.01))
        assert fake.calls["edits"] == 1  # final: neither the backend nor the runner sends it again
    ((shot_id, error),) = stats.errors.items()
    assert stats.failed == 1 and error.startswith(f"{out / 'briefs' / shot_id}.txt: OpenAI's moderation refused "
                                                  "the prompt (moderation_blocked: Rejected by the safety system.)")
