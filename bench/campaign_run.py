"""Benchmark: a campaign run against the fake KIE server, wall time against the ideal, memory by job count.

Run by hand (not in CI) from the repository root:

    TIKTOKEN_CACHE_DIR=../shared/tiktoken .venv/bin/python bench/campaign_run.py [--jobs 200] [--concurrency 16]

The fake KIE (tests/fakes/kie.py) runs in its own process, so the server does not share the
client's GIL. Each task takes ``--latency`` seconds (200 ms) and one poll after that; the client
polls every ``--poll`` seconds. The ideal is ceil(jobs / concurrency) x latency: every slot busy
all the time and no overhead at all.

(a) Wall time of the run phase (``CampaignRunner.run``: create, poll, download, hash, ledger) for
``--jobs`` jobs at ``--concurrency``, against the ideal; target <= 1.2x. The planning phase
(composing, linting and exporting every brief before anything is sent) is reported separately.
(b) Peak memory for growing job counts, each in a fresh process that plans in-process: peak RSS,
and the peak of Python allocations during the run phase (tracemalloc, in a separate run of its own).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SKUS = ["perfume-bottle", "neroli-flacon", "travel-atomiser", "body-oil", "scented-candle", "hand-cream",
        "hair-mist", "solid-perfume", "bath-salts", "silk-scarf"]


def campaign_yaml(jobs: int) -> str:
    """``jobs`` distinct shots: ten SKUs on marble, ``jobs / 10`` named variants each."""
    variants = "\n".join(f"      - {{name: v{i}, deltas: {{notes: [variant {i}]}}}}" for i in range(jobs // 10))
    cast = "\n".join(f"  {sku}: {{products: [{sku}]}}" for sku in SKUS)
    return (f"name: bench {jobs}\noptions: {{aspect_ratio: \"1:1\", resolution: 1K}}\ncast:\n{cast}\n"
            f"groups:\n  g:\n    cast: [\"*\"]\n    scenes: [carrara-marble-overhead]\n    variants:\n{variants}\n")


def start_fake(latency: float) -> tuple[subprocess.Popen[str], dict[str, str]]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests")}
    proc = subprocess.Popen([sys.executable, str(REPO / "tests" / "fakes" / "kie.py"), "--latency", str(latency),
                             "--polls", "1"], env=env, stdout=subprocess.PIPE, text=True)
    variables = {}
    assert proc.stdout is not None
    while len(variables) < 3:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the fake KIE did not start")
        name, _, value = line.removeprefix("export ").strip().partition("=")
        variables[name] = value
    return proc, variables


def one_run(jobs: int, concurrency: int, poll: float, env: dict[str, str], trace: bool) -> dict[str, Any]:
    """Plan and run a ``jobs``-shot campaign in this process; time each phase."""
    from composer.backends import PollSchedule, RetryPolicy, make_backend
    from composer.campaign import Planner, open_campaign
    from composer.campaign.ledger import FolderLock, Ledger
    from composer.campaign.run import CampaignRunner, RunSettings
    from composer.compose import Composer
    from composer.library import Library
    from composer.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="campaign-bench-"))
    path = work / "campaign.yaml"
    path.write_text(campaign_yaml(jobs), encoding="utf-8")
    library = Library(REPO)
    schedule = PollSchedule(initial=poll, later=poll, deadline=120, max_rate=None)

    def backends(name: str) -> Any:
        return make_backend(name, Settings.from_env(env), poll=schedule, retry=RetryPolicy(base_delay=0.05),
                            max_connections=concurrency + 4)

    out = work / "out"
    start = time.perf_counter()
    expansion = open_campaign(path, library)
    with FolderLock(out), Ledger(out) as ledger:
        runner = CampaignRunner(expansion, Planner(Composer(library)), out, ledger, backends,
                                RunSettings(concurrency=concurrency))
        items = runner.prepare()
        planned = time.perf_counter()
        if trace:
            tracemalloc.start()
        stats = asyncio.run(runner.run(items))
        ran = time.perf_counter()
        traced = tracemalloc.get_traced_memory()[1] if trace else 0
    assert stats.done == jobs, (stats.done, stats.failed, stats.errors)
    return {"jobs": jobs, "plan_s": planned - start, "run_s": ran - planned,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "run_alloc_peak_mb": traced / 1_048_576}


async def http_floor(jobs: int, concurrency: int, poll: float, env: dict[str, str]) -> float:
    """The same request pattern (create, poll until success, download) with bare aiohttp (the backend's
    HTTP client) and nothing else: what this machine's fake server and HTTP stack cost, before any
    campaign machinery. Like the backend, it first polls when the quickest task so far had finished."""
    import aiohttp

    headers = {"Authorization": f"Bearer {env['KIE_API_KEY']}"}
    base = env["KIE_BASE_URL"]
    quickest: list[float] = []

    async def json_of(response: Any) -> Any:
        async with response:
            return await response.json()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency + 4)) as session:
        async def job(index: int) -> None:
            body = {"model": "gpt-image-2-text-to-image", "input": {"prompt": f"floor {index}"}}
            task = await json_of(await session.post(f"{base}/api/v1/jobs/createTask", headers=headers, json=body))
            await asyncio.sleep(min(quickest, default=0.0))
            while True:
                record = (await json_of(await session.get(f"{base}/api/v1/jobs/recordInfo", headers=headers,
                                                          params={"taskId": task["data"]["taskId"]})))["data"]
                if record["state"] == "success":
                    break
                await asyncio.sleep(poll)
            quickest.append((record["completeTime"] - record["createTime"]) / 1000)
            async with session.get(json.loads(record["resultJson"])["resultUrls"][0]) as response:
                await response.read()

        queue = iter(range(jobs))

        async def worker() -> None:
            for index in queue:
                await job(index)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start


def child(args: argparse.Namespace) -> None:
    env = json.loads(os.environ["BENCH_FAKE_ENV"])
    print(json.dumps(one_run(args.jobs, args.concurrency, args.poll, env, args.trace)))


def in_child(jobs: int, args: argparse.Namespace, env: dict[str, str], trace: bool) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", "--jobs", str(jobs), "--concurrency", str(args.concurrency),
           "--poll", str(args.poll)] + (["--trace"] if trace else [])
    done = subprocess.run(cmd, env={**os.environ, "BENCH_FAKE_ENV": json.dumps(env)}, capture_output=True,
                          text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--poll", type=float, default=0.02)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory", default="200,800,1600", help="job counts for the memory runs")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    fake, env = start_fake(args.latency)
    try:
        ideal = math.ceil(args.jobs / args.concurrency) * args.latency
        runs = [in_child(args.jobs, args, env, trace=False) for _ in range(args.repeats)]
        best = min(runs, key=lambda r: r["run_s"])
        median = sorted(r["run_s"] for r in runs)[len(runs) // 2]
        floor = min(asyncio.run(http_floor(args.jobs, args.concurrency, args.poll, env)) for _ in range(args.repeats))
        print(f"(a) {args.jobs} jobs, concurrency {args.concurrency}, {args.latency * 1000:.0f} ms tasks, "
              f"poll every {args.poll * 1000:.0f} ms: run phase median {median:.2f} s (best {best['run_s']:.2f} s) "
              f"vs ideal {ideal:.2f} s = {median / ideal:.2f}x (target <= 1.2x); planning before the first "
              f"request {best['plan_s']:.2f} s; end to end {median + best['plan_s']:.2f} s = "
              f"{(median + best['plan_s']) / ideal:.2f}x; bare aiohttp, same requests, nothing else: {floor:.2f} s = "
              f"{floor / ideal:.2f}x")
        for jobs in (int(n) for n in args.memory.split(",")):
            rss = in_child(jobs, args, env, trace=False)
            traced = in_child(jobs, args, env, trace=True)
            print(f"(b) {jobs:>5} jobs: peak RSS {rss['peak_rss_mb']:.0f} MB; run-phase Python allocations peak "
                  f"{traced['run_alloc_peak_mb']:.1f} MB; run {rss['run_s']:.2f} s "
                  f"(ideal {math.ceil(jobs / args.concurrency) * args.latency:.2f} s)")
    finally:
        fake.terminate()
        fake.wait(10)


if __name__ == "__main__":
    main()
