"""The generation record, ``<stem>.generation.json``: one shot's job, kept whole at every step.

The record is a typed model (``GenerationRecord``) written atomically whenever the job moves::

    pending     written before the first request (job, request preview, estimate)
    submitting  the create request is being sent: a process killed now leaves it to be checked
    submitted   the provider accepted the task: its id is saved; collecting it costs nothing more
    succeeded   results downloaded: files, URLs, timings, cost (and the QC report, when inspected)
    incomplete  accepted but not collected (deadline, download failure, interrupt): --resume
    uncertain   a create may have been accepted without its reply arriving: check, then --force
    failed      the provider refused or failed the task; edit the brief and send it again

``RecordStore`` is the record as a ``lifecycle.JobStore``; it never holds a secret.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from composer.backends.errors import DownloadError, GenerationError, TaskFailedError
from composer.backends.types import Backend, Cost, GenerationResult, Job, Stopwatch, Submission, utc_now
from composer.errors import LibraryError
from composer.export import save_document
from composer.frames import file_sha256
from composer.generate.inspection import Inspection
from composer.generate.lifecycle import Phase, Stop, StopStatus

RECORD_SUFFIX = ".generation.json"
RECORD_SCHEMA = "composer.generation/2"
READABLE_SCHEMAS = ("composer.generation/1", RECORD_SCHEMA)
"""Version 1 had no ``submitting``/``uncertain`` statuses (an ``uncertain`` flag instead)."""

Status = Literal["pending", "submitting", "submitted", "succeeded", "incomplete", "uncertain", "failed"]
PHASES: dict[Status, Phase] = {
    "pending": "new", "submitting": "submitting", "submitted": "accepted", "incomplete": "accepted",
    "succeeded": "done", "uncertain": "uncertain", "failed": "failed",
}
"""Each status as the lifecycle's rules see it."""
STOP_STATUSES: dict[StopStatus, Status] = {
    "unsent": "pending", "uncertain": "uncertain", "incomplete": "incomplete", "failed": "failed",
}


class RecordedError(BaseModel):
    """Why the last attempt stopped."""

    model_config = ConfigDict(extra="ignore")

    type: str
    """The error class, or ``Interrupted``."""
    message: str
    retryable: bool = False
    resumable: bool = False
    """The task was accepted: ``--resume`` collects it."""
    fail_code: str | None = None
    """KIE's failCode, for a task that ended in ``fail``."""
    fail_msg: str | None = None


class GenerationRecord(BaseModel):
    """``<stem>.generation.json``. Unknown fields are ignored so older composers read newer records."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    schema_id: str = Field(default=RECORD_SCHEMA, alias="schema")
    status: Status = "pending"
    backend: str
    target: str
    model: str
    """The provider's model id actually requested, once submitted."""
    task_id: str | None = None
    brief: str | None = None
    """The brief file the job came from."""
    job: dict[str, Any]
    """``Job.to_json()``: enough to send it again."""
    request: dict[str, Any]
    """The exact request body (frames as ``<upload of PATH>`` until uploaded)."""
    estimate: Cost
    submission: dict[str, Any] | None = None
    """The rest of ``Submission.to_json()`` (uploads, submit time), once accepted."""
    created_at: str = Field(default_factory=utc_now)
    updated_at: str = Field(default_factory=utc_now)
    timings: dict[str, float] = Field(default_factory=dict)
    result_urls: list[str] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)
    """Result file names, beside the record."""
    cost: Cost | None = None
    usage: dict[str, Any] | None = None
    polls: int = 0
    error: RecordedError | None = None
    qc: dict[str, Any] | None = None
    """The post-download inspector's report (pixel QC), when one ran."""
    needs_review: bool = False
    """The inspector asked for a person to look at the result."""
    frames: list[dict[str, str]] = Field(default_factory=list)
    """``[{"path", "sha256"}]`` of each reference frame the job attaches, in request order: the frame
    versions it was generated with (``compose frame history``)."""

    @property
    def phase(self) -> Phase:
        return PHASES[self.status]

    def to_text(self) -> str:
        return json.dumps(self.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False) + "\n"

    def submission_value(self) -> Submission | None:
        """The accepted task, rebuilt for ``collect``; None when nothing was accepted."""
        if not self.task_id or self.submission is None:
            return None
        return Submission.from_json({**self.submission, "job": self.job, "request": self.request})

    def result(self, folder: Path) -> GenerationResult:
        """The stored result of a succeeded generation."""
        return GenerationResult(
            backend=self.backend, model=self.model, task_id=self.task_id, files=[folder / f for f in self.files],
            urls=list(self.result_urls), timings=dict(self.timings),
            cost=self.cost or Cost(usd=None, basis="not recorded"), usage=self.usage, polls=self.polls,
        )


def record_path(out_dir: Path, stem: str) -> Path:
    return out_dir / f"{stem}{RECORD_SUFFIX}"


def new_record(job: Job, backend: Backend, brief_file: Path | None) -> GenerationRecord:
    return GenerationRecord(
        backend=job.backend, target=job.target, model=job.model, brief=str(brief_file) if brief_file else None,
        job=job.to_json(), request=backend.preview_request(job), estimate=backend.estimate_cost(job),
        frames=[{"path": str(p), "sha256": _digest(p)} for p in job.reference_frames],
    )


def _digest(path: Path) -> str:
    """The frame's SHA-256; "unknown" when it cannot be read (sending it reports why)."""
    try:
        return file_sha256(path)
    except OSError:
        return "unknown"


def load_record(path: Path) -> GenerationRecord:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GenerationError(f"{path}: no generation record here (was it generated into another --out?)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LibraryError(f"unreadable generation record ({exc})", path=path) from None
    if not isinstance(data, dict) or data.get("schema") not in READABLE_SCHEMAS or "job" not in data:
        raise LibraryError(f"not a generation record (expected schema {RECORD_SCHEMA})", path=path)
    if data.get("uncertain") and data.get("status") == "pending":  # version 1's flag
        data["status"] = "uncertain"
    try:
        return GenerationRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise LibraryError(f"not a generation record ({first['msg']})", path=path, field=where) from None


class RecordStore:
    """The record of one shot as the lifecycle's ``JobStore``: every change is written at once."""

    def __init__(self, path: Path, record: GenerationRecord) -> None:
        self.path = path
        self.record = record
        self._watch = Stopwatch()

    @property
    def where(self) -> str:
        return str(self.path)

    @property
    def brief(self) -> str:
        return self.record.brief or str(self.path)

    def save(self, **changes: Any) -> None:
        self.record = self.record.model_copy(update={**changes, "updated_at": utc_now()})
        save_document(self.path, self.record.to_text())

    def submitting(self) -> None:
        self.save(status="submitting", error=None)

    def submitted(self, submission: Submission) -> None:
        # The job and the request are stored once, at the top; the rest of the submission beside them.
        rest = {k: v for k, v in submission.to_json().items() if k not in ("job", "request")}
        self.save(status="submitted", task_id=submission.task_id, model=submission.model,
                  request=submission.request, submission=rest, error=None)

    def succeeded(self, result: GenerationResult, inspection: Inspection | None) -> None:
        timings = {**result.timings, "total": self._watch()}
        self.save(status="succeeded", result_urls=result.urls, files=[p.name for p in result.files],
                  timings={k: round(v, 3) for k, v in timings.items()}, cost=result.cost, usage=result.usage,
                  polls=result.polls, error=None, qc=inspection.report if inspection else None,
                  needs_review=inspection.needs_review if inspection else False)

    def stopped(self, stop: Stop) -> None:
        exc = stop.error
        status = STOP_STATUSES[stop.status]
        error = RecordedError(
            type=type(exc).__name__ if exc else "Interrupted", message=str(exc) if exc else stop.message,
            retryable=exc.retryable if exc else True, resumable=stop.status == "incomplete",
            fail_code=exc.fail_code if isinstance(exc, TaskFailedError) else None,
            fail_msg=exc.fail_msg if isinstance(exc, TaskFailedError) else None,
        )
        extra: dict[str, Any] = {}
        if isinstance(exc, DownloadError) and exc.result_urls:
            extra["result_urls"] = exc.result_urls
        self.save(status=status, error=error, **extra)

    def next_action(self, status: StopStatus, task_id: str | None) -> str:
        if status == "incomplete" and task_id:
            return f"nothing is lost: `compose generate {self.path} --resume` collects task {task_id}"
        if status == "uncertain":
            return (f"the request is saved in {self.path}; to send it anyway: "
                    f"`compose generate {self.path} --resume --force`")
        return f"the request is saved in {self.path}"
