"""What every generation backend shares: the job, the submission, the result, the protocol.

Nothing here imports aiohttp or openai: a caller can build jobs, check them and price them without
paying for an HTTP stack. The concrete backends (``kie.py``, ``openai_images.py``) are imported by
``make_backend`` only when one is needed. The errors are in ``errors.py``, the poll and retry
schedules in ``schedule.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, Self

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
    warnings: tuple[str, ...] = ()
    """What the user should know about results that were kept anyway (e.g. another format than asked)."""

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
