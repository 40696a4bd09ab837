"""Pytest fixtures and fast settings for tests that generate against the fake servers.

Use from a conftest: ``from fakes.fixtures import fake_kie, fake_openai  # noqa: F401``.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from composer.backends import PollSchedule, RetryPolicy
from fakes.kie import FakeKie, make_png
from fakes.openai_images import FakeOpenAI

T = TypeVar("T")

FAST_POLL = PollSchedule(initial=0.005, later=0.01, switch_after=0.05, deadline=5.0, max_rate=None)
"""Poll every few milliseconds (users get KIE's 2-3 s, then 5-10 s)."""
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.005, max_delay=0.02)
FAST_ENV = {
    "COMPOSER_POLL": "initial=0.005,later=0.01,switch_after=0.05,deadline=5,max_rate=none",
    "COMPOSER_RETRY": "attempts=4,base_delay=0.005,max_delay=0.02",
}
"""The same settings for the CLI, through its environment variables."""


@pytest.fixture
def fake_kie() -> Iterator[FakeKie]:
    """A running fake KIE; fails the test if the client broke a rule the server cannot refuse."""
    with FakeKie() as fake:
        yield fake
    assert fake.violations == []


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def frame(tmp_path: Path) -> Path:
    """A real PNG reference frame outside any library."""
    path = tmp_path / "frames" / "isla.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make_png(7, "reference frame", size=32))
    return path


def run(coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
    """Run a coroutine to completion on a fresh event loop, bounded in time."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def kill_when(process: subprocess.Popen[bytes], reached: Callable[[], bool], what: str) -> None:
    """SIGKILL ``process`` the moment ``reached()`` holds (failing if it exits first or never gets there)."""
    deadline = time.monotonic() + 30
    try:
        while not reached():
            assert process.poll() is None, process.communicate()[1].decode()
            assert time.monotonic() < deadline, f"never reached: {what}"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
