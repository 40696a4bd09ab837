"""Benchmark: what lint adds to composing a brief, and lint alone, on the example library.

Run by hand (not in CI) from the repository root:

    TIKTOKEN_CACHE_DIR=../shared/tiktoken .venv/bin/python bench/lint_bench.py [--shots 400] [--rounds 7]

Composes the compose benchmark's shots (every cast and scene, a count and an action per shot)
with one Composer, alternating rounds with lint on and lint off (``composer.compose.lint_brief``
swapped for a no-op), and reports the best round of each in ms per brief: the machine is shared,
so the minimum is the figure least disturbed by other work. Then times ``lint_brief`` alone over
the same briefs, and over the Bramble Books woodland shot (three characters, colour bans, counts
and an order), which exercises every rule.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import compose_bench

import composer.compose as compose_module
from composer import Composer, Library
from composer.lint import lint_brief
from composer.shot import load_shot_file


def best_ms(run: Callable[[], Any], count: int, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    library = Library.find()
    composer = Composer(library)
    specs = compose_bench.make_specs(library, args.shots)
    for spec in specs:
        composer.compose(spec)  # warm every cache, as a campaign run or the TUI would be

    def compose_all() -> None:
        for spec in specs:
            composer.compose(spec)

    on, off = [], []
    for _ in range(args.rounds):
        compose_module.lint_brief = lint_brief
        on.append(best_ms(compose_all, len(specs), 1))
        compose_module.lint_brief = lambda brief: []
        off.append(best_ms(compose_all, len(specs), 1))
    compose_module.lint_brief = lint_brief
    with_lint, without = min(on), min(off)
    print(f"compose: {with_lint:.2f} ms/brief with lint, {without:.2f} without: lint adds "
          f"{with_lint - without:.2f} ms ({(with_lint / without - 1) * 100:.0f}%)")

    briefs = [composer.compose(spec) for spec in specs]
    alone = best_ms(lambda: [lint_brief(b) for b in briefs], len(briefs), args.rounds)
    print(f"lint alone: {alone:.3f} ms/brief over {len(briefs)} briefs")
    woodland = composer.compose(load_shot_file(Path("examples/shots/woodland-picnic.yaml")))
    heavy = best_ms(lambda: [lint_brief(woodland) for _ in range(200)], 200, args.rounds)
    print(f"lint alone, woodland picnic ({woodland.chars:,} chars, {len(woodland.findings)} finding(s)): "
          f"{heavy:.3f} ms/brief")


if __name__ == "__main__":
    main()
