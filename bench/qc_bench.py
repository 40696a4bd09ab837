"""Benchmark: pixel QC of generated-size images against the floor of decoding them.

Run by hand (not in CI) from the repository root:

    .venv/bin/python bench/qc_bench.py [--count 200] [--side 2048] [--rounds 2]

Writes ``--count`` distinct PNGs of ``--side`` x ``--side`` (gradients, shapes and grain, so each
decodes like a rendered image, ~8 MB) into a temporary folder, then alternates rounds of
- the floor: decode each image with Pillow and make one numpy pass over its pixels (a mean);
- QC: ``check_images`` of the same files against Bramble Books and Isla (every rule runs: banned
  red, palette, key colours, technical, near-duplicates);
and reports the best round of each (the machine is shared). Memory: the peak traced by
``tracemalloc`` while QC runs over the first quarter, half and all of the images (flat means it does
not grow with the count).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from composer import Library
from composer.qc import build_context, check_images


def make_images(folder: Path, count: int, side: int) -> list[Path]:
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:side, 0:side].astype(np.float32) / side
    grain = rng.normal(0, 4, (side, side, 3)).astype(np.float32)
    paths = []
    for i in range(count):
        a, b, c = rng.uniform(0.2, 1.0, 3)
        rgb = np.stack([200 * a * x + 40, 180 * b * y + 50, 120 * c * (1 - x * y) + 60], axis=-1)
        for _ in range(4):  # a few objects of random colour and size
            x0, y0 = rng.integers(0, side * 3 // 4, 2)
            w, h = rng.integers(side // 16, side // 4, 2)
            rgb[y0 : y0 + h, x0 : x0 + w] = rng.uniform(0, 255, 3)
        rgb += np.roll(grain, i * 37, axis=(0, 1))
        path = folder / f"shot-{i:04d}.png"
        # compress_level 1: writing 200 files is quick; decoding (inflate) costs about the same at any level
        Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(path, compress_level=1)
        paths.append(path)
    return paths


def floor(paths: list[Path]) -> float:
    total = 0.0
    for path in paths:
        with Image.open(path) as image:
            image.load()
            total += float(np.asarray(image).mean())
    return total


def qc(paths: list[Path]) -> int:
    library = Library.find(None)
    ctx = build_context(library, brand="bramble-books", characters=["red-curls"])
    return sum(len(report.findings) for report in check_images((p, ctx) for p in paths))


def timed(run: object, paths: list[Path]) -> float:
    start = time.perf_counter()
    run(paths)  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--side", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qc-bench-") as tmp:
        start = time.perf_counter()
        paths = make_images(Path(tmp), args.count, args.side)
        size = sum(p.stat().st_size for p in paths) / len(paths) / 1e6
        print(f"{args.count} images {args.side}x{args.side}, {size:.1f} MB each, made in "
              f"{time.perf_counter() - start:.0f} s")
        qc(paths[:2])  # imports and library load, outside the timing
        floors, qcs = [], []
        for _ in range(args.rounds):
            floors.append(timed(floor, paths))
            qcs.append(timed(qc, paths))
        f, q = min(floors), min(qcs)
        print(f"floor (decode + one numpy pass): {f:.2f} s ({f / len(paths) * 1000:.0f} ms/image); "
              f"rounds {', '.join(f'{t:.2f}' for t in floors)}")
        print(f"qc: {q:.2f} s ({q / len(paths) * 1000:.0f} ms/image); rounds {', '.join(f'{t:.2f}' for t in qcs)}")
        print(f"ratio: {q / f:.2f}x (target <= 2x)")
        for part in (len(paths) // 4, len(paths) // 2, len(paths)):
            tracemalloc.start()
            qc(paths[:part])
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"qc peak traced memory over {part} images: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
