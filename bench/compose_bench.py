"""Benchmark: compose throughput against its floor, and `compose shot` cold start against its imports.

Run by hand (not in CI) from the repository root:

    TIKTOKEN_CACHE_DIR=../shared/tiktoken .venv/bin/python bench/compose_bench.py [--shots 2000] [--runs 15]

(1) Throughput: composes N shots in-process with one Composer and reports briefs/s. The floor is,
in the same run, a raw (unsandboxed) Jinja render of the very same template contexts plus a
tiktoken count of the very same prompt strings: what a composer must at least do if it counts each
prompt whole (composer counts line by line and remembers each line's count, so it can beat this).
Target <= 1.5x.
(2) Cold start: median wall time of `compose shot --character red-curls --scene castle` against
`python -c "import jinja2, pydantic, yaml, tiktoken; tiktoken.get_encoding('o200k_base')"`.
Target <= 1.3x.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jinja2
import tiktoken

from composer import Composer, Library, ShotSpec


def make_specs(library: Library, count: int) -> list[ShotSpec]:
    characters = library.ids("character")
    scenes = library.ids("scene")
    casts = [[c] for c in characters] + [list(pair) for pair in itertools.combinations(characters, 2)]
    variants = itertools.cycle(range(10_000))
    specs = []
    for cast, scene in itertools.cycle(itertools.product(casts, scenes)):
        n = next(variants)
        specs.append(
            ShotSpec(
                characters=cast, scene=scene, deltas={"counts": [f"{n % 7 + 1} candles"], "action": f"variant {n}"}
            )
        )
        if len(specs) == count:
            return specs
    return specs


def throughput(library: Library, count: int) -> dict[str, float]:
    specs = make_specs(library, count)
    composer = Composer(library)
    composer.compose(specs[0])  # warm caches and the tokenizer, as a long-running process would be
    start = time.perf_counter()
    prompts = [composer.compose(spec).prompt for spec in specs]  # a batch keeps prompts, not whole briefs
    composed = time.perf_counter() - start
    start = time.perf_counter()
    for spec in specs:  # what `compose shot` and campaigns do: read the lint findings too
        composer.compose(spec).findings  # noqa: B018
    linted = time.perf_counter() - start

    contexts = [composer.gather(spec).context(spec) for spec in specs]
    raw = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in library.template_dirs()]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    def passthrough(*_: Any, caller: Any, **__: Any) -> str:
        return str(caller())

    template = raw.get_template(composer.gather(specs[0]).target.template)
    # tiktoken itself, not composer's counter: that one remembers each line's count, and would be
    # counting prompts it has just counted.
    encoding = tiktoken.get_encoding("o200k_base")
    start = time.perf_counter()
    for context, prompt in zip(contexts, prompts, strict=True):
        template.render({**context, "section": passthrough, "part": passthrough})
        encoding.encode(prompt, disallowed_special=())
    floor = time.perf_counter() - start
    return {
        "shots": count,
        "composed_s": composed,
        "floor_s": floor,
        "briefs_per_s": count / composed,
        "ratio": composed / floor,
        "linted_s": linted,
        "linted_ratio": linted / floor,
    }


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def cold_start(runs: int) -> dict[str, float]:
    """Median wall times, the two commands interleaved so that both see the same machine load."""
    bin_dir = Path(sys.executable).parent
    shot = [str(bin_dir / "compose"), "shot", "--character", "red-curls", "--scene", "castle"]
    floor = [sys.executable, "-c", "import jinja2, pydantic, yaml, tiktoken; tiktoken.get_encoding('o200k_base')"]
    for cmd in (shot, floor, shot, floor):  # warm the page cache, .pyc files and composer's cache
        wall(cmd)
    pairs = [(wall(shot), wall(floor)) for _ in range(runs)]
    shot_s, floor_s = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    return {"compose_shot_s": shot_s, "imports_s": floor_s, "ratio": shot_s / floor_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--library", type=Path, default=None)
    args = parser.parse_args()
    library = Library.find(args.library)
    result = throughput(library, args.shots)
    print(
        f"throughput: {result['shots']} briefs in {result['composed_s']:.2f} s = {result['briefs_per_s']:.0f}/s; "
        f"floor {result['floor_s']:.2f} s; ratio {result['ratio']:.2f}x (target <= 1.5x); "
        f"with lint findings read {result['linted_s']:.2f} s = {result['linted_ratio']:.2f}x"
    )
    cold = cold_start(args.runs)
    print(
        f"cold start: compose shot {cold['compose_shot_s'] * 1000:.0f} ms vs imports "
        f"{cold['imports_s'] * 1000:.0f} ms; ratio {cold['ratio']:.2f}x (target <= 1.3x)"
    )


if __name__ == "__main__":
    main()
