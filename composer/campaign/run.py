"""Running a campaign: every shot generated once, with bounded concurrency, a budget and resume.

``run_campaign`` takes the folder lock, opens the ledger and exports the plan (every brief composed
and written to ``briefs/``, so bad input stops the run before anything is sent). Then
``concurrency`` workers, sharing one backend per provider, work through the shots:

- tasks the ledger shows as submitted (paid for) come first: polled and downloaded, never re-created,
  even for shots since dropped from the campaign (their images are kept, like their cost);
- done shots are skipped; a done shot whose brief has changed since is *stale*: reported, and only
  regenerated with ``regenerate_stale`` (its old files move to ``images/superseded/``);
- a shot whose create request may have been accepted without its reply arriving (``uncertain``,
  or ``submitting`` after a crash) is not re-sent unless ``retry_uncertain``: that might pay twice;
- new and failed shots are submitted while the budget allows; the provider's task id is committed
  to the ledger before polling starts.

What is sent is the exported ``briefs/<id>.txt`` (checked against its digest): the runner holds a
small row per shot and one prompt per running task, never the campaign's briefs. A Ctrl-C lets
in-flight create requests answer and records their task ids, so the next run collects them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from composer.backends.base import (
    AuthError,
    Backend,
    Cost,
    FeatureDisabledError,
    GenerationError,
    GenerationResult,
    InsufficientCreditsError,
    Job,
    MissingKeyError,
    QuotaExceededError,
    Submission,
    SubmitUncertainError,
    TaskFailedError,
    TransientError,
)
from composer.campaign.errors import BudgetError, CampaignError
from composer.campaign.expand import Expansion
from composer.campaign.export import BRIEFS_DIR, IMAGES_DIR, write_plan_files
from composer.campaign.ledger import Entry, FolderLock, Ledger
from composer.campaign.plan import Plan, Planner, PlanRow, check_one_image, check_priced

SUPERSEDED_DIR = "superseded"
SUBMIT_GRACE_SECONDS = 30.0
"""After Ctrl-C, how long in-flight create requests may take to answer so their task ids are kept."""

FATAL = (AuthError, InsufficientCreditsError, MissingKeyError, QuotaExceededError, FeatureDisabledError)
"""Errors every further request would hit too: the run stops starting tasks."""

BackendFactory = Callable[[str], Backend]


@dataclass(frozen=True)
class RunSettings:
    concurrency: int = 4
    """Most tasks in flight at once (being created or polled)."""
    budget_credits: float | None = None
    """Stop starting tasks once the credits spent and committed in this folder (every run) would exceed it."""
    allow_unpriced: bool = False
    """With a budget, send shots the price table cannot price too (they are counted as 0 credits)."""
    regenerate_stale: bool = False
    """Generate again the done shots whose brief changed since."""
    retry_uncertain: bool = False
    """Send again the shots whose create request may or may not have been accepted."""
    attempts: int = 3
    """Tries per shot within one run for transient failures (on top of the backend's own retries)."""
    retry_delay: float = 2.0
    """Seconds before a shot's second try; doubles after each."""


@dataclass
class RunStats:
    """Live counters for a progress display: ``on_update`` receives this object after every change."""

    total: int = 0
    """Shots this run works on (collect or submit)."""
    done: int = 0
    failed: int = 0
    running: int = 0
    not_started: int = 0
    """Left unstarted because of the budget or an error every request would hit."""
    skipped: int = 0
    """Already done (and not stale, or stale and not asked to regenerate)."""
    stale: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    credits: float = 0.0
    """Credits spent or committed in this folder, every run included."""
    started: float = field(default_factory=time.monotonic)
    stop_reason: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    """Shot id -> why it did not finish in this run."""
    _settled_uncertain: int = 0

    @property
    def remaining(self) -> int:
        return max(self.total - self.done - self.failed - self.not_started - self._settled_uncertain, 0)


@dataclass(frozen=True)
class _Item:
    """A shot to submit, or a submitted task to collect (its ``entry`` holds the submission)."""

    kind: Literal["collect", "submit"]
    row: PlanRow | None
    """None only for a task to collect whose shot is no longer in the campaign."""
    entry: Entry | None

    @property
    def planned(self) -> PlanRow:
        assert self.row is not None, "only a shot of the plan is submitted"
        return self.row

    @property
    def id(self) -> str:
        if self.row is not None:
            return self.row.id
        assert self.entry is not None, "a task to collect comes with its ledger entry"
        return self.entry.id

    @property
    def estimate(self) -> Cost:
        if self.row is not None:
            return self.row.cost
        return Cost(usd=None, credits=self.entry.est_credits if self.entry else None)


class CampaignRunner:
    """Generates a campaign's shots into ``folder``; one instance per run, on one event loop."""

    def __init__(
        self,
        expansion: Expansion,
        planner: Planner,
        folder: Path,
        ledger: Ledger,
        backends: BackendFactory,
        settings: RunSettings = RunSettings(),
        on_update: Callable[[RunStats], None] = lambda stats: None,
    ) -> None:
        self.expansion = expansion
        self.planner = planner
        self.folder = folder
        self.ledger = ledger
        self.factory = backends
        self.settings = settings
        self.on_update = on_update
        self.stats = RunStats()
        self._backends: dict[str, Backend] = {}
        self._stopping = False
        self._interrupted = False
        self._committed = 0.0
        self._retryable: set[str] = set()

    # -- before anything is sent ----------------------------------------------------------------
    def prepare(self) -> list[_Item]:
        """Export the plan (bad input raises here), record it in the ledger, and order the work."""
        plan = write_plan_files(self.expansion, self.planner, self.folder)
        self.ledger.plan([ledger_row(row) for row in plan.rows])
        self.ledger.set_meta(
            campaign=str(self.expansion.source.path.resolve()),
            library=str(self.planner.composer.library.root.resolve()),
            title=self.expansion.campaign.name or self.expansion.source.path.stem,
        )
        entries = self.ledger.entries()
        items = sorted(self._items(plan, entries), key=lambda i: i.kind != "collect")
        self._committed = self.ledger.spent_credits()
        self.stats.credits = self._committed
        self.stats.total = len(items)
        self._check_budget(plan, items)
        for name in {_backend_name(item) for item in items}:
            self._backend(name)  # a missing key stops the run here, and no client is imported mid-run
        return items

    def _items(self, plan: Plan, entries: dict[str, Entry]) -> Iterator[_Item]:
        planned = {row.id for row in plan.rows}
        for dropped in entries.values():  # paid for, then dropped from the campaign: still collected
            if dropped.id not in planned and dropped.state == "submitted" and dropped.task_id:
                yield _Item("collect", None, dropped)
        for row in plan.rows:
            entry = entries.get(row.id)
            state = entry.state if entry else "composed"
            changed = entry is not None and entry.sent_hash not in (None, row.brief_hash)
            if row.blocked:
                self.stats.blocked.append(row.id)
            elif state == "submitted" and entry and entry.task_id:
                yield _Item("collect", row, entry)
            elif state == "done" and not (changed and self.settings.regenerate_stale):
                self.stats.skipped += 1
                if changed:
                    self.stats.stale.append(row.id)
            elif state in ("uncertain", "submitting", "submitted") and not self.settings.retry_uncertain:
                if entry and state != "uncertain":  # a run died mid-create (or OpenAI's bytes were lost)
                    self.ledger.uncertain(
                        row.id,
                        "the run stopped while its create request was in flight; the provider may have accepted it",
                    )
                self.stats.uncertain.append(row.id)
            else:
                yield _Item("submit", row, entry)

    def _check_budget(self, plan: Plan, items: list[_Item]) -> None:
        budget = self.settings.budget_credits
        if budget is None:
            return
        check_one_image(budget, plan.rows)
        check_priced([i.planned for i in items if i.kind == "submit"], budget,
                     allow_unpriced=self.settings.allow_unpriced)
        pending = [i.estimate.credits for i in items if i.kind == "submit" and i.estimate.credits is not None]
        left = budget - self._committed
        if pending and left < min(pending):
            raise BudgetError(
                f"{self._committed:,g} of the {budget:,g}-credit budget are already spent or "
                f"committed in {self.folder}; the {left:,g} left buy no image ({min(pending):,g} "
                "credits)"
            )

    # -- the run --------------------------------------------------------------------------------
    async def run(self, items: list[_Item]) -> RunStats:
        queue = iter(items)
        self.stats.started = time.monotonic()
        self._update()
        handling_sigint = self._handle_sigint()
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(max(1, self.settings.concurrency)):
                    group.create_task(self._worker(queue))
        except asyncio.CancelledError:
            if not self._interrupted:
                raise
        finally:
            if handling_sigint:
                asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)
            for backend in self._backends.values():
                with contextlib.suppress(Exception):
                    await backend.aclose()
        if self._interrupted:
            # Python 3.11's TaskGroup can absorb the cancellation Ctrl-C causes; the flag cannot be lost.
            raise KeyboardInterrupt
        return self.stats

    def _handle_sigint(self) -> bool:
        """Ctrl-C: start nothing new, cancel the workers (in-flight creates still record their ids)."""
        main = asyncio.current_task()

        def interrupt() -> None:
            self._interrupted = self._stopping = True
            if main is not None:
                main.cancel()

        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, interrupt)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
            return False
        return True

    async def _worker(self, queue: Iterator[_Item]) -> None:
        for item in queue:  # one shared iterator: each item goes to exactly one worker
            if item.kind == "collect":
                submission = Submission.from_json(item.entry.submission or {}) if item.entry else None
                await self._running(self._collect(item.id, item.estimate, submission))
            elif self._stopping or not self._reserve(item.planned):
                self.stats.not_started += 1
                self._update()
            else:
                await self._running(self._generate(item))

    async def _running(self, work: Awaitable[None]) -> None:
        self.stats.running += 1
        self._update()
        try:
            await work
        finally:
            self.stats.running -= 1
            self._update()

    def _reserve(self, row: PlanRow) -> bool:
        """Commit the shot's estimate against the budget, or stop starting tasks."""
        cost = row.cost.credits or 0.0
        budget = self.settings.budget_credits
        if budget is not None and self._committed + cost > budget:
            self._stop(f"the budget of {budget:,g} credits would be exceeded ({self._committed:,g} spent or committed)")
            return False
        self._committed += cost
        self.stats.credits = self._committed
        return True

    def _release(self, estimate: Cost) -> None:
        self._committed -= estimate.credits or 0.0
        self.stats.credits = self._committed

    def _stop(self, reason: str) -> None:
        if not self._stopping:
            self._stopping = True
            self.stats.stop_reason = reason

    async def _generate(self, item: _Item) -> None:
        """Submit (retrying transient failures), then collect."""
        row = item.planned
        if item.entry is not None and item.entry.state == "done":
            self._supersede(item.entry)
        for attempt in range(1, self.settings.attempts + 1):
            outcome = await self._submit(row)
            if isinstance(outcome, Submission):
                await self._collect(row.id, row.cost, outcome)
                return
            if outcome == "uncertain":
                self.stats._settled_uncertain += 1
                return  # committed credits stay: the provider may bill it
            if self._stopping or row.id not in self._retryable or attempt == self.settings.attempts:
                break
            await asyncio.sleep(self.settings.retry_delay * 2 ** (attempt - 1))
        self._release(row.cost)
        self.stats.failed += 1

    async def _submit(self, row: PlanRow) -> Submission | Literal["failed", "uncertain"]:
        """Record ``submitting``, create the task and commit its id before anything else happens."""
        try:
            job = self._job(row)
        except CampaignError as exc:
            return self._failed(row, str(exc))
        backend = self._backend(job.backend)
        self.ledger.submitting(row.id, row.brief_hash, job.backend)
        self._retryable.discard(row.id)
        task = asyncio.ensure_future(backend.submit(job))
        try:
            submission = await asyncio.shield(task)
        except asyncio.CancelledError:
            await self._record_after_cancel(row, task)
            raise
        except SubmitUncertainError as exc:
            self.ledger.uncertain(row.id, str(exc))
            self.stats.uncertain.append(row.id)
            self.stats.errors[row.id] = str(exc)
            return "uncertain"
        except GenerationError as exc:
            if isinstance(exc, TransientError):  # the backend gave up retrying; nothing was created
                self._retryable.add(row.id)
            elif isinstance(exc, FATAL):
                self._stop(str(exc))
            return self._failed(row, str(exc))
        self.ledger.submitted(row.id, submission.task_id, submission.to_json(), job.backend)
        return submission

    def _job(self, row: PlanRow) -> Job:
        """The job from the exported prompt file, which must still be the planned prompt."""
        path = self.folder / BRIEFS_DIR / f"{row.id}.txt"
        try:
            prompt = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CampaignError(f"cannot read {path}: {exc.strerror}") from None
        if hashlib.sha256(prompt.encode()).hexdigest() != row.prompt_sha256:
            raise CampaignError(f"{path} changed during the run; run again to re-plan")
        return self.planner.job_for(row, prompt)

    def _failed(self, row: PlanRow, reason: str) -> Literal["failed"]:
        self.ledger.failed(row.id, reason)
        self.stats.errors[row.id] = reason
        return "failed"

    async def _record_after_cancel(self, row: PlanRow, task: asyncio.Future[Submission]) -> None:
        """Interrupted mid-create: let the request answer so its task id is kept, not lost."""
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(asyncio.shield(task), SUBMIT_GRACE_SECONDS)
        if task.done() and not task.cancelled() and task.exception() is None:
            submission = task.result()
            self.ledger.submitted(row.id, submission.task_id, submission.to_json(), submission.job.backend)
        elif task.done():
            self.ledger.failed(row.id, f"interrupted; create request failed: {task.exception()}")
        else:
            task.cancel()
            self.ledger.uncertain(row.id, "interrupted while its create request was in flight")

    async def _collect(self, shot_id: str, estimate: Cost, submission: Submission | None) -> None:
        """Poll and download an accepted task; resumable failures are retried here, never re-created."""
        if submission is None:
            return
        backend = self._backend(submission.backend)
        for attempt in range(1, self.settings.attempts + 1):
            try:
                result = await backend.collect(submission, self.folder / IMAGES_DIR, shot_id)
            except GenerationError as exc:
                if exc.resumable and attempt < self.settings.attempts:
                    self.ledger.note(shot_id, str(exc))
                    await asyncio.sleep(self.settings.retry_delay * 2 ** (attempt - 1))
                    continue
                self.stats.errors[shot_id] = str(exc)
                self.stats.failed += 1
                if exc.resumable:  # paid for: it stays submitted and the next run collects it
                    self.ledger.note(shot_id, str(exc))
                else:
                    if isinstance(exc, TaskFailedError):  # KIE does not bill a failed task
                        self._release(estimate)
                    self.ledger.failed(shot_id, str(exc))
                return
            self._record_done(shot_id, estimate, result)
            return

    def _record_done(self, shot_id: str, estimate: Cost, result: GenerationResult) -> None:
        files = file_records(result, self.folder)
        credits = result.cost.credits if result.cost.credits is not None else estimate.credits
        usd = result.cost.usd if result.cost.usd is not None else estimate.usd
        self.ledger.done(shot_id, files, credits, usd)
        self.stats.done += 1

    def _supersede(self, entry: Entry) -> None:
        """Keep a stale shot's paid-for files: move them aside before generating it again."""
        target = self.folder / IMAGES_DIR / SUPERSEDED_DIR
        for record in entry.files:
            path = self.folder / record["path"]
            if path.is_file():
                target.mkdir(parents=True, exist_ok=True)
                path.replace(target / f"{path.stem}--{(entry.sent_hash or 'old')[:8]}{path.suffix}")
        self.ledger.reset(entry.id)

    def _backend(self, name: str) -> Backend:
        if name not in self._backends:
            self._backends[name] = self.factory(name)
        return self._backends[name]

    def _update(self) -> None:
        self.on_update(self.stats)


def _backend_name(item: _Item) -> str:
    """A submitted task is collected by the backend that created it; a new shot goes to its plan's."""
    planned = item.row.backend if item.row else ""
    return (item.entry.backend if item.kind == "collect" and item.entry else None) or planned


def ledger_row(row: PlanRow) -> dict[str, object]:
    s = row.shot
    return {
        "id": s.id,
        "group": s.group,
        "cast": s.cast_label,
        "scene": s.scene,
        "variant": s.variant,
        "take": s.take,
        "brief_hash": row.brief_hash,
        "credits": row.cost.credits,
        "blocked": " | ".join(row.blocked) or None,
    }


def file_records(result: GenerationResult, folder: Path) -> list[dict[str, str]]:
    """``[{"path", "sha256"}]`` for the result's files, paths relative to the output folder."""
    return [{"path": str(path.relative_to(folder) if path.is_relative_to(folder) else path), "sha256": digest}
            for path, digest in zip(result.files, result.sha256, strict=True)]


def run_campaign(
    expansion: Expansion,
    planner: Planner,
    folder: Path,
    backends: BackendFactory,
    settings: RunSettings = RunSettings(),
    *,
    on_update: Callable[[RunStats], None] = lambda stats: None,
    on_ready: Callable[[RunStats], None] = lambda stats: None,
) -> RunStats:
    """Lock the folder, export the plan and generate every shot; returns what happened."""
    with FolderLock(folder), Ledger(folder) as ledger:
        runner = CampaignRunner(expansion, planner, folder, ledger, backends, settings, on_update)
        items = runner.prepare()
        on_ready(runner.stats)
        return asyncio.run(runner.run(items))


def incomplete(stats: RunStats, folder: Path) -> CampaignError | None:
    """The one-line error for a run that left shots undone, or None when every shot is done."""
    parts = []
    if stats.failed:
        parts.append(f"{stats.failed} failed")
    if stats.not_started:
        parts.append(f"{stats.not_started} not started ({stats.stop_reason})")
    if stats.uncertain:
        parts.append(
            f"{len(stats.uncertain)} uncertain (the provider may have accepted them; "
            "--retry-uncertain sends them again)"
        )
    if stats.blocked:
        parts.append(f"{len(stats.blocked)} blocked by lint errors")
    if not parts:
        return None
    return CampaignError(f"campaign incomplete: {', '.join(parts)}; see `compose campaign status {folder}`")
