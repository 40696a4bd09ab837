"""Every error a generation can end in, and what each one means for the money already spent.

``retryable``: the same request may succeed later (the client has already retried it within its
``RetryPolicy``). ``resumable``: the provider accepted the task, so collecting it again (``compose
generate --resume``, or the next ``compose campaign run``) costs nothing more::

    ComposerError (composer.errors)
    └── GenerationError                a generation failed; carries status and task_id
        ├── MissingKeyError            the API key's environment variable is not set
        ├── OptionError                the job breaks the provider's documented rules (checked before sending)
        ├── AuthError                  401: the key is wrong, revoked or missing
        ├── InsufficientCreditsError   402 (OpenAI: insufficient_quota): the account cannot pay
        ├── RequestRejectedError       422 / 400: the provider refused the request's content
        ├── QuotaExceededError         433: the sub-key's usage limit is reached
        ├── FeatureDisabledError       505: the feature is disabled for this account
        ├── NotFoundError              404: no such task or endpoint (expired task, wrong base URL)
        ├── SubmitUncertainError       a create may have been accepted but its reply was lost: never re-sent
        ├── TaskFailedError            the provider ran the task and it failed (KIE ``fail``: failCode, failMsg)
        ├── PollTimeoutError           resumable: the task did not finish before the deadline
        ├── DownloadError              resumable: a result could not be fetched or is not what it claims
        │   └── NoSpaceError           the disk is full: free space and collect it again
        ├── InterruptedGenerationError resumable: polling gave up on transient failures after acceptance
        └── TransientError             retryable: worth trying again; raised once the retry policy gives up
            ├── RateLimitedError       429
            ├── ServiceUnavailableError 455 (maintenance) or a 5xx
            ├── NetworkError           the connection failed; ``maybe_sent`` when it may have arrived
            └── ProviderResponseError  a reply this client cannot read (not JSON, wrong types): retried
                                       where a repeat is free (a poll); a create's becomes SubmitUncertainError

Which HTTP status (or KIE body ``code``) becomes which error is a table in each backend.
"""

from __future__ import annotations

from typing import ClassVar

from composer.errors import ComposerError


class GenerationError(ComposerError):
    """A generation failed. ``retryable``: the same request may succeed later (the client has
    already retried it within its policy). ``resumable``: the provider accepted the task, so
    ``compose generate --resume`` can collect it without paying again."""

    retryable: ClassVar[bool] = False
    resumable: ClassVar[bool] = False

    def __init__(self, message: str, *, status: int | None = None, task_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.task_id = task_id


class MissingKeyError(GenerationError):
    """The API key's environment variable is not set."""


class OptionError(GenerationError):
    """The job's options break the provider's documented rules (checked before any request)."""


class AuthError(GenerationError):
    """401: the key is wrong, revoked or missing."""


class InsufficientCreditsError(GenerationError):
    """402 (or OpenAI's insufficient_quota): the account cannot pay for the task."""


class RequestRejectedError(GenerationError):
    """422 / 400: the provider refused the request's content."""


class ModerationBlockedError(RequestRejectedError):
    """The provider's moderation refused the prompt (OpenAI's ``moderation_blocked``): final, never
    retried; only a reworded brief can go through."""


class QuotaExceededError(GenerationError):
    """433: the sub-key's usage limit is reached."""


class FeatureDisabledError(GenerationError):
    """505: the feature is disabled for this account."""


class NotFoundError(GenerationError):
    """404: the task or endpoint does not exist (expired task, wrong base URL)."""


class TransientError(GenerationError):
    """429, 455, 5xx, network trouble: worth retrying; raised once the retry policy gives up."""

    retryable = True

    def __init__(
        self, message: str, *, status: int | None = None, task_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, task_id=task_id)
        self.retry_after = retry_after


class RateLimitedError(TransientError):
    """429: too many requests."""


class ServiceUnavailableError(TransientError):
    """455 (maintenance) or a 5xx server error."""


class NetworkError(TransientError):
    """The connection failed. ``maybe_sent`` is True when the request may have reached the server."""

    def __init__(self, message: str, *, maybe_sent: bool, task_id: str | None = None) -> None:
        super().__init__(message, task_id=task_id)
        self.maybe_sent = maybe_sent


class ProviderResponseError(TransientError):
    """The provider answered with something this client cannot read. Worth asking again where asking
    is free (a poll, an upload); never for a create, whose unreadable reply may mean a paid task."""


class SubmitUncertainError(GenerationError):
    """The create request may have been accepted but its reply was lost: re-sending might pay twice."""


class TaskFailedError(GenerationError):
    """The provider ran the task and it failed (KIE state ``fail``, with failCode and failMsg)."""

    def __init__(self, message: str, *, task_id: str | None, fail_code: str | None, fail_msg: str | None) -> None:
        super().__init__(message, task_id=task_id)
        self.fail_code = fail_code
        self.fail_msg = fail_msg


class PollTimeoutError(GenerationError):
    """The task did not finish before the deadline; it may still finish: resume it."""

    resumable = True


class DownloadError(GenerationError):
    """A result could not be downloaded or is not the media it claims to be; the task is paid for,
    so resume (which downloads again) rather than re-send."""

    resumable = True

    def __init__(
        self, message: str, *, status: int | None = None, task_id: str | None = None,
        result_urls: list[str] | None = None,
    ) -> None:
        super().__init__(message, status=status, task_id=task_id)
        self.result_urls = result_urls or []


class NoSpaceError(DownloadError):
    """A paid-for result could not be saved because the disk is full: free space, then collect it again."""


class InterruptedGenerationError(GenerationError):
    """Polling stopped because of a transient failure after the task was accepted; resume it."""

    resumable = True


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret replaced, for any message built from provider or library output."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


