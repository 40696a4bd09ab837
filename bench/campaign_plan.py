"""Benchmark: plan + export of a 10,000-shot campaign against composing the same briefs in a plain loop.

Run by hand (not in CI) from the repository root:

    TIKTOKEN_CACHE_DIR=../shared/tiktoken .venv/bin/python bench/campaign_plan.py [--shots 10000] [--repeats 2]

The campaign is ten SKUs of the example library x four product scenes x ``shots / 40`` named
variants. Plan + export is what ``compose campaign export`` does after parsing its arguments: read,
validate and expand the campaign file, compose, lint and price every shot, write three prompt
files per shot, ``manifest.csv`` and ``index.md``. The floor is ``Composer.compose`` over the very
same ShotSpecs in a plain loop (one Composer, warm caches, one core, each brief dropped once
made), writing nothing, timed twice: composing alone, and composing and reading each brief's lint findings
(``Brief.findings`` is computed on first read; a campaign must lint every shot to block the ones
with errors, as ``compose shot`` and the TUI lint every brief they show). Target: plan + export
<= 1.2x the floor. Plan + export is measured twice: in one process
(``workers=1``: what the campaign machinery adds) and as shipped (composing on every core). Each
measurement is the best of ``--repeats``. The prompt files go under ``$TMPDIR`` (``TMPDIR=/dev/shm``
takes the disk out of the measurement).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from composer.campaign import Planner, export_campaign, open_campaign
from composer.campaign.parallel import default_workers
from composer.compose import Composer
from composer.library import Library

REPO = Path(__file__).resolve().parent.parent
SKUS = ["perfume-bottle", "neroli-flacon", "travel-atomiser", "body-oil", "scented-candle", "hand-cream",
        "hair-mist", "solid-perfume", "bath-salts", "silk-scarf"]
SCENES = ["carrara-marble-overhead", "mirror-vanity", "sand-dune-golden-hour", "greek-terrace"]


def campaign_yaml(shots: int) -> str:
    per = shots // (len(SKUS) * len(SCENES))
    variants = "\n".join(
        f"      - {{name: v{i}, deltas: {{framing: 'framing {i}', notes: ['variant {i} of the spring set']}}}}"
        for i in range(per)
    )
    cast = "\n".join(f"  {sku}: {{products: [{sku}]}}" for sku in SKUS)
    return (f"name: bench {shots}\nmax_shots: {max(shots, 10_000)}\noptions: {{aspect_ratio: \"4:5\"}}\n"
            f"cast:\n{cast}\ngroups:\n  g:\n    cast: [\"*\"]\n    scenes: [{', '.join(SCENES)}]\n"
            f"    variants:\n{variants}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="campaign-plan-bench-"))
    path = work / "campaign.yaml"
    path.write_text(campaign_yaml(args.shots), encoding="utf-8")
    library = Library(REPO)
    specs = [shot.spec for shot in open_campaign(path, library).shots]
    composer = Composer(library)
    composer.compose(specs[0])  # warm the tokenizer, templates and asset caches for both sides

    loops: list[float] = []
    linted_loops: list[float] = []
    exports: dict[int | None, list[float]] = {1: [], None: []}
    for repeat in range(args.repeats):
        # Each brief is dropped as soon as it is made: holding 10,000 of them slows the loop itself
        # (the garbage collector walks them all, and nothing stays in the CPU's caches).
        start = time.perf_counter()
        for spec in specs:
            composer.compose(spec)
        loops.append(time.perf_counter() - start)
        start = time.perf_counter()
        for spec in specs:
            composer.compose(spec).findings  # noqa: B018 (computed on first read)
        linted_loops.append(time.perf_counter() - start)
        for workers, times in exports.items():
            out = work / f"out-{repeat}-{workers}"
            start = time.perf_counter()
            expansion = open_campaign(path, library)
            result = export_campaign(expansion, Planner(composer), out, workers=workers)
            times.append(time.perf_counter() - start)
            assert result.plan.total.shots == len(specs) and result.files == 3 * len(specs)
            # Deleted only at the end: on ext4 without a journal (this VM's disk), creating files
            # within minutes of deleting many scans the freed inodes (ext4's recently_deleted()).
    loop, linted_loop = min(loops), min(linted_loops)
    print(f"{len(specs):,} shots: plain compose loop {loop:.1f} s ({len(specs) / loop:,.0f} shots/s); "
          f"compose and read the lint findings {linted_loop:.1f} s ({len(specs) / linted_loop:,.0f} shots/s)")
    for workers, times in exports.items():
        export = min(times)
        how = "one process" if workers == 1 else f"{default_workers()} worker processes (the default)"
        print(f"  plan + export, {how}: {export:.1f} s ({len(specs) / export:,.0f} shots/s, "
              f"{3 * len(specs):,} prompt files, manifest.csv, index.md); ratio {export / linted_loop:.2f}x "
              f"the linted loop (target <= 1.2x), {export / loop:.2f}x the compose-only loop")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
