"""A real browser for the review app's tests: Debian's chromium, driven by Playwright.

Playwright is given the system browser (``executable_path``) and never downloads one. Each
browser starts with a fresh profile (its own user-data dir), so two reviewers are two browsers
with two cookie jars. Where chromium is missing the browser tests skip, saying how to get it;
``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.applications import Starlette

from composer.web.server import address_of, bind, make_server

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip
VIEWPORT = {"width": 1280, "height": 900}


def chromium() -> str:
    """The system chromium's path; skips the test when there is none."""
    found = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if found is None:
        pytest.skip("Debian's chromium is not installed (`apt-get install chromium`; .ci/run installs it)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
    return found


@contextmanager
def live_server(app: Starlette) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port in a thread; yields its address."""
    sock = bind("127.0.0.1", 0)
    server = make_server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the review app did not start")
        time.sleep(0.02)
    try:
        yield address_of(sock, None).rstrip("/")
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


@contextmanager
def browsers() -> Iterator[Callable[[Path], BrowserContext]]:
    """Yields ``launch(profile)``: a fresh chromium with its own profile folder (so its own cookies)."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    flags = [*FLAGS, *(["--no-sandbox"] if os.geteuid() == 0 else [])]
    with sync_playwright() as playwright:
        opened: list[BrowserContext] = []

        def launch(profile: Path) -> BrowserContext:
            profile.mkdir(parents=True, exist_ok=True)
            context = playwright.chromium.launch_persistent_context(
                str(profile), executable_path=executable, headless=True, args=flags, viewport=VIEWPORT)
            opened.append(context)
            return context

        try:
            yield launch
        finally:
            for context in opened:
                context.close()


def name_reviewer(page: Page, base: str, name: str) -> None:
    """Give the reviewer's name the first time, as a person does: the app asks before anything else."""
    page.goto(base + "/")
    assert "/reviewer" in page.url
    page.fill("input[name=name]", name)
    page.click("button[type=submit]")
    page.wait_for_selector("ul.grid")


def score_take(page: Page, shot_url: str, label: str, scores: dict[str, int],
               checks: dict[str, str] | None = None) -> None:
    """Score take ``label`` on the shot page (number fields, count checks' "off by"), save, wait for it."""
    page.goto(shot_url)
    for dimension, value in scores.items():
        page.fill(f"#s-{label}-{dimension}", str(value))
    for check, answer in (checks or {}).items():
        page.fill(f"#take-{label} [data-check='{check}'] input", answer)
    page.click(f"#take-{label} button[type=submit]")
    page.wait_for_selector(f"#take-{label} .saved")
