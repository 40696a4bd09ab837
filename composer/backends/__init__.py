"""Generation backends: send a prompt (and its reference frames) to a model and bring the result home.

The API campaigns build on (async; one backend instance serves many concurrent jobs)::

    from composer.backends import Job, GenerationOptions, PollSchedule, make_backend

    job = Job(prompt, reference_frames=(Path("isla.png"),), target="gpt-image-2", model="gpt-image-2",
              kind="image", backend="kie", options=GenerationOptions(aspect_ratio="16:9", resolution="2K"))
    async with make_backend("kie", Settings.from_env()) as backend:
        backend.validate(job)                        # pure: OptionError before any request
        cost = backend.estimate_cost(job)            # pure: Cost from the price table
        submission = await backend.submit(job)       # uploads frames, creates the task, returns once
                                                     # accepted: persist submission.to_json() now
        result = await backend.collect(submission, out_dir, stem)   # polls, downloads; GenerationResult
        balance = await backend.credits()            # Credits (KIE only)

- ``Job``: prompt, reference frames (local paths), target name, model, kind, backend, options.
- ``Submission``: the accepted task (``task_id``, the request as sent, uploaded URLs);
  ``Submission.from_json(saved)`` rebuilds it so ``collect`` can resume without creating the task
  again. For OpenAI (synchronous) ``submit`` makes the call and the submission carries the images.
- ``GenerationResult``: files, URLs, timings, cost, usage, polls.
- Errors derive from ``GenerationError`` (a ``ComposerError``); each class says ``retryable``
  (the client already retried within its ``RetryPolicy``) and ``resumable`` (the task was
  accepted: collect it again rather than re-send).
- ``make_backend(name, settings, *, poll=..., retry=..., prices=..., **options)`` takes the key
  (``KIE_API_KEY`` / ``OPENAI_API_KEY``), base URLs, proxies and deadlines from
  ``composer.settings.Settings`` (built once by the front end: ``Settings.from_env()``).

This package imports neither aiohttp nor openai until ``make_backend`` builds a backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from composer.backends.errors import (
    AuthError,
    DownloadError,
    FeatureDisabledError,
    GenerationError,
    InsufficientCreditsError,
    InterruptedGenerationError,
    MissingKeyError,
    ModerationBlockedError,
    NetworkError,
    NotFoundError,
    OptionError,
    PollTimeoutError,
    ProviderResponseError,
    QuotaExceededError,
    RateLimitedError,
    RequestRejectedError,
    ServiceUnavailableError,
    SubmitUncertainError,
    TaskFailedError,
    TransientError,
)
from composer.backends.options import validate_job
from composer.backends.prices import PriceTable
from composer.backends.schedule import PollSchedule, RetryPolicy
from composer.backends.types import (
    BACKENDS,
    Backend,
    BackendName,
    Cost,
    Credits,
    GenerationOptions,
    GenerationResult,
    Job,
    Kind,
    Progress,
    ProgressEvent,
    Submission,
    no_progress,
)

if TYPE_CHECKING:
    from composer.settings import Settings

KEY_VARIABLES = {"kie": "KIE_API_KEY", "openai": "OPENAI_API_KEY"}

__all__ = [
    "BACKENDS", "KEY_VARIABLES", "AuthError", "Backend", "BackendName", "Cost", "Credits", "DownloadError",
    "FeatureDisabledError", "GenerationError", "GenerationOptions", "GenerationResult",
    "InsufficientCreditsError", "InterruptedGenerationError", "Job", "Kind", "MissingKeyError",
    "ModerationBlockedError", "NetworkError",
    "NotFoundError", "OptionError", "PollSchedule", "PollTimeoutError", "PriceTable", "Progress",
    "ProgressEvent", "ProviderResponseError", "QuotaExceededError", "RateLimitedError", "RequestRejectedError",
    "RetryPolicy", "ServiceUnavailableError", "Submission", "SubmitUncertainError", "TaskFailedError",
    "TransientError", "api_key", "make_backend", "no_progress", "validate_job",
]


def api_key(name: str, settings: Settings) -> str:
    """The backend's API key from ``settings``, or a ``MissingKeyError`` naming the variable to set."""
    if name not in KEY_VARIABLES:
        raise GenerationError(f"unknown backend '{name}' (choose {' or '.join(BACKENDS)})")
    key = settings.api_key(name)
    if not key:
        raise MissingKeyError(f"no API key for the {name} backend: set {KEY_VARIABLES[name]}")
    return key


def make_backend(
    name: str,
    settings: Settings,
    *,
    poll: PollSchedule | None = None,
    retry: RetryPolicy | None = None,
    prices: PriceTable | None = None,
    library_root: Path | None = None,
    **options: Any,
) -> Backend:
    """A backend by name (``kie`` or ``openai``), its key, base URLs, proxies, trusted hosts and
    deadlines from ``settings`` (``composer.settings.Settings``).

    ``poll`` and ``retry`` default to the settings'; ``prices`` to the bundled table merged with
    ``<library_root>/prices.yaml``; ``options`` go to the backend's constructor (e.g.
    ``max_connections``, ``timeout``, ``limits``).
    """
    key = api_key(name, settings)
    table = prices or PriceTable.load(library_root)
    poll, retry = poll or settings.poll, retry or settings.retry
    if name == "kie":
        from composer.backends.kie import KieBackend

        return KieBackend(
            key, base_url=settings.kie_base_url, upload_base_url=settings.kie_upload_base_url,
            poll=poll, retry=retry, prices=table, deadlines=settings.deadlines, allow_hosts=settings.allow_hosts,
            proxies=settings.proxies, **options,
        )
    from composer.backends.openai_images import OpenAIImagesBackend

    return OpenAIImagesBackend(key, base_url=settings.openai_base_url, retry=retry, prices=table,
                               **{"timeout": settings.deadlines.openai, **options})
