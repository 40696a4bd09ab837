"""Benchmark: the review app's first grid page over a 1,000-shot campaign, against floors in the same run.

Run by hand (not in CI) from the repository root:

    TIKTOKEN_CACHE_DIR=../shared/tiktoken .venv/bin/python bench/review_grid.py [--shots 1000] [--side 1024]

Synthesises a done campaign folder through the ledger's API (as tests/web/web_support.py does):
``--shots`` cards, a quarter of them bake-off shots with two contenders (so 1,250 ledger rows and
takes for 1,000 shots), each take's image a hard link to one of 8 distinct ``--side`` PNGs (each
path still gets its own thumbnail, as distinct images would, at the decoding cost of a real
generation, without gigabytes of disk), and two reviewers' scores and verdicts on a third of the
shots. Then, in-process through Starlette's TestClient (no socket), for ``--rounds`` rounds:

- start: ``ReviewStore.open`` + ``create_app``, what ``compose review DIR`` does before it listens
  (numbering takes happened once already, at the folder's first open, printed first);
- cold page 1: the app's first ``GET /`` and the thumbnails of its tiles, none made yet (the
  thumbnail cache is emptied first), fetched one after another, then again 6 at a time (as a
  browser opens several connections);
- warm page 1: the same again, thumbnails cached; and page 10's HTML;
- page 1 asked for at start while ``thumbnails.warm`` runs (what ``compose review`` starts on a
  background thread, here over pages 1 and 2 only), and when warming has made both pages;
- floors: a trivial route added to the same app (same middleware, same client: the cost of one
  request), decoding page 1's images with Pillow (what any thumbnail costs at least), and
  ``Ledger(folder).entries()`` (reading the ledger the grid is built from).

Best and median of the rounds (the machine is shared). The HTML is compared with the request
floor, thumbnails to make with the decode floor. The issue's target is absolute (first page in
under a second on this machine), so the milliseconds are printed too.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from composer.campaign.ledger import Ledger
from composer.review.store import ReviewStore
from composer.web.app import create_app
from composer.web.grid import PAGE_SIZE
from composer.web.media import thumbnail_sources
from composer.web.security import Access
from composer.web.thumbnails import CACHE_DIR, warm

BASE = "http://127.0.0.1:8765"
DIMENSIONS = ("fidelity", "adherence", "consistency", "flexibility", "ease_cost")


def make_images(folder: Path, side: int, count: int = 8) -> list[Path]:
    """``count`` distinct PNGs that decode like rendered images (gradients, shapes, grain)."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:side, 0:side].astype(np.float32) / side
    paths = []
    for i in range(count):
        a, b, c = rng.uniform(0.2, 1.0, 3)
        rgb = np.stack([200 * a * x + 40, 180 * b * y + 50, 120 * c * (1 - x * y) + 60], axis=-1)
        rgb += rng.normal(0, 4, (side, side, 3)).astype(np.float32)
        path = folder / f"source-{i}.png"
        Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(path)
        paths.append(path)
    return paths


def synthesise(folder: Path, shots: int, side: int) -> int:
    """A done campaign of ``shots`` cards (a quarter bake-off pairs); returns the number of takes."""
    sources = make_images(folder.parent, side)
    ids = []
    for i in range(shots):
        group = ("portrait", "product", "bake", "mockup")[i % 4]
        ids += [f"s{i:04d}@gpt-image-2", f"s{i:04d}@openai-gpt-image-2"] if group == "bake" else [f"s{i:04d}"]
    (folder / "images").mkdir(parents=True)
    with Ledger(folder) as ledger:
        ledger.plan([{"id": i, "group": ("portrait", "product", "bake", "mockup")[int(i[1:5]) % 4],
                      "cast": "Ada", "scene": f"scene {int(i[1:5]) % 17}", "variant": "", "take": 1,
                      "brief_hash": "h-" + i, "credits": 12.0, "blocked": None} for i in ids])
        for n, shot_id in enumerate(ids):
            openai = shot_id.endswith("@openai-gpt-image-2")
            target, backend = ("openai-gpt-image-2", "openai") if openai else ("gpt-image-2", "kie")
            ledger.submitting(shot_id, "h-" + shot_id, backend)
            ledger.submitted(shot_id, f"task-{n}", {"job": {"prompt": "p", "target": target,
                                                            "model": "gpt-image-2"}}, backend)
            image = f"images/{shot_id.replace('@', '-')}-task-{n}.png"
            os.link(sources[n % len(sources)], folder / image)
            ledger.done(shot_id, [{"path": image, "sha256": "x"}], None if openai else 12.0, 0.21 if openai else 0.06)
    return len(ids)


def score_some(folder: Path) -> None:
    """Two reviewers score and give verdicts on every third shot (they diverge on some)."""
    with ReviewStore.open(folder) as store:
        for n, card in enumerate(store.shots()):
            if n % 3:
                continue
            for take in card.takes:
                for reviewer, shift in (("ana", 0), ("ben", n % 5 - 2)):
                    store.save(reviewer, card.id, take.take,
                               scores={d: max(0, min(10, 6 + shift + k % 3)) for k, d in enumerate(DIMENSIONS)},
                               verdict="approve" if n % 2 else "reject", note="bench")


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def as_reviewer(client: TestClient, name: str) -> None:
    page = client.get("/reviewer").text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert token
    response = client.post("/reviewer", data={"csrf": token.group(1), "name": name, "next": "/"})
    assert response.status_code == 303, response.text


def page_with_thumbs(client: TestClient, path: str, connections: int = 1) -> tuple[float, float, int]:
    """Seconds for the page's HTML, then for every thumbnail it shows (over ``connections`` at a
    time, as a browser opens several); and how many there were."""
    start = time.perf_counter()
    response = client.get(path)
    html = time.perf_counter() - start
    assert response.status_code == 200, response.text
    thumbs = re.findall(r'<img src="(/shots/[^"]+/thumb)"', response.text)
    start = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        assert all(r.status_code == 200 for r in pool.map(client.get, thumbs))
    return html, time.perf_counter() - start, len(thumbs)


def read_ledger(folder: Path) -> int:
    with Ledger(folder, create=False) as ledger:
        return len(ledger.entries())


async def trivial(request: Request) -> Response:
    return PlainTextResponse("ok")


def app_for(folder: Path) -> tuple[ReviewStore, TestClient]:
    store = ReviewStore.open(folder)
    app = create_app(folder, Access("127.0.0.1"), store=store)
    app.router.routes.append(Route("/floor", trivial))
    return store, TestClient(app, base_url=BASE, follow_redirects=False)


def decode_floor(paths: list[Path]) -> None:
    """What any thumbnail of these images costs at least: decoding each one."""
    for path in paths:
        with Image.open(path) as image:
            image.load()


def one_round(folder: Path, into: dict[str, list[float]]) -> int:
    """One round of every measurement (thumbnail cache emptied first); returns the tiles on page 1."""

    def add(name: str, seconds: float) -> None:
        into.setdefault(name, []).append(seconds)

    shutil.rmtree(folder / CACHE_DIR, ignore_errors=True)
    start = time.perf_counter()
    store, client = app_for(folder)
    add("start (ReviewStore.open + create_app)", time.perf_counter() - start)
    with store, client:
        as_reviewer(client, "ana")
        html, thumbs, count = page_with_thumbs(client, "/")
        add("cold page 1: html", html)
        add("cold page 1: thumbnails, one at a time", thumbs)
        add("cold page 1: total", html + thumbs)
        html, thumbs, _ = page_with_thumbs(client, "/")
        add("warm page 1: html", html)
        add("warm page 1: thumbnails", thumbs)
        add("warm page 1: total", html + thumbs)
        add("warm page 10: html", timed(lambda: client.get("/?page=10")))
        add("floor: trivial route, same app and client", min(timed(lambda: client.get("/floor")) for _ in range(20)))
        first = thumbnail_sources(folder, store)[: 2 * PAGE_SIZE]
    add("floor: decode page 1's images", timed(lambda: decode_floor(first[:PAGE_SIZE])))
    add("floor: Ledger.entries()", timed(lambda: read_ledger(folder)))

    shutil.rmtree(folder / CACHE_DIR, ignore_errors=True)
    store, client = app_for(folder)
    with store, client:
        as_reviewer(client, "ana")
        add("cold page 1: thumbnails, 6 at a time", page_with_thumbs(client, "/", 6)[1])

    shutil.rmtree(folder / CACHE_DIR, ignore_errors=True)
    start = time.perf_counter()
    store, client = app_for(folder)
    warming = threading.Thread(target=warm, args=(folder, first), daemon=True)  # start_warming, 2 pages only
    warming.start()
    with store, client:
        as_reviewer(client, "ana")
        html, thumbs, _ = page_with_thumbs(client, "/")
        add("page 1 at start, warming meanwhile: total", html + thumbs)
    warming.join()
    add("warming: page 1 and 2 ready after start", time.perf_counter() - start)
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=int, default=1000)
    parser.add_argument("--side", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="review-grid-bench-"))
    try:
        folder = work / "out"
        made = time.perf_counter()
        takes = synthesise(folder, args.shots, args.side)
        first_open = timed(lambda: ReviewStore.open(folder).close())  # numbers every take, once
        score_some(folder)
        print(f"{args.shots} shots, {takes} takes, {args.side}px images; folder made in "
              f"{time.perf_counter() - made:.1f} s; first ReviewStore.open (numbering {takes} takes) "
              f"{first_open * 1000:.0f} ms")
        results: dict[str, list[float]] = {}
        count = 0
        for _ in range(args.rounds):
            count = one_round(folder, results)
        print(f"page 1: {count} tiles with thumbnails; {args.rounds} rounds, best and median")
        request = min(results["floor: trivial route, same app and client"])
        decode = min(results["floor: decode page 1's images"])
        for name, values in sorted(results.items(), key=lambda item: not item[0].startswith("floor")):
            best, median = min(values), statistics.median(values)
            if (name.startswith("cold") and "html" not in name) or "warming" in name:
                base, which = decode, "decode floor"  # thumbnails to make: a decode each
            elif name.startswith("warm page 1: t"):
                base, which = request * count, f"{count} trivial requests"
            else:
                base, which = request, "request floor"
            ratio = "" if name.startswith("floor: trivial") else f"  {best / base:7.1f}x {which}"
            print(f"{name:<45} {best * 1000:8.1f} ms  (median {median * 1000:8.1f}){ratio}")
        ledger = min(results["floor: Ledger.entries()"])
        print(f"warm page 1 html / Ledger.entries(): {min(results['warm page 1: html']) / ledger:.1f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
