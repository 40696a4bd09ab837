"""Benchmark: plan + export of a campaign against composing and linting the same shots in a loop.

Run by hand (not in CI) from the repository root:

    TIKTOKEN_CACHE_DIR=../shared/tiktoken .venv/bin/python bench/campaign_plan.py [--repeats 9] [CAMPAIGN]

CAMPAIGN defaults to the seed campaign (examples/campaigns/spring-collection.yaml, 145 shots).
Plan + export is what ``compose campaign export`` does after parsing its arguments: read, validate
and expand the campaign file, compose, lint and price every shot, write three prompt files per
shot, ``manifest.csv`` and ``index.md``. The floor is ``Composer.compose`` over the very same
ShotSpecs in a plain loop, reading each brief's lint findings (``Brief.findings`` is computed on
first read; a campaign lints every shot to block the ones with errors), writing nothing; the
compose-only loop is printed beside it. One Composer, warm caches, one core for all three. They
are timed in turn within each repeat, in wall time and in this process's CPU time (user + system:
on a machine shared with other jobs, wall time also counts the waits for a core); each figure is
the best of ``--repeats``, and the ratio's median over the repeats is printed too. Target:
plan + export <= 1.5x the compose + lint loop. The prompt files go under ``$TMPDIR``.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from composer.campaign import Planner, export_campaign, open_campaign
from composer.compose import Composer
from composer.library import Library

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "examples" / "campaigns" / "spring-collection.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("campaign", nargs="?", type=Path, default=SEED)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    library = Library(REPO)
    specs = [shot.spec for shot in open_campaign(args.campaign, library).shots]
    composer = Composer(library)
    composer.compose(specs[0]).findings  # noqa: B018 (warm the tokenizer, templates and caches for all three)
    work = Path(tempfile.mkdtemp(prefix="campaign-plan-bench-"))
    times: dict[str, list[tuple[float, float]]] = {"compose loop": [], "compose + lint loop": [], "plan + export": []}
    for repeat in range(args.repeats):
        with timed(times["compose loop"]):
            for spec in specs:
                composer.compose(spec)
        with timed(times["compose + lint loop"]):
            for spec in specs:
                composer.compose(spec).findings  # noqa: B018 (computed on first read)
        with timed(times["plan + export"]):
            result = export_campaign(open_campaign(args.campaign, library), Planner(composer), work / f"out-{repeat}")
        assert result.plan.total.shots == len(specs) and result.files == 3 * len(specs)
    shutil.rmtree(work)
    print(f"{len(specs):,} shots ({args.campaign.name}; {3 * len(specs):,} prompt files, manifest.csv, index.md), "
          f"best of {args.repeats}:")
    for clock, which in (("wall", 0), ("CPU", 1)):
        best = {name: min(t[which] for t in runs) for name, runs in times.items()}
        pairs = zip(times["plan + export"], times["compose + lint loop"], strict=True)
        ratios = [e[which] / f[which] for e, f in pairs]
        print(f"  {clock}: " + "; ".join(f"{name} {value * 1000:,.0f} ms" for name, value in best.items())
              + f"; plan + export / compose + lint loop {best['plan + export'] / best['compose + lint loop']:.2f}x "
              f"(median of the repeats {statistics.median(ratios):.2f}x; target <= 1.5x), "
              f"/ compose loop {best['plan + export'] / best['compose loop']:.2f}x")


@contextlib.contextmanager
def timed(into: list[tuple[float, float]]) -> Iterator[None]:
    """Append (wall seconds, CPU seconds) of the block to ``into``."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into.append((time.perf_counter() - wall, time.process_time() - cpu))


if __name__ == "__main__":
    main()
