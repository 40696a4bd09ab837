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

The names above are imported on first use (``make.py`` holds ``make_backend`` and ``api_key``), so
``import composer.settings`` loads only ``errors`` and ``schedule``, and no backend loads aiohttp or
openai until ``make_backend`` builds it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from composer.backends.make import KEY_VARIABLES, api_key, make_backend
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

_MODULES = {
    "errors": (
        "AuthError", "DownloadError", "FeatureDisabledError", "GenerationError", "InsufficientCreditsError",
        "InterruptedGenerationError", "MissingKeyError", "ModerationBlockedError", "NetworkError", "NotFoundError",
        "OptionError", "PollTimeoutError", "ProviderResponseError", "QuotaExceededError", "RateLimitedError",
        "RequestRejectedError", "ServiceUnavailableError", "SubmitUncertainError", "TaskFailedError",
        "TransientError",
    ),
    "make": ("KEY_VARIABLES", "api_key", "make_backend"),
    "options": ("validate_job",),
    "prices": ("PriceTable",),
    "schedule": ("PollSchedule", "RetryPolicy"),
    "types": (
        "BACKENDS", "Backend", "BackendName", "Cost", "Credits", "GenerationOptions", "GenerationResult", "Job",
        "Kind", "Progress", "ProgressEvent", "Submission", "no_progress",
    ),
}
_EXPORTS = {name: f"composer.backends.{module}" for module, names in _MODULES.items() for name in names}

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


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'composer.backends' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
