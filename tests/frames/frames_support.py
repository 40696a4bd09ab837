"""Helpers of the frame lifecycle tests: a copy of the bundled library, a reviewed storyboard run."""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result
from fakes.fixtures import FAST_ENV, FAST_POLL, FAST_RETRY
from fakes.kie import FakeKie

from composer.backends import make_backend
from composer.campaign import Planner, open_campaign
from composer.campaign.ledger import Ledger
from composer.campaign.run import RunSettings, run_campaign
from composer.cli import main
from composer.compose import Composer
from composer.library import Library
from composer.review.approved import approved_frames
from composer.review.store import ReviewStore

REPO = Path(__file__).resolve().parents[2]
LIBRARY_PARTS = ("bibles", "brand_kits", "templates", "rubrics", "examples", "composer.yaml")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its SHA-256: what "nothing written" is checked against."""
    return {str(p.relative_to(root)): sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


def cli(*args: str, library: Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [*args, "--library", str(library)], env={**FAST_ENV, **(env or {})})


def copy_library(tmp_path: Path) -> Path:
    """A copy of the bundled library (its files may be changed)."""
    root = tmp_path / "lib"
    root.mkdir()
    for part in LIBRARY_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        else:
            shutil.copyfile(source, root / part)
    return root


@dataclass(frozen=True)
class Storyboard:
    """The storyboard's stills run once in ``folder``: ``approved`` approved by ann, ``rejected``
    rejected by bob, the rest unreviewed."""

    folder: Path
    stills: dict[str, Path]
    """Ledger id -> its image."""
    tasks: dict[str, str]
    """Ledger id -> the provider's task id."""
    approved: str
    rejected: str


def run_storyboard(library: Path, tmp_path: Path, fake_kie: FakeKie) -> Storyboard:
    out = tmp_path / "storyboard"
    lib = Library(library)
    campaign = open_campaign(library / "examples/campaigns/storyboard.yaml", lib)

    def backend(name: str):  # type: ignore[no-untyped-def]
        return make_backend(name, fake_kie.settings(), poll=FAST_POLL, retry=FAST_RETRY)

    run_campaign(campaign, Planner(Composer(lib)), out, backend, RunSettings(concurrency=4, retry_delay=0.01),
                 approvals=approved_frames)
    with Ledger(out, create=False) as ledger:
        entries = ledger.entries()
    stills = {e.id: out / e.files[0]["path"] for e in entries.values() if e.state == "done"}
    tasks = {e.id: e.task_id or "" for e in entries.values()}
    ids = sorted(i for i in stills if "teapot-gone" in i or "owl-sees-it" in i)
    approved = next(i for i in ids if "teapot-gone" in i)
    rejected = next(i for i in ids if "owl-sees-it" in i)
    with ReviewStore.open(out, library=lib) as store:
        store.save("ann", approved, 1, verdict="approve")
        store.save("bob", rejected, 1, verdict="reject")
    return Storyboard(out, stills, tasks, approved, rejected)
