"""Helpers for the review tests: campaign folders made through the ledger's own API, no provider."""

from __future__ import annotations

import io
from pathlib import Path

from fakes.fixtures import FAST_POLL, FAST_RETRY
from fakes.kie import FakeKie
from PIL import Image

from composer.backends import Backend, make_backend
from composer.campaign import Planner, open_campaign
from composer.campaign.ledger import Ledger
from composer.campaign.run import RunSettings, run_campaign
from composer.compose import Composer
from composer.library import Library
from composer.review import ReviewStore


def png(path: Path, colour: tuple[int, int, int] = (200, 60, 40)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())


def plan_row(shot_id: str, group: str = "hero", credits: float = 12.0) -> dict[str, object]:
    return {"id": shot_id, "group": group, "cast": "Ada", "scene": "harbour", "variant": "", "take": 1,
            "brief_hash": "h-" + shot_id, "credits": credits, "blocked": None}


def generate(folder: Path, shot_id: str, *, target: str = "gpt-image-2", backend: str = "kie",
             task: str | None = None, credits: float | None = 12.0, usd: float | None = 0.06) -> None:
    """Take ``shot_id`` (already planned) through submitting -> submitted -> done, writing its image."""
    task = task or f"task-{shot_id}"
    with Ledger(folder) as ledger:
        entry = ledger.get(shot_id)
        if entry is not None and entry.state == "done":
            ledger.reset(shot_id)
        ledger.submitting(shot_id, "h-" + shot_id, backend)
        ledger.submitted(shot_id, task, {"job": {"prompt": "p", "target": target, "model": "gpt-image-2"}}, backend)
        image = f"images/{shot_id}-{task}.png"
        png(folder / image)
        ledger.done(shot_id, [{"path": image, "sha256": "x"}], credits, usd)


def campaign_folder(folder: Path, shots: dict[str, list[str]]) -> Path:
    """A done campaign: ``{group: [ledger ids]}``; ids ``x@openai-gpt-image-2`` go to OpenAI."""
    with Ledger(folder) as ledger:
        ledger.plan([plan_row(i, group) for group, ids in shots.items() for i in ids])
    for ids in shots.values():
        for shot_id in ids:
            openai = shot_id.endswith("@openai-gpt-image-2")
            generate(folder, shot_id, target="openai-gpt-image-2" if openai else "gpt-image-2",
                     backend="openai" if openai else "kie", credits=None if openai else 12.0,
                     usd=0.21 if openai else 0.06)
    return folder


CHECKED = """\
name: Checked
options: {aspect_ratio: "1:1", resolution: 1K}
cast:
  bo: {characters: [bo]}
groups:
  still:
    cast: [bo]
    scenes: [harbour]
    deltas:
      counts: [4 lobster pots]
      order: [a coiled rope, Bo, a gull]
      negative: [umbrellas]
"""
"""One text-to-image shot whose brief states a count, an order and a do-not-include item."""


def run_campaign_file(campaign: Path, library: Path, out: Path, fake: FakeKie) -> None:
    """``compose campaign run`` in-process against the fake KIE, quickly."""
    expansion = open_campaign(campaign, Library(library))
    planner = Planner(Composer(Library(library)))

    def backend(name: str) -> Backend:
        return make_backend(name, fake.settings(), poll=FAST_POLL, retry=FAST_RETRY)

    stats = run_campaign(expansion, planner, out, backend, RunSettings(concurrency=2, retry_delay=0.01))
    assert stats.failed == 0 and stats.not_started == 0


def score_the_sample(store: ReviewStore) -> None:
    """The scores the report tests compute by hand, on a ``campaign_folder`` of h1, h2 (each through
    gpt-image-2 as take 1 and openai-gpt-image-2 as take 2) and s1.

    KIE's takes (take 1 of h1, h2 and s1): fidelity 7, 9, 4 -> mean 20/3, sd 2.05; OpenAI's (take 2
    of h1 and h2): 5, 3 -> mean 4, sd 1. Reviewers diverge on h1 take 1 (by 2) and h2 take 2 (by 4).
    """
    save = store.save
    save("ana", "h1", 1, scores={"fidelity": 8}, verdict="approve")
    save("ben", "h1", 1, scores={"fidelity": 6}, verdict="approve")
    save("ana", "h2", 1, scores={"fidelity": 9}, verdict="approve")
    save("ben", "h2", 1, verdict="reject")
    save("ana", "s1", 1, scores={"fidelity": 4, "adherence": 2}, verdict="approve")
    save("ana", "h1", 2, scores={"fidelity": 5}, verdict="approve")
    save("ben", "h1", 2, scores={"fidelity": 5})
    save("ana", "h2", 2, scores={"fidelity": 1})
    save("ben", "h2", 2, scores={"fidelity": 5}, verdict="regenerate")


def answered_checks(tmp_path: Path, library: Path, fake: FakeKie) -> Path:
    """Three takes of the CHECKED shot with their instruction checks answered, for the honoured counts:
    the pots count honoured on 1 of 3 (ben says the second is one short), no umbrellas on 2 of 3."""
    campaign = tmp_path / "checked.yaml"
    campaign.write_text(CHECKED.replace("    deltas:", "    images: 3\n    deltas:"), encoding="utf-8")
    out = tmp_path / "out"
    run_campaign_file(campaign, library, out, fake)
    with ReviewStore.open(out) as store:
        ids = [c.id for c in store.shots()]
        assert len(ids) == 3
        for shot_id, off in zip(ids, ["0", "0", "+1"], strict=True):
            store.save("ana", shot_id, 1, checks={"count:pot": off, "avoid:umbrellas": "yes"})
        store.save("ben", ids[1], 1, checks={"count:pot": "-1", "avoid:umbrellas": "no"})
    return out
