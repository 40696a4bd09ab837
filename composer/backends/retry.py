"""Bounded retries with exponential backoff and full jitter (``schedule.RetryPolicy``), honouring ``Retry-After``.

Only ``TransientError`` is retried (429, 455, 5xx, network). Callers decide what is transient for
their request: a create request whose reply was lost is *not*, because it may have been accepted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from composer.backends.errors import TransientError
from composer.backends.schedule import RetryPolicy
from composer.backends.types import Progress, ProgressEvent

T = TypeVar("T")
log = logging.getLogger(__name__)


Sleep = Callable[[float], Awaitable[None]]
OnRetry = Callable[[TransientError, int, float], None]


async def retrying(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    on_retry: OnRetry | None = None,
    sleep: Sleep = asyncio.sleep,
) -> T:
    """Await ``call()``; on ``TransientError`` wait per ``policy`` and try again, then re-raise."""
    attempt = 1
    while True:
        try:
            return await call()
        except TransientError as exc:
            delay = policy.backoff(attempt, exc.retry_after)
            if delay is None:
                if exc.retry_after is not None and exc.retry_after > policy.max_retry_after:
                    exc.args = (f"{exc}; the provider asked to wait {exc.retry_after:,.0f} s (Retry-After), longer "
                                f"than the {policy.max_retry_after:g} s this client waits: try again later",)
                log.info("giving up after %d attempt(s): %s", attempt, exc)
                raise
            log.info("retry %d of %d in %.1f s after: %s", attempt + 1, policy.attempts, delay, exc)
            if on_retry is not None:
                on_retry(exc, attempt, delay)
            await sleep(delay)
            attempt += 1


def retry_reporter(progress: Progress, policy: RetryPolicy) -> OnRetry:
    """Tell ``progress`` of each retry: what failed, how long until the next try, which try it is."""
    def report(exc: TransientError, attempt: int, delay: float) -> None:
        progress(ProgressEvent("retry", f"{exc}; retrying in {delay:.1f} s (attempt {attempt + 1} of "
                                        f"{policy.attempts})"))
    return report


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RateLimiter:
    """Spaces calls at most ``rate`` per second across every task of one event loop (KIE allows
    10 status requests a second per key; a campaign polling hundreds of tasks must share that)."""

    def __init__(self, rate: float | None) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._next = 0.0

    async def wait(self) -> None:
        if not self._interval:
            return
        now = asyncio.get_running_loop().time()
        # No await between reading and updating _next: on one event loop this reserves a slot atomically.
        slot = max(now, self._next)
        self._next = slot + self._interval
        if slot > now:
            await asyncio.sleep(slot - now)
