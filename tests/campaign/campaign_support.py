"""Helpers shared by the campaign tests: a small campaign over the mini library, and fast runs."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fakes.fixtures import FAST_POLL, FAST_RETRY
from fakes.kie import FakeKie

from composer.backends import Backend, make_backend
from composer.campaign import Expansion, Planner, open_campaign
from composer.campaign.ledger import Ledger
from composer.campaign.run import RunSettings, RunStats, run_campaign
from composer.compose import Composer
from composer.library import Library

SMALL = """\
name: Harbour test
options: {aspect_ratio: "4:5", resolution: 1K}
cast:
  ada: {characters: [ada]}
  bo: {characters: [bo]}
  pair: {characters: [ada, bo]}
groups:
  portraits:
    cast: [ada, bo, pair]
    scenes: [harbour]
    variants:
      - {name: wide, deltas: {framing: wide shot}}
      - {name: close, deltas: {framing: close-up}, options: {aspect_ratio: "1:1"}}
      - {name: dawn, deltas: {lighting: first light}}
      - {name: dusk, deltas: {lighting: last light}}
"""
"""12 shots, each with its own prompt (no takes), 4 of them text-to-image (bo alone)."""

FAST = RunSettings(concurrency=4, retry_delay=0.01)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def expansion_of(path: Path, library_root: Path, **kwargs: Any) -> Expansion:
    return open_campaign(path, Library(library_root), **kwargs)


def planner_for(library_root: Path) -> Planner:
    return Planner(Composer(Library(library_root)))


def factory(fake: FakeKie, **options: Any) -> Callable[[str], Backend]:
    def make(name: str) -> Backend:
        return make_backend(name, fake.settings(), poll=FAST_POLL, retry=FAST_RETRY, **options)
    return make


def run(campaign: Path, library: Path, out: Path, fake: FakeKie, settings: RunSettings = FAST,
        **options: Any) -> RunStats:
    return run_campaign(expansion_of(campaign, library), planner_for(library), out, factory(fake, **options),
                        settings)


def prompts_created(fake: FakeKie) -> Counter[str]:
    return Counter(body["input"]["prompt"] for body in fake.requests)


def assert_each_shot_done_once(out: Path, fake: FakeKie, shots: int) -> None:
    """Every shot done, with one provider task each, its image on disk with the recorded hash."""
    with Ledger(out, create=False) as ledger:
        entries = ledger.entries()
        tasks = ledger.tasks()
    assert len(entries) == shots and {e.state for e in entries.values()} == {"done"}
    assert sorted(shot for _, shot in tasks) == sorted(entries)  # one task per shot in the ledger...
    assert len(fake.tasks) == shots  # ...and on the provider's side: none created twice
    assert set(prompts_created(fake).values()) == {1}
    assert {task_id for task_id, _ in tasks} == set(fake.tasks)
    for entry in entries.values():
        [record] = entry.files
        data = (out / record["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record["sha256"]
        assert data in fake.served.values()
