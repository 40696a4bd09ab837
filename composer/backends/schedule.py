"""The schedules a generation follows: when to poll a task, and how often and how long to retry.

Both are frozen values a caller passes down (tests pass millisecond schedules); ``from_spec``
reads the ``COMPOSER_POLL`` / ``COMPOSER_RETRY`` / ``COMPOSER_REQUEST_DEADLINE`` form: ``name=number``
pairs separated by commas.
The mechanics that follow them (``retrying``, ``RateLimiter``) are in ``retry.py``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from composer.backends.errors import OptionError


@dataclass(frozen=True)
class PollSchedule:
    """When to poll a task: KIE suggests every 2-3 s at first, then every 5-10 s, for 10-15 minutes.

    Tests pass a schedule in milliseconds; campaigns keep the default and share ``max_rate``.
    """

    initial: float = 2.5
    """Seconds between polls at first."""
    later: float = 7.5
    """Seconds between polls after ``switch_after``."""
    switch_after: float = 30.0
    """Seconds of polling before the interval grows to ``later``."""
    deadline: float = 900.0
    """Give up polling after this many seconds (the task id is kept for ``--resume``)."""
    max_rate: float | None = 10.0
    """Most status requests per second across every job of one backend (KIE allows 10/s per key)."""

    def interval(self, elapsed: float) -> float:
        return self.initial if elapsed < self.switch_after else self.later

    @classmethod
    def from_spec(cls, spec: str | None, source: str = "COMPOSER_POLL") -> PollSchedule:
        """A schedule from ``"initial=0.01,later=0.02,deadline=5"`` (the ``COMPOSER_POLL`` variable, or
        the ``source`` errors name: ``composer.yaml``'s ``defaults.poll``)."""
        return cls(**parse_spec(spec, cls, source))  # type: ignore[arg-type]


DEFAULT_POLL = PollSchedule()


def parse_spec(spec: str | None, cls: type[Any], variable: str) -> dict[str, float | None]:
    """``name=number`` pairs, comma-separated, naming fields of the dataclass ``cls``."""
    values: dict[str, float | None] = {}
    names = set(cls.__dataclass_fields__)
    for pair in (spec or "").split(","):
        if not pair.strip():
            continue
        name, _, value = pair.partition("=")
        name = name.strip()
        if name not in names:
            raise OptionError(f"{variable}: unknown setting '{name}' (known: {', '.join(sorted(names))})")
        try:
            values[name] = None if value.strip().lower() == "none" else float(value)
        except ValueError:
            raise OptionError(f"{variable}: {name}={value!r} is not a number") from None
    return values



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
    def from_spec(cls, spec: str | None, source: str = "COMPOSER_RETRY") -> RetryPolicy:
        """A policy from ``"attempts=3,base_delay=0.01"`` (the ``COMPOSER_RETRY`` variable, or ``source``)."""
        values = parse_spec(spec, cls, source)
        values.pop("rng", None)
        if "attempts" in values:
            values["attempts"] = int(values["attempts"] or 1)
        return cls(**values)  # type: ignore[arg-type]


DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(attempts=1)


@dataclass(frozen=True)
class RequestDeadlines:
    """The most one request may take, from connecting to the last byte of its reply. Without a total,
    a server that sends one byte a second keeps a request alive for ever (each byte restarts a read
    timeout)."""

    api: float = 120.0
    """One KIE API or upload call."""
    download: float = 900.0
    """One result download (a Sora clip may be hundreds of megabytes)."""
    openai: float = 600.0
    """One OpenAI Images call (the image is generated while the request is open)."""

    @classmethod
    def from_spec(cls, spec: str | None, source: str = "COMPOSER_REQUEST_DEADLINE") -> RequestDeadlines:
        """Deadlines from ``"api=30,download=300"`` (the ``COMPOSER_REQUEST_DEADLINE`` variable, or ``source``)."""
        values = parse_spec(spec, cls, source)
        for name, value in values.items():
            if value is None or value <= 0:
                raise OptionError(f"{source}: {name} must be a number of seconds above 0")
        return cls(**values)  # type: ignore[arg-type]


DEFAULT_DEADLINES = RequestDeadlines()
