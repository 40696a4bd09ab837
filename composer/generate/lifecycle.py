"""One job's lifecycle, the same for a single shot and for every shot of a campaign.

``drive`` takes a job (or a task already accepted) through submit -> poll -> download -> inspect ->
record, telling a ``JobStore`` at every step. The per-shot record (``record.RecordStore``) and the
campaign ledger (``composer.campaign.store.LedgerStore``) are the two stores. The rules that keep
a task from being paid for twice are written here, once:

1. Before the create request, the store durably says ``submitting``: a process killed mid-create
   leaves a job the next run treats as ``uncertain``, never as unsent.
2. The moment the provider accepts, the store commits the task (``submitted``), before any poll.
3. Once a task is accepted, no failure makes it "send again", except the provider's own word that
   it failed (``TaskFailedError``) or no longer exists (``NotFoundError``): anything else (a
   deadline, a download, a malformed reply, an interrupt) leaves it ``incomplete``, to collect.
4. A create whose reply was lost may have been accepted: ``uncertain``, never re-sent unless the
   user says so (``Resend.uncertain``: ``--force``, ``--retry-uncertain``).
5. Cancelled (Ctrl-C) while a create is in flight, the driver waits up to ``submit_grace``
   seconds for its reply so the task is kept; a create still unanswered then is ``uncertain``.

``next_step`` applies the same rules to what a store already holds, so a run knows whether to
submit, collect, skip or refuse a job before sending anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from composer.backends.errors import (
    GenerationError,
    ModerationBlockedError,
    NotFoundError,
    PollTimeoutError,
    SubmitUncertainError,
    TaskFailedError,
    TransientError,
)
from composer.backends.types import (
    Backend,
    GenerationResult,
    Job,
    Progress,
    ProgressEvent,
    Stopwatch,
    Submission,
    no_progress,
)
from composer.errors import ComposerError
from composer.generate.inspection import Inspection, Inspector, inspect

log = logging.getLogger(__name__)

Phase = Literal["new", "submitting", "accepted", "uncertain", "done", "failed"]
"""Where a stored job stands, in both stores' words: ``new`` (nothing accepted: pending,
composed), ``submitting`` (a create was in flight when the process stopped), ``accepted`` (the
provider has the task: submitted, incomplete), ``uncertain``, ``done`` and ``failed`` (the provider
refused or failed it: sending it again is a new, deliberate job)."""

Step = Literal["submit", "collect", "skip", "refuse"]

StopStatus = Literal["unsent", "uncertain", "incomplete", "failed"]
"""How a job that did not succeed ended: ``unsent`` (nothing was accepted; it may simply be sent
again), ``uncertain`` (see rule 4), ``incomplete`` (accepted, to collect), ``failed``."""


@dataclass(frozen=True)
class Resend:
    """What the user allows to be paid for again."""

    done: bool = False
    """Generate a finished job again (``--force``; a stale campaign shot with ``--regenerate-stale``)."""
    uncertain: bool = False
    """Send again a create that may have been accepted (``--force``, ``--retry-uncertain``)."""
    accepted: bool = False
    """Abandon an accepted, uncollected task and pay for a new one (``compose shot --force`` only)."""


def next_step(phase: Phase, *, has_task: bool, resend: Resend = Resend()) -> Step:
    """What a run does with a stored job: collect what was paid for, never send it twice unasked."""
    if phase == "done":
        return "submit" if resend.done else "skip"
    if phase == "accepted" and has_task and not resend.accepted:
        return "collect"
    if phase in ("submitting", "uncertain") or (phase == "accepted" and not has_task):
        # accepted without a task id: a synchronous provider (OpenAI) billed images that were lost.
        return "submit" if resend.uncertain else "refuse"
    return "submit"


def after_acceptance(exc: GenerationError, *, has_task: bool) -> StopStatus:
    """How an accepted job ends on ``exc`` (rule 3)."""
    if isinstance(exc, TaskFailedError | NotFoundError) or not has_task:
        return "failed"
    return "incomplete"


# -- the store -----------------------------------------------------------------------------------
class StoreError(ComposerError):
    """A store could not record a step (a full disk, an unwritable ledger). The job stops where it
    stood; the next run goes on from what was recorded (a create recorded only as ``submitting`` is
    then uncertain, rule 1)."""

    def __init__(self, message: str, *, no_space: bool) -> None:
        super().__init__(message)
        self.no_space = no_space


@dataclass(frozen=True)
class Stop:
    """Why a job stopped short of success."""

    status: StopStatus
    message: str
    """One line: what happened and what to do next."""
    error: GenerationError | None = None
    """None for an interrupt."""


class JobStore(Protocol):
    """Where one job's progress is kept. Every method commits durably before it returns."""

    @property
    def where(self) -> str:
        """The file that holds the job, for messages."""

    @property
    def brief(self) -> str:
        """The brief the job sends, for messages that are about its content."""

    def submitting(self) -> None:
        """A create request is about to be sent (rule 1)."""

    def submitted(self, submission: Submission) -> None:
        """The provider accepted the task (rule 2)."""

    def succeeded(self, result: GenerationResult, inspection: Inspection | None) -> None:
        """The results are on disk (and inspected, when an inspector was given)."""

    def stopped(self, stop: Stop) -> None:
        """The job stopped short of success."""

    def next_action(self, status: StopStatus, task_id: str | None) -> str:
        """What the user does next, appended to the one-line message (e.g. the command that collects it)."""


# -- the driver ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lifecycle:
    """How patiently one job is driven within one run (on top of the backend's own retries)."""

    attempts: int = 1
    """Tries per job for transient create failures and for collecting an accepted task."""
    retry_delay: float = 2.0
    """Seconds before a job's second try; doubles after each."""
    submit_grace: float = 30.0
    """After Ctrl-C, how long an in-flight create may take to answer so its task is kept (rule 5)."""
    inspect: Inspector | None = None
    """The post-download hook (pixel QC)."""
    deadline: float | None = None
    """Seconds the whole job may take, submit to download (``--deadline``); an accepted task is left
    to collect, a create still in flight is uncertain."""
    stopping: Callable[[], bool] = field(default=lambda: False, compare=False)
    """True once the run starts nothing new: no further tries."""


DEFAULT_LIFECYCLE = Lifecycle()


@dataclass(frozen=True)
class Ending:
    """How ``drive`` left a job."""

    result: GenerationResult | None
    stop: Stop | None

    @property
    def error(self) -> GenerationError | None:
        return self.stop.error if self.stop else None


async def drive(
    backend: Backend, store: JobStore, out_dir: Path, stem: str, *, job: Job | None = None,
    submission: Submission | None = None, policy: Lifecycle = DEFAULT_LIFECYCLE, progress: Progress = no_progress,
) -> Ending:
    """Submit ``job`` (or collect ``submission``, a task already accepted) and record every step in
    ``store``, within the policy's ``deadline`` for the whole job."""
    tracked = _Tracked(store)
    try:
        async with asyncio.timeout(policy.deadline) as scope:
            return await _drive(backend, tracked, out_dir, stem, job, submission, policy, progress)
    except TimeoutError:
        if not scope.expired():
            raise
    # The deadline cancelled the job mid-step; that step's handler recorded where it stood.
    last = tracked.last
    status: StopStatus = last.status if last else "incomplete"
    what = f"the job's deadline of {policy.deadline:g} s passed (--deadline)"
    error = SubmitUncertainError(what) if status == "uncertain" else PollTimeoutError(what, task_id=tracked.task_id)
    return _stopped(store, status, error, what, tracked.task_id)


async def _drive(backend: Backend, store: JobStore, out_dir: Path, stem: str, job: Job | None,
                 submission: Submission | None, policy: Lifecycle, progress: Progress) -> Ending:
    if submission is None:
        if job is None:
            raise ValueError("drive needs a job to submit or a submission to collect")
        sent = await _submit_with_retries(backend, store, job, policy, progress)
        if isinstance(sent, Ending):
            return sent
        submission = sent
    return await _collect(backend, store, submission, out_dir, stem, policy, progress)


class _Tracked:
    """A store that remembers what it was last told, for the message when a deadline cuts a step short."""

    def __init__(self, store: JobStore) -> None:
        self.store = store
        self.last: Stop | None = None
        self.task_id: str | None = None

    @property
    def where(self) -> str:
        return self.store.where

    @property
    def brief(self) -> str:
        return self.store.brief

    def submitting(self) -> None:
        log.info("%s: submitting (recorded in %s)", self.brief, self.where)
        self.store.submitting()

    def submitted(self, submission: Submission) -> None:
        self.task_id = submission.task_id
        log.info("%s: accepted as task %s", self.brief, submission.task_id)
        self.store.submitted(submission)

    def succeeded(self, result: GenerationResult, inspection: Inspection | None) -> None:
        log.info("%s: done, %d file(s)", self.brief, len(result.files))
        self.store.succeeded(result, inspection)

    def stopped(self, stop: Stop) -> None:
        self.last = stop
        log.info("%s: stopped %s: %s", self.brief, stop.status, stop.message)
        self.store.stopped(stop)

    def next_action(self, status: StopStatus, task_id: str | None) -> str:
        return self.store.next_action(status, task_id)


async def _pause(policy: Lifecycle, attempt: int) -> bool:
    """Wait before another try; False when there is none to make."""
    if attempt >= policy.attempts or policy.stopping():
        return False
    await asyncio.sleep(policy.retry_delay * 2 ** (attempt - 1))
    return True


def _stopped(store: JobStore, status: StopStatus, error: GenerationError | None, what: str,
             task_id: str | None) -> Ending:
    if isinstance(error, ModerationBlockedError):  # final and about the content: name the brief, not a resume
        stop = Stop(status, f"{store.brief}: {what}", error)
    else:
        stop = Stop(status, f"{what}; {store.next_action(status, task_id)}", error)
    store.stopped(stop)
    return Ending(None, stop)


async def _submit_with_retries(
    backend: Backend, store: JobStore, job: Job, policy: Lifecycle, progress: Progress
) -> Submission | Ending:
    attempt = 1
    while True:
        sent = await _submit(backend, store, job, policy, progress)
        if isinstance(sent, Submission):
            return sent
        retry = sent.stop is not None and sent.stop.status == "unsent" and isinstance(sent.error, TransientError)
        if not retry or not await _pause(policy, attempt):
            return sent
        attempt += 1


async def _submit(backend: Backend, store: JobStore, job: Job, policy: Lifecycle,
                  progress: Progress) -> Submission | Ending:
    store.submitting()
    task = asyncio.ensure_future(backend.submit(job, progress=progress))
    try:
        submission = await asyncio.shield(task)
    except (asyncio.CancelledError, KeyboardInterrupt):
        await _after_interrupt(store, task, policy.submit_grace)
        raise
    except SubmitUncertainError as exc:
        return _stopped(store, "uncertain", exc, str(exc), None)
    except GenerationError as exc:
        return _stopped(store, "unsent", exc, str(exc), None)
    store.submitted(submission)
    if submission.task_id:
        progress(ProgressEvent("submitted", f"task {submission.task_id} saved in {store.where}",
                               task_id=submission.task_id))
    return submission


async def _after_interrupt(store: JobStore, task: asyncio.Future[Submission], grace: float) -> None:
    """Interrupted mid-create: let the request answer so its task is kept, not lost (rule 5)."""
    with contextlib.suppress(BaseException):
        await asyncio.wait_for(asyncio.shield(task), grace)
    if not task.done():
        task.cancel()
        _stopped(store, "uncertain", None, "interrupted while its create request was in flight", None)
    elif not task.cancelled() and task.exception() is None:
        submission = task.result()
        store.submitted(submission)
        _stopped(store, "incomplete", None, "interrupted", submission.task_id)
    else:
        exc = task.exception() if not task.cancelled() else None
        status: StopStatus = "uncertain" if isinstance(exc, SubmitUncertainError) or exc is None else "unsent"
        _stopped(store, status, exc if isinstance(exc, GenerationError) else None,
                 f"interrupted; the create request failed: {exc}", None)


async def _collect(backend: Backend, store: JobStore, submission: Submission, out_dir: Path, stem: str,
                   policy: Lifecycle, progress: Progress) -> Ending:
    task_id, watch, attempt = submission.task_id, Stopwatch(), 1
    while True:
        try:
            result = await backend.collect(submission, out_dir, stem, progress=progress)
        except (asyncio.CancelledError, KeyboardInterrupt):
            _stopped(store, "incomplete" if task_id else "failed", None, "interrupted", task_id)
            raise
        except GenerationError as exc:
            status = after_acceptance(exc, has_task=task_id is not None)
            ending = _stopped(store, status, exc, str(exc), task_id)
            if status == "incomplete" and await _pause(policy, attempt):
                attempt += 1
                continue
            return ending
        store.succeeded(result, await inspect(policy.inspect, result))
        progress(ProgressEvent("done", f"done: {len(result.files)} file(s) in {watch():.1f} s", task_id=task_id))
        return Ending(result, None)
