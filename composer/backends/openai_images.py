"""OpenAI's Images API through the official ``openai`` SDK: ``gpt-image-2``.

``images.generate`` for text-to-image; ``images.edit`` with every reference frame for
image-to-image, with ``input_fidelity="high"`` only for a model that takes it (``OPENAI_MODELS``:
gpt-image-2 does not, and the API refuses it). The API answers synchronously with base64 images, so
``submit`` makes the call and its ``Submission`` carries the images; ``collect`` saves them.

The SDK's own retries are off (``max_retries=0``): ``composer.backends.retry`` applies one policy to
every backend. A request that timed out is not retried: OpenAI may have generated, and billed, the
image, and its reply is the only copy.

(OpenAI's Sora Videos API shut down on 2026-09-24; video targets go through KIE.)
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import openai

from composer.backends.download import DEFAULT_LIMITS, EXTENSIONS, DownloadLimits, result_name, save_bytes, sniff_media
from composer.backends.errors import (
    AuthError,
    GenerationError,
    InsufficientCreditsError,
    MissingKeyError,
    ModerationBlockedError,
    NetworkError,
    NotFoundError,
    ProviderResponseError,
    RateLimitedError,
    RequestRejectedError,
    ServiceUnavailableError,
    SubmitUncertainError,
    redact,
)
from composer.backends.options import validate_openai_job
from composer.backends.prices import PriceTable
from composer.backends.retry import Sleep, parse_retry_after, retry_reporter, retrying
from composer.backends.schedule import DEFAULT_RETRY, RetryPolicy
from composer.backends.types import (
    ClosingBackend,
    Cost,
    Credits,
    GenerationResult,
    Job,
    Progress,
    ProgressEvent,
    Stopwatch,
    Submission,
    no_progress,
)
from composer.capabilities import OPENAI_MODELS
from composer.frames import sniff_image_type

log = logging.getLogger(__name__)
FORMAT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


class OpenAIImagesBackend(ClosingBackend):
    """gpt-image-2 through OpenAI's Images API. One ``AsyncOpenAI`` client (one pool) per instance."""

    name = "openai"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        prices: PriceTable | None = None,
        limits: DownloadLimits = DEFAULT_LIMITS,
        timeout: float = 600.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not api_key:
            raise MissingKeyError("no OpenAI API key: set OPENAI_API_KEY")
        self._key = api_key
        self.retry = retry
        self.prices = prices or PriceTable.load()
        self.limits = limits
        self.timeout = timeout
        self._sleep = sleep
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout)

    async def aclose(self) -> None:
        await self._client.close()


    # -- pure -----------------------------------------------------------------------------------
    def validate(self, job: Job) -> None:
        validate_openai_job(job)

    def _params(self, job: Job) -> dict[str, Any]:
        params: dict[str, Any] = {"model": job.model, "prompt": job.prompt}
        for name in ("size", "quality", "output_format"):
            value = getattr(job.options, name)
            if value is not None:
                params[name] = value
        if job.reference_frames and OPENAI_MODELS[job.model].input_fidelity:
            params["input_fidelity"] = "high"
        return params

    def preview_request(self, job: Job) -> dict[str, Any]:
        if not job.reference_frames:
            return {"endpoint": "images.generate", **self._params(job)}
        return {"endpoint": "images.edit", **self._params(job), "image": [str(p) for p in job.reference_frames]}

    def estimate_cost(self, job: Job) -> Cost:
        return self.prices.openai_estimate(job)

    # -- the call -------------------------------------------------------------------------------
    async def submit(self, job: Job, *, progress: Progress = no_progress) -> Submission:
        self.validate(job)
        watch = Stopwatch()
        params = self._params(job)
        call: Callable[[], Awaitable[Any]]
        if job.reference_frames:
            images = [await asyncio.to_thread(_read_frame, p) for p in job.reference_frames]
            call = lambda: self._client.images.edit(image=images, **params)  # noqa: E731
            endpoint = "images.edit"
        else:
            call = lambda: self._client.images.generate(**params)  # noqa: E731
            endpoint = "images.generate"
        progress(ProgressEvent("submit", f"calling OpenAI {endpoint} ({job.model}); this can take a minute or two"))
        log.debug("OpenAI %s %s (model %s, %d reference frame(s))", endpoint, self._client.base_url, job.model,
                  len(job.reference_frames))
        response = await retrying(lambda: self._call(call), self.retry, on_retry=retry_reporter(progress, self.retry),
                                  sleep=self._sleep)
        try:
            decoded, usage = _decode_images(response), _usage(response)
        except (AttributeError, TypeError, ValueError, ProviderResponseError) as exc:
            # OpenAI answered 200: the image was generated and billed, and this reply was its only copy.
            raise SubmitUncertainError(f"OpenAI answered but its reply cannot be read ({_why(exc)}); the image was "
                                       "probably billed: check usage before sending it again") from None
        progress(ProgressEvent("submitted", f"OpenAI returned {len(decoded)} image(s)"))
        return Submission(job=job, backend=self.name, model=job.model, task_id=None, request=self.preview_request(job),
                          submit_seconds=watch(), images=decoded, usage=usage)

    async def _call(self, call: Callable[[], Awaitable[Any]]) -> Any:
        try:
            async with asyncio.timeout(self.timeout):  # the SDK's timeouts restart with every byte
                return await call()
        except (openai.APITimeoutError, TimeoutError):
            raise SubmitUncertainError(f"OpenAI did not answer within {self.timeout:.0f} s; the image may have "
                                       "been generated and billed, but it exists only in the lost reply") from None
        except openai.APIConnectionError as exc:
            cause = type(exc.__cause__).__name__
            if cause in ("ConnectError", "ConnectTimeout", "PoolTimeout"):
                raise NetworkError(f"cannot connect to OpenAI ({cause})", maybe_sent=False) from None
            raise SubmitUncertainError(f"the connection to OpenAI failed mid-request ({cause or 'unknown'}); "
                                       "the image may have been billed; check usage before re-sending") from None
        except openai.APIStatusError as exc:
            raise self._error(exc) from None
        except (openai.APIResponseValidationError, json.JSONDecodeError) as exc:  # a 200 that is not JSON
            raise SubmitUncertainError(f"OpenAI answered but its reply cannot be read ({_why(exc)}); the image may "
                                       "have been billed: check usage before sending it again") from None

    def _error(self, exc: openai.APIStatusError) -> GenerationError:
        status = exc.status_code
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
        message = redact(" ".join(str(error.get("message") or exc.message).split()), (self._key,))[:300]
        code = error.get("code")
        retry_after = _retry_after(exc.response.headers)
        if status == 401:
            return AuthError("OpenAI rejected the API key (401): check OPENAI_API_KEY", status=status)
        if status == 429 and code == "insufficient_quota":
            return InsufficientCreditsError("OpenAI: insufficient quota (429 insufficient_quota): add credit at "
                                            "https://platform.openai.com/settings/organization/billing", status=status)
        if status == 429:
            return RateLimitedError(f"rate limited by OpenAI (429): {message}", status=status, retry_after=retry_after)
        if status == 404:
            return NotFoundError(f"OpenAI: not found (404): {message} (check OPENAI_BASE_URL)", status=status)
        if code == "moderation_blocked":
            return ModerationBlockedError(f"OpenAI's moderation refused the prompt (moderation_blocked: {message}); "
                                          "this is final and was not retried: reword the brief", status=status)
        if status in (400, 403, 422):
            return RequestRejectedError(f"OpenAI rejected the request ({status}): {message}", status=status)
        if status >= 500:
            return ServiceUnavailableError(f"OpenAI server error ({status}): {message}", status=status,
                                           retry_after=retry_after)
        return GenerationError(f"OpenAI answered {status}: {message}", status=status)

    async def collect(
        self, submission: Submission, out_dir: Path, stem: str, *, progress: Progress = no_progress
    ) -> GenerationResult:
        if not submission.images:
            raise GenerationError("an OpenAI generation cannot be resumed: its images arrive only in the reply; "
                                  "send the brief again")
        watch = Stopwatch()
        asked = submission.job.options.output_format or "png"
        count, saved, warnings = len(submission.images), [], []
        for i, data in enumerate(submission.images):
            claimed: str | None = FORMAT_TYPES.get(asked)
            actual = sniff_media(data[:16])
            if actual is not None and actual.startswith("image/") and actual != claimed:
                # Paid for either way: keep it under what it really is rather than throw it away.
                warnings.append(f"asked OpenAI for {asked}, it returned {actual}: saved as "
                                f"{result_name(stem, i, count)}{EXTENSIONS[actual]}")
                claimed = None
            saved.append(save_bytes(data, out_dir, result_name(stem, i, count), kind="image", claimed=claimed,
                                    limits=self.limits))
        submission.images = []  # the bytes are on disk; do not keep megabytes per job in memory
        cost = self.prices.openai_cost(submission.job, submission.usage)
        progress(ProgressEvent("done", f"saved {count} image(s)"))
        return GenerationResult(backend=self.name, model=submission.model, task_id=None,
                                files=[s.path for s in saved], urls=[],
                                timings={"submit": submission.submit_seconds, "download": watch()}, cost=cost,
                                usage=submission.usage, sha256=tuple(s.sha256 for s in saved),
                                warnings=tuple(warnings))

    async def credits(self) -> Credits:
        raise GenerationError("OpenAI has no balance API; see https://platform.openai.com/usage")


def _read_frame(path: Path) -> tuple[str, bytes, str]:
    data = path.read_bytes()
    return path.name, data, sniff_image_type(data[:16]) or "application/octet-stream"


def _why(exc: Exception) -> str:
    """A short, content-free reason (an SDK message may quote the whole reply)."""
    return type(exc).__name__ if not isinstance(exc, ProviderResponseError) else str(exc)


def _usage(response: Any) -> dict[str, Any] | None:
    usage = response.usage
    if usage is None:
        return None
    dumped = usage.model_dump(mode="json", exclude_none=True)
    return dumped if isinstance(dumped, dict) else None


def _decode_images(response: Any) -> list[bytes]:
    images = []
    items = response.data or []
    if not isinstance(items, list):
        raise ProviderResponseError("its data is not a list")
    for item in items:
        if not isinstance(item.b64_json, str) or not item.b64_json:
            continue
        try:
            images.append(base64.b64decode(item.b64_json, validate=True))
        except (binascii.Error, ValueError):
            raise ProviderResponseError("OpenAI returned an image that is not valid base64") from None
    if not images:
        raise ProviderResponseError("OpenAI's reply holds no image")
    return images


def _retry_after(headers: Any) -> float | None:
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return float(millis) / 1000.0
        except ValueError:
            pass
    return parse_retry_after(headers.get("retry-after"))
