"""Bounded retries with exponential backoff and full jitter, honouring ``Retry-After``.

Only ``TransientError`` is retried (429, 455, 5xx, network). Callers decide what is transient for
their request: a create request whose reply was lost is *not*, because it may have been accepted.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from composer.backends.base import TransientError, parse_spec

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a transient failure."""

    attempts: int = 5
    """Tries in all, the first included."""
    base_delay: float = 1.0
    """Backoff before the second try; doubles with every try (before jitter)."""
    max_delay: float = 30.0
    """Longest backoff between two tries."""
    max_retry_after: float = 120.0
    """A ``Retry-After`` longer than this is not waited for: the error is reported instead."""
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before try ``attempt + 1`` (``attempt`` counts from 1), or None to give up."""
        if attempt >= self.attempts:
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            # The server said when; a little jitter keeps many clients from returning together.
            return retry_after + self.rng.uniform(0, min(1.0, retry_after * 0.1))
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return self.rng.uniform(0, ceiling)


    @classmethod
    def from_spec(cls, spec: str | None) -> RetryPolicy:
        """A policy from ``"attempts=3,base_delay=0.01"`` (the ``COMPOSER_RETRY`` variable)."""
        values = parse_spec(spec, cls, "COMPOSER_RETRY")
        values.pop("rng", None)
        if "attempts" in values:
            values["attempts"] = int(values["attempts"] or 1)
        return cls(**values)  # type: ignore[arg-type]


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(attempts=1)

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
                raise
            if on_retry is not None:
                on_retry(exc, attempt, delay)
            await sleep(delay)
            attempt += 1


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
