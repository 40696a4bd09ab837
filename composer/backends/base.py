"""What every generation backend shares: the job, the submission, the result, the errors, the protocol.

Nothing here imports aiohttp or openai: a caller can build jobs, check them and price them without
paying for an HTTP stack. The concrete backends (``kie.py``, ``openai_images.py``) are imported by
``make_backend`` only when one is needed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Literal, Protocol, Self

from composer.errors import ComposerError
from composer.models import MotionModel

Kind = Literal["image", "video"]
BackendName = Literal["kie", "openai"]
BACKENDS: tuple[BackendName, ...] = ("kie", "openai")


# -- the job -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GenerationOptions:
    """Provider options. ``None`` means "not sent": the provider's own default applies."""

    aspect_ratio: str | None = None
    """KIE GPT Image 2: ``auto``, ``1:1``, ``16:9``...; KIE Sora 2: ``landscape`` or ``portrait``."""
    resolution: str | None = None
    """KIE GPT Image 2: ``1K``, ``2K`` or ``4K``."""
    size: str | None = None
    """OpenAI: ``auto`` or ``WIDTHxHEIGHT``."""
    quality: str | None = None
    """OpenAI: ``low``, ``medium``, ``high`` or ``auto``."""
    output_format: str | None = None
    """OpenAI: ``png``, ``jpeg`` or ``webp``."""
    n_frames: int | None = None
    """KIE video models: clip length in seconds (Sora 2: 10 or 15; the target's ``motion.durations``)."""

    def sent(self) -> dict[str, Any]:
        """The options that were given, by name."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}  # all scalars


@dataclass(frozen=True)
class Job:
    """One generation: a prompt, its reference frames, where it goes and with which options."""

    prompt: str
    reference_frames: tuple[Path, ...] = ()
    """Local image files; the backend uploads them (KIE) or attaches them (OpenAI)."""
    target: str = "gpt-image-2"
    """The composer target name (``compose list targets``)."""
    model: str = "gpt-image-2"
    """The target's model: ``gpt-image-2`` or a Sora 2 model; the backend picks the exact endpoint."""
    kind: Kind = "image"
    backend: BackendName = "kie"
    options: GenerationOptions = field(default_factory=GenerationOptions)
    motion: MotionModel | None = None
    """A video target's model data (its ``motion`` block); None for stills, and for Sora 2 jobs
    written before motion models were data (the built-in Sora 2 block applies)."""

    def to_json(self) -> dict[str, Any]:
        data = {
            "prompt": self.prompt,
            "reference_frames": [str(p) for p in self.reference_frames],
            "target": self.target,
            "model": self.model,
            "kind": self.kind,
            "backend": self.backend,
            "options": self.options.sent(),
        }
        if self.motion is not None:
            data["motion"] = self.motion.model_dump(mode="json")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        return cls(
            prompt=data["prompt"],
            reference_frames=tuple(Path(p) for p in data.get("reference_frames", [])),
            target=data["target"],
            model=data["model"],
            kind=data["kind"],
            backend=data["backend"],
            options=GenerationOptions(**data.get("options", {})),
            motion=MotionModel.model_validate(data["motion"]) if data.get("motion") else None,
        )


# -- cost ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cost:
    """What a generation costs (or is estimated to cost), with where the figure comes from."""

    usd: float | None
    """US dollars; None when the price table has no figure for this model."""
    credits: float | None = None
    """Provider credits (KIE), when the provider bills in credits."""
    basis: str = ""
    """How the figure was reached, e.g. "12 credits x $0.005"."""
    source: str = ""
    date: str = ""
    estimated: bool = True
    """True for a table estimate; False when computed from the provider's reported usage."""

    def describe(self) -> str:
        if self.usd is None:
            return f"unknown ({self.basis})"
        money = f"${self.usd:.4f}".rstrip("0").rstrip(".") if self.usd < 0.1 else f"${self.usd:.2f}"
        where = ", ".join(x for x in (self.source, self.date) if x)
        return f"{'~' if self.estimated else ''}{money} ({self.basis}{'; ' + where if where else ''})"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Credits:
    """An account balance."""

    balance: float
    unit: str = "credits"
    usd: float | None = None
    """The balance in dollars, when the price table knows the credit's value."""


# -- progress ------------------------------------------------------------------------------------
Stage = Literal["validate", "upload", "submit", "submitted", "poll", "retry", "download", "done"]


@dataclass(frozen=True)
class ProgressEvent:
    """Something a user may want to see while a job runs (the CLI prints these on stderr)."""

    stage: Stage
    message: str
    task_id: str | None = None
    state: str | None = None
    """The provider's task state while polling (``waiting``, ``queuing``, ``generating``...)."""
    elapsed: float = 0.0
    """Seconds since polling started."""


Progress = Callable[[ProgressEvent], None]


def no_progress(event: ProgressEvent) -> None:
    """The default progress sink: ignore."""


# -- submission and result -----------------------------------------------------------------------
def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def seconds_since(stamp: str) -> float:
    """Seconds from an ISO ``utc_now()`` stamp until now; 0 when it cannot be read or lies ahead."""
    try:
        then = datetime.fromisoformat(stamp)
    except ValueError:
        return 0.0
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return max((datetime.now(UTC) - then).total_seconds(), 0.0)


@dataclass
class Submission:
    """A job the provider has accepted. Persist ``to_json()`` before collecting: it is enough to
    collect the result later (``Submission.from_json``) without creating, and paying for, the task
    again."""

    job: Job
    backend: str
    model: str
    """The provider's model id actually requested, e.g. ``gpt-image-2-image-to-image``."""
    task_id: str | None
    """KIE's task id; None for OpenAI, whose API answers synchronously."""
    request: dict[str, Any]
    """The request body as sent (reference frames as their uploaded URLs), without secrets."""
    uploads: dict[str, str] = field(default_factory=dict)
    """Local reference frame -> uploaded URL."""
    submitted_at: str = field(default_factory=utc_now)
    submit_seconds: float = 0.0
    """Time spent uploading frames and creating the task (OpenAI: the whole call)."""
    images: list[bytes] = field(default_factory=list, repr=False)
    """OpenAI only: the decoded images, held until ``collect`` saves them (never serialised)."""
    usage: dict[str, Any] | None = None
    """OpenAI only: the reported token usage."""
    accepted: float = field(default_factory=time.monotonic, repr=False, compare=False)
    """``time.monotonic()`` when the provider accepted the job; for a restored submission, when it was
    restored less its age."""

    def age(self) -> float:
        """Seconds since the provider accepted the job."""
        return time.monotonic() - self.accepted

    def to_json(self) -> dict[str, Any]:
        return {
            "job": self.job.to_json(),
            "backend": self.backend,
            "model": self.model,
            "task_id": self.task_id,
            "request": self.request,
            "uploads": self.uploads,
            "submitted_at": self.submitted_at,
            "submit_seconds": round(self.submit_seconds, 3),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Submission:
        return cls(
            job=Job.from_json(data["job"]),
            backend=data["backend"],
            model=data["model"],
            task_id=data.get("task_id"),
            request=data.get("request", {}),
            uploads=data.get("uploads", {}),
            submitted_at=data.get("submitted_at", ""),
            submit_seconds=float(data.get("submit_seconds", 0.0)),
            accepted=time.monotonic() - seconds_since(data.get("submitted_at", "")),
        )


@dataclass(frozen=True)
class GenerationResult:
    """A finished generation: the files written, where they came from, how long it took, what it cost."""

    backend: str
    model: str
    task_id: str | None
    files: list[Path]
    urls: list[str]
    """The provider's result URLs (empty for OpenAI, which returns the bytes)."""
    timings: dict[str, float]
    """Seconds: ``submit``, ``wait`` (polling), ``download``, ``provider`` (KIE's costTime) when known."""
    cost: Cost
    usage: dict[str, Any] | None = None
    polls: int = 0
    sha256: tuple[str, ...] = ()
    """Each of ``files``' SHA-256, taken as it was written (empty for a result read back from a record)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "model": self.model,
            "task_id": self.task_id,
            "files": [str(p) for p in self.files],
            "urls": self.urls,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "cost": self.cost.to_json(),
            "usage": self.usage,
            "polls": self.polls,
        }


# -- schedules -----------------------------------------------------------------------------------
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
    def from_spec(cls, spec: str | None) -> PollSchedule:
        """A schedule from ``"initial=0.01,later=0.02,deadline=5"`` (the ``COMPOSER_POLL`` variable)."""
        return cls(**parse_spec(spec, cls, "COMPOSER_POLL"))  # type: ignore[arg-type]


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


# -- errors --------------------------------------------------------------------------------------
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


class ProviderResponseError(GenerationError):
    """The provider answered with something this client cannot read."""


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


class InterruptedGenerationError(GenerationError):
    """Polling stopped because of a transient failure after the task was accepted; resume it."""

    resumable = True


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret replaced, for any message built from provider or library output."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


# -- the protocol --------------------------------------------------------------------------------
class Backend(Protocol):
    """A generation backend. One instance holds one connection pool; its coroutines may run from
    many tasks at once on one event loop."""

    name: str

    def validate(self, job: Job) -> None:
        """Raise ``OptionError`` if the job breaks the provider's rules; sends nothing."""

    def preview_request(self, job: Job) -> dict[str, Any]:
        """The request as it will be sent, with reference frames as local paths; sends nothing."""

    async def submit(self, job: Job, *, progress: Progress = no_progress) -> Submission:
        """Upload frames and create the task; return once the provider has accepted it."""

    async def collect(
        self, submission: Submission, out_dir: Path, stem: str, *, progress: Progress = no_progress
    ) -> GenerationResult:
        """Wait for the task, download its results into ``out_dir`` as ``<stem>.<ext>`` (or
        ``<stem>-1.<ext>``...), and return them."""

    async def credits(self) -> Credits:
        """The account balance."""

    def estimate_cost(self, job: Job) -> Cost:
        """The price table's estimate for the job; sends nothing."""

    async def aclose(self) -> None:
        """Close the connection pool."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class Stopwatch:
    """Monotonic seconds since creation (``time.monotonic`` is immune to clock changes)."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self) -> float:
        return time.monotonic() - self.start


class ClosingBackend:
    """``async with backend:`` closes its connection pool on the way out (shared by every backend)."""

    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
