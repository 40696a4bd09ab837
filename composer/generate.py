"""Generating a brief: the orchestration behind ``compose shot --generate`` and ``compose generate``.

Nothing is lost on the way: the brief and the exact request are on disk before the first request,
the task id is written the moment the provider accepts the task, and every ending (success,
failure, timeout, Ctrl-C) leaves ``<stem>.generation.json`` saying what happened and what to do::

    pending     written before the first request (job, request preview, estimate)
    submitted   the provider accepted the task: its id is saved; collecting it costs nothing more
    succeeded   results downloaded: files, URLs, timings, cost
    incomplete  accepted but not collected (deadline, download failure, interrupt): --resume
    failed      the provider refused or failed the task; edit the brief and send it again

Async core for campaigns (one shared backend, many jobs at once)::

    check_existing(out_dir, stem, force=False)          # refuse to clobber or double-pay
    result = await run_job(backend, job, out_dir, stem, brief_file=None, progress=...)
    result = await resume_record(backend, record_path, force=False, progress=...)

Sync entry points for the CLI: ``generate_brief``, ``generate_brief_file``, ``estimate``, ``credits``.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from composer.backends import (
    BACKENDS,
    Backend,
    BackendName,
    Cost,
    Credits,
    DownloadError,
    GenerationError,
    GenerationOptions,
    GenerationResult,
    Job,
    OptionError,
    PollSchedule,
    PriceTable,
    Progress,
    ProgressEvent,
    RetryPolicy,
    Submission,
    SubmitUncertainError,
    TaskFailedError,
    api_key,
    make_backend,
    no_progress,
    validate_job,
)
from composer.backends.base import Stopwatch, utc_now
from composer.compose import Brief
from composer.errors import LibraryError
from composer.export import export_prompt_files, write_atomic
from composer.frames import check_frame, verify_frame
from composer.library import Library

RECORD_SUFFIX = ".generation.json"
RECORD_SCHEMA = "composer.generation/1"
DEFAULT_OUT_DIR = Path("out")
"""Where ``compose shot --generate`` writes when no ``--out`` is given."""

T = TypeVar("T")


class ExistingGenerationError(GenerationError):
    """The output folder holds an earlier generation that a new one would clobber or pay for twice."""


@dataclass(frozen=True)
class GenerateSettings:
    """How to generate: which backend and options, where to write, how patiently to wait."""

    backend: str | None = None
    """``kie`` or ``openai``; default: the target's backend."""
    options: GenerationOptions = field(default_factory=GenerationOptions)
    frame: Path | None = None
    """The locked first frame of a video target (default: the brief's first reference frame)."""
    out_dir: Path | None = None
    """Output folder (``compose shot``: ``out/``; ``compose generate``: the brief's folder)."""
    stem: str | None = None
    """File name stem (default: the brief's slug or file name)."""
    force: bool = False
    """Start anew even over an earlier generation, or one that may already be paid for."""
    poll: PollSchedule = field(default_factory=PollSchedule)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)


@dataclass
class Outcome:
    """What a generation left on disk."""

    result: GenerationResult
    record: Path
    written: list[Path] = field(default_factory=list)
    """Every file written: prompt files (``compose shot``), the record, the results."""
    warnings: list[str] = field(default_factory=list)
    already_complete: bool = False
    """``--resume`` found the generation finished with its files in place; nothing was sent."""


# -- jobs ----------------------------------------------------------------------------------------
def make_job(prompt: str, frames: list[Path], *, target: str, library: Library, settings: GenerateSettings) -> Job:
    """A job for ``target`` (its backend, model and kind from the library), checked before any request."""
    spec = library.target(target)
    if spec.kind == "video":
        frames = [settings.frame] if settings.frame else frames[:1]
    elif settings.frame is not None:
        raise OptionError("--frame is for video targets (e.g. --target sora-2); add frames to an image shot "
                          "with --reference")
    name = settings.backend or spec.backend
    if name not in BACKENDS:
        raise OptionError(f"unknown backend '{name}' (choose kie or openai)")
    backend: BackendName = "openai" if name == "openai" else "kie"
    job = Job(prompt=prompt, reference_frames=tuple(frames), target=target, model=spec.model, kind=spec.kind,
              backend=backend, options=settings.options)
    validate_job(job)
    for frame in job.reference_frames:  # what is uploaded must decode fully, not just carry a signature
        verify_frame(frame)
    return job


def job_from_brief(brief: Brief, library: Library, settings: GenerateSettings) -> Job:
    return make_job(brief.prompt, list(brief.reference_frames), target=brief.target_name, library=library,
                    settings=settings)


def read_brief_file(path: Path) -> dict[str, Any]:
    """An exported ``<slug>.json`` brief: its prompt, target and reference frames, checked."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LibraryError(f"cannot read brief ({exc})", path=path) from None
    except json.JSONDecodeError as exc:
        raise LibraryError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    if not isinstance(data, dict):
        raise LibraryError("expected a JSON object (an exported brief)", path=path)
    for name, kind in (("prompt", str), ("target", str), ("reference_frames", list)):
        if not isinstance(data.get(name), kind):
            raise LibraryError(f"required field is missing or not a {kind.__name__}", path=path, field=name)
    frames = [check_frame(path.parent / str(p), root=None, source=path, field=f"reference_frames.{i}")
              for i, p in enumerate(data["reference_frames"])]
    return {**data, "reference_frames": frames}


def job_from_brief_file(path: Path, library: Library, settings: GenerateSettings) -> tuple[Job, list[str]]:
    """The job for an exported brief, sent unchanged; warns when the ``.txt`` beside it differs."""
    data = read_brief_file(path)
    warnings = []
    txt = path.with_suffix(".txt")
    if txt.is_file() and txt.read_text(encoding="utf-8", errors="replace") != data["prompt"]:
        warnings.append(f"{txt.name} differs from the prompt in {path.name}; sending {path.name}'s prompt")
    job = make_job(data["prompt"], data["reference_frames"], target=data["target"], library=library,
                   settings=settings)
    return job, warnings


# -- the record ----------------------------------------------------------------------------------
def record_path(out_dir: Path, stem: str) -> Path:
    return out_dir / f"{stem}{RECORD_SUFFIX}"


class Record:
    """``<stem>.generation.json``: written atomically at every step; never holds a secret."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    @classmethod
    def new(cls, path: Path, job: Job, backend: Backend, brief_file: Path | None) -> Record:
        now = utc_now()
        return cls(path, {
            "schema": RECORD_SCHEMA, "status": "pending", "backend": job.backend, "target": job.target,
            "model": job.model, "task_id": None, "brief": str(brief_file) if brief_file else None,
            "job": job.to_json(), "request": backend.preview_request(job),
            "estimate": backend.estimate_cost(job).to_json(), "submission": None, "created_at": now,
            "updated_at": now, "timings": {}, "result_urls": [], "files": [], "cost": None, "usage": None,
            "polls": 0, "error": None, "uncertain": False,
        })

    @classmethod
    def load(cls, path: Path) -> Record:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise GenerationError(f"{path}: no generation record here (was it generated into another --out?)") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LibraryError(f"unreadable generation record ({exc})", path=path) from None
        if not isinstance(data, dict) or data.get("schema") != RECORD_SCHEMA or "job" not in data:
            raise LibraryError(f"not a generation record (expected schema {RECORD_SCHEMA})", path=path)
        return cls(path, data)

    @property
    def status(self) -> str:
        return str(self.data.get("status"))

    @property
    def task_id(self) -> str | None:
        task_id = self.data.get("task_id")
        return task_id if isinstance(task_id, str) else None

    def files(self) -> list[Path]:
        return [self.path.parent / name for name in self.data.get("files", [])]

    def save(self, **changes: Any) -> None:
        self.data.update(changes, updated_at=utc_now())
        write_atomic({self.path: json.dumps(self.data, indent=2, ensure_ascii=False) + "\n"})

    def submitted(self, submission: Submission) -> None:
        # The job and the request are stored once, at the top; the rest of the submission beside them.
        rest = {k: v for k, v in submission.to_json().items() if k not in ("job", "request")}
        self.save(status="submitted", task_id=submission.task_id, model=submission.model,
                  request=submission.request, submission=rest, error=None, uncertain=False)

    def submission(self) -> Submission | None:
        """The accepted task, rebuilt for ``collect``; None when nothing was accepted."""
        rest = self.data.get("submission")
        if not self.task_id or not isinstance(rest, dict):
            return None
        return Submission.from_json({**rest, "job": self.data["job"], "request": self.data["request"]})

    def succeeded(self, result: GenerationResult, *, total: float) -> None:
        timings = {**result.timings, "total": total}
        self.save(status="succeeded", result_urls=result.urls, files=[p.name for p in result.files],
                  timings={k: round(v, 3) for k, v in timings.items()}, cost=result.cost.to_json(),
                  usage=result.usage, polls=result.polls, error=None)

    def failed(self, exc: GenerationError) -> None:
        resumable = exc.resumable and self.task_id is not None
        # "pending" only while nothing was accepted: such a record may simply be sent again.
        accepted = self.task_id is not None or self.status == "submitted"
        status = "incomplete" if resumable else ("failed" if accepted else "pending")
        if isinstance(exc, TaskFailedError):
            status = "failed"
        error = {"type": type(exc).__name__, "message": str(exc), "retryable": exc.retryable,
                 "resumable": resumable}
        if isinstance(exc, TaskFailedError):
            error.update(fail_code=exc.fail_code, fail_msg=exc.fail_msg)
        extra: dict[str, Any] = {}
        if isinstance(exc, DownloadError) and exc.result_urls:
            extra["result_urls"] = exc.result_urls
        self.save(status=status, error=error, uncertain=isinstance(exc, SubmitUncertainError), **extra)

    def interrupted(self, during_submit: bool) -> None:
        error = {"type": "Interrupted", "message": "interrupted", "retryable": True,
                 "resumable": self.task_id is not None}
        status = "incomplete" if self.task_id else ("failed" if self.status == "submitted" else "pending")
        # Interrupted while the create request was in flight: it may have been accepted.
        self.save(status=status, error=error, uncertain=during_submit and self.task_id is None)

    @property
    def paid_without_task(self) -> bool:
        """Accepted by a synchronous API (OpenAI) whose images were never saved: re-sending pays again."""
        return self.status == "submitted" and self.task_id is None

    def result(self) -> GenerationResult:
        """The stored result of a succeeded generation."""
        cost = self.data.get("cost") or {"usd": None, "basis": "not recorded"}
        return GenerationResult(
            backend=self.data["backend"], model=self.data["model"], task_id=self.task_id, files=self.files(),
            urls=list(self.data.get("result_urls", [])), timings=dict(self.data.get("timings", {})),
            cost=Cost(**cost), usage=self.data.get("usage"), polls=int(self.data.get("polls", 0)),
        )


def _hint(record: Record, exc: GenerationError) -> str:
    """What to do next, appended to the error's one line."""
    if exc.resumable and record.task_id:
        return f"nothing is lost: `compose generate {record.path} --resume` collects task {record.task_id}"
    if isinstance(exc, SubmitUncertainError):
        return (f"the request is saved in {record.path}; to send it anyway: "
                f"`compose generate {record.path} --resume --force`")
    return f"the request is saved in {record.path}"


def check_existing(out_dir: Path, stem: str, *, force: bool) -> None:
    """Refuse to start over an earlier generation: one still pending would be paid for twice, and a
    finished one's files would be replaced. ``force`` overrides both."""
    path = record_path(out_dir, stem)
    if force or not path.is_file():
        return
    record = Record.load(path)
    if record.task_id and record.status in ("submitted", "incomplete"):
        raise ExistingGenerationError(
            f"{path} holds task {record.task_id}, accepted but not collected: run `compose generate {path} "
            "--resume` to collect it (--force sends a new, paid task)")
    if record.data.get("uncertain") or record.paid_without_task:
        raise ExistingGenerationError(
            f"{path}: an earlier request may have been accepted; check the provider's dashboard, then pass "
            "--force to send a new one")
    if record.status == "succeeded" and any(p.exists() for p in record.files()):
        first = next(p for p in record.files() if p.exists())
        raise ExistingGenerationError(
            f"{first} holds an earlier generation: pass --force to replace it, or --name/--out to keep both")


# -- async core ----------------------------------------------------------------------------------
async def run_job(
    backend: Backend, job: Job, out_dir: Path, stem: str, *, brief_file: Path | None = None,
    progress: Progress = no_progress,
) -> GenerationResult:
    """Write the record, submit, save the task id, collect, record the result (or the failure)."""
    backend.validate(job)
    record = Record.new(record_path(out_dir, stem), job, backend, brief_file)
    record.save()
    return await _drive(backend, record, job, None, out_dir, stem, progress)


async def resume_record(
    backend: Backend, path: Path, *, force: bool = False, progress: Progress = no_progress
) -> GenerationResult:
    """Continue the generation a record describes: collect an accepted task (never create it again),
    or send a job that was never accepted. A succeeded record with its files is returned as is."""
    record = Record.load(path)
    out_dir, stem = path.parent, path.name[: -len(RECORD_SUFFIX)]
    if record.status == "succeeded" and record.files() and all(p.is_file() for p in record.files()):
        return record.result()
    submission = record.submission()
    if submission is not None:
        progress(ProgressEvent("poll", f"resuming task {record.task_id}", task_id=record.task_id))
        return await _drive(backend, record, None, submission, out_dir, stem, progress)
    if record.status == "failed" and record.task_id:
        raise GenerationError(f"{path}: task {record.task_id} failed ({record.data['error']['message']}); "
                              "edit the brief and send it again")
    if (record.data.get("uncertain") or record.paid_without_task) and not force:
        raise ExistingGenerationError(
            f"{path}: the earlier request may have been accepted; check the provider's dashboard, then add "
            "--force to send it again")
    job = Job.from_json(record.data["job"])
    backend.validate(job)
    return await _drive(backend, record, job, None, out_dir, stem, progress)


async def _drive(
    backend: Backend, record: Record, job: Job | None, submission: Submission | None, out_dir: Path, stem: str,
    progress: Progress,
) -> GenerationResult:
    submitting, watch = submission is None, Stopwatch()
    try:
        if submission is None:
            assert job is not None
            submission = await backend.submit(job, progress=progress)
            submitting = False
            record.submitted(submission)
            if submission.task_id:
                progress(ProgressEvent("submitted", f"task {submission.task_id} saved in {record.path}",
                                       task_id=submission.task_id))
        result = await backend.collect(submission, out_dir, stem, progress=progress)
    except GenerationError as exc:
        record.failed(exc)
        # One line that says what happened and what to do; the record holds the rest.
        exc.args = (f"{exc}; {_hint(record, exc)}",)
        raise
    except (asyncio.CancelledError, KeyboardInterrupt):
        record.interrupted(during_submit=submitting)
        raise
    record.succeeded(result, total=watch())
    progress(ProgressEvent("done", f"done: {len(result.files)} file(s) in {watch():.1f} s", task_id=result.task_id))
    return result


# -- sync entry points (the CLI) -------------------------------------------------------------------
def _run(name: str, settings: GenerateSettings, library_root: Path | None,
         work: Callable[[Backend], Awaitable[T]]) -> T:
    """Build the backend on a fresh event loop, run ``work`` with it, close it."""
    api_key(name, settings.env)  # a missing key is reported before anything is written

    async def main() -> T:
        backend = make_backend(name, env=settings.env, poll=settings.poll, retry=settings.retry,
                               library_root=library_root)
        async with backend:
            return await work(backend)

    return asyncio.run(main())


def generate_brief(brief: Brief, library: Library, settings: GenerateSettings, *,
                   progress: Progress = no_progress) -> Outcome:
    """``compose shot --generate``: check, export the prompt files, write the record, generate."""
    job = job_from_brief(brief, library, settings)
    out_dir = settings.out_dir or DEFAULT_OUT_DIR
    stem = settings.stem or brief.slug
    check_existing(out_dir, stem, force=settings.force)
    api_key(job.backend, settings.env)
    written = export_prompt_files(brief, out_dir)
    brief_file = next(p for p in written if p.suffix == ".json")
    result = _run(job.backend, settings, library.root,
                  lambda b: run_job(b, job, out_dir, stem, brief_file=brief_file, progress=progress))
    record = record_path(out_dir, stem)
    return Outcome(result=result, record=record, written=[*written, record, *result.files])


def generate_brief_file(path: Path, library: Library, settings: GenerateSettings, *, resume: bool = False,
                        progress: Progress = no_progress) -> Outcome:
    """``compose generate BRIEF.json`` (send it unchanged) or ``--resume`` (continue its record)."""
    out_dir = settings.out_dir or path.parent
    is_record = path.name.endswith(RECORD_SUFFIX)
    stem = settings.stem or (path.name[: -len(RECORD_SUFFIX)] if is_record else path.stem)
    record = path if is_record else record_path(out_dir, stem)
    if resume:
        return _resume(record, library, settings, progress)
    if is_record:
        raise OptionError(f"{path} is a generation record: add --resume to continue it, or pass the brief (.json)")
    job, warnings = job_from_brief_file(path, library, settings)
    check_existing(out_dir, stem, force=settings.force)
    result = _run(job.backend, settings, library.root,
                  lambda b: run_job(b, job, out_dir, stem, brief_file=path, progress=progress))
    return Outcome(result=result, record=record, written=[record, *result.files], warnings=warnings)


def _resume(record: Path, library: Library, settings: GenerateSettings, progress: Progress) -> Outcome:
    loaded = Record.load(record)
    if loaded.status == "succeeded" and loaded.files() and all(p.is_file() for p in loaded.files()):
        return Outcome(result=loaded.result(), record=record, already_complete=True)
    name = str(loaded.data.get("backend"))
    result = _run(name, settings, library.root,
                  lambda b: resume_record(b, record, force=settings.force, progress=progress))
    return Outcome(result=result, record=record, written=[record, *result.files])


def interrupted_hint(path: Path) -> str | None:
    """What to tell a user who pressed Ctrl-C, from the record the interrupt left behind."""
    try:
        record = Record.load(path)
    except GenerationError:
        return None
    if record.task_id and record.status != "succeeded":
        return f"task {record.task_id} is saved in {path}: `compose generate {path} --resume` collects it"
    if record.data.get("uncertain"):
        return (f"the request may have been accepted; it is saved in {path} (check the provider's dashboard "
                "before sending it again)")
    return None


def estimate(job: Job, library_root: Path | None = None) -> Cost:
    """What ``job`` would cost by the price table (bundled, or the library's override); sends nothing."""
    return PriceTable.load(library_root).estimate(job)


def credits(settings: GenerateSettings, library_root: Path | None = None) -> Credits:
    """The KIE balance."""
    async def read(backend: Backend) -> Credits:
        return await backend.credits()

    return _run("kie", settings, library_root, read)
