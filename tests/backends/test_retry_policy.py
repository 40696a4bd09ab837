"""Bounded exponential backoff with jitter, Retry-After, and the status-request pacer."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from fakes.fixtures import run

from composer.backends import AuthError, OptionError, PollSchedule, RateLimitedError, RetryPolicy
from composer.backends.retry import RateLimiter, parse_retry_after, retrying


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap() -> None:
    policy = RetryPolicy(attempts=10, base_delay=1.0, max_delay=8.0, rng=random.Random(1))
    for attempt in range(1, 10):
        ceiling = min(8.0, 2 ** (attempt - 1))
        delays = [policy.backoff(attempt, None) for _ in range(200)]
        assert all(d is not None and 0 <= d <= ceiling for d in delays)
        assert max(d for d in delays if d is not None) > ceiling * 0.8  # jitter spans the range
    assert policy.backoff(10, None) is None


def test_retry_after_is_honoured_and_bounded() -> None:
    policy = RetryPolicy(attempts=5, max_retry_after=60, rng=random.Random(2))
    delay = policy.backoff(1, 7.0)
    assert delay is not None and 7.0 <= delay <= 7.7
    assert policy.backoff(1, 61.0) is None  # a long maintenance window is reported, not slept through


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None


def test_retrying_retries_transient_errors_only_and_gives_up() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    calls = []

    async def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RateLimitedError("429", retry_after=0.25)
        return "ok"

    policy = RetryPolicy(attempts=4, rng=random.Random(0))
    assert run(retrying(flaky, policy, sleep=sleep)) == "ok"
    assert len(calls) == 3 and len(slept) == 2 and all(0.25 <= s <= 0.3 for s in slept)

    async def always() -> str:
        calls.append(1)
        raise RateLimitedError("429")

    calls.clear()
    with pytest.raises(RateLimitedError):
        run(retrying(always, policy, sleep=sleep))
    assert len(calls) == 4

    async def fatal() -> str:
        calls.append(1)
        raise AuthError("401")

    calls.clear()
    with pytest.raises(AuthError):
        run(retrying(fatal, policy, sleep=sleep))
    assert len(calls) == 1


def test_rate_limiter_spaces_calls_across_tasks() -> None:
    async def go() -> tuple[float, list[float]]:
        limiter = RateLimiter(50.0)
        loop = asyncio.get_running_loop()
        start = loop.time()
        stamps: list[float] = []

        async def one() -> None:
            await limiter.wait()
            stamps.append(loop.time())

        await asyncio.gather(*(one() for _ in range(10)))
        return start, sorted(stamps)

    start, stamps = run(go())
    # 50/s: the k-th call waits for its slot, k x 20 ms after the first, however many tasks ask at once
    # (a late wake-up may delay a call, never bring one forward; 2 ms allows for the clock's resolution).
    assert all(stamp >= start + k * 0.02 - 0.002 for k, stamp in enumerate(stamps))


def test_settings_from_environment_strings() -> None:
    poll = PollSchedule.from_spec("initial=0.01, deadline=5, max_rate=none")
    assert (poll.initial, poll.deadline, poll.max_rate, poll.later) == (0.01, 5.0, None, 7.5)
    retry = RetryPolicy.from_spec("attempts=2,base_delay=0.5")
    assert (retry.attempts, retry.base_delay) == (2, 0.5)
    with pytest.raises(OptionError, match="COMPOSER_POLL: unknown setting 'interval'"):
        PollSchedule.from_spec("interval=1")
    with pytest.raises(OptionError, match="not a number"):
        RetryPolicy.from_spec("attempts=many")


def test_kie_poll_schedule_defaults_follow_kie() -> None:
    schedule = PollSchedule()
    assert 2 <= schedule.interval(0) <= 3
    assert 5 <= schedule.interval(schedule.switch_after + 1) <= 10
    assert schedule.deadline == 15 * 60
    assert schedule.max_rate == 10
