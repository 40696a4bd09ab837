"""Running a campaign: every shot generated once, with bounded concurrency, a budget and resume.

``run_campaign`` takes the folder lock, opens the ledger and exports the plan (every brief composed
and written to ``briefs/``, so bad input stops the run before anything is sent). ``select_shots``
(``select.py``) decides what to collect, submit, skip or leave alone. Then ``concurrency``
workers, sharing one backend per provider, drive each shot through the same lifecycle as a single
shot (``composer.generate.lifecycle.drive``), with the shot's ledger row as its store: the
provider's task id is committed before polling starts, and a Ctrl-C lets in-flight create requests
answer and records their task ids, so the next run collects them.

What is sent is the exported ``briefs/<id>.txt`` (checked against its digest): the runner holds a
small row per shot and one prompt per running task, never the campaign's briefs. The runner's own
concerns are the budget, stopping on errors every request would hit, and stale shots' old files.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from composer.backends.errors import (
    AuthError,
    FeatureDisabledError,
    InsufficientCreditsError,
    MissingKeyError,
    NoSpaceError,
    QuotaExceededError,
    TaskFailedError,
)
from composer.backends.types import Backend, Cost, Job, Submission
from composer.campaign.chain import Approvals, after_run, chain_in_folder
from composer.campaign.errors import BudgetError, CampaignError
from composer.campaign.expand import Expansion, legacy_shot_id
from composer.campaign.export import (
    BRIEFS_DIR,
    IMAGES_DIR,
    SUPERSEDED_DIR,
    keep_sent_brief,
    superseded_name,
    write_plan_files,
)
from composer.campaign.ledger import Entry, FolderLock, Ledger
from composer.campaign.plan import Plan, Planner, PlanRow, check_one_image, check_priced
from composer.campaign.select import RunSettings, Work, select_shots
from composer.campaign.stats import RunStats, incomplete
from composer.campaign.status import interrupted
from composer.campaign.store import LedgerStore
from composer.generate.lifecycle import Ending, Lifecycle, Stop, StoreError, drive
from composer.generate.lock import remove_leftovers

FATAL = (AuthError, InsufficientCreditsError, MissingKeyError, QuotaExceededError, FeatureDisabledError)
"""Errors every further request would hit too: the run stops starting tasks."""

BackendFactory = Callable[[str], Backend]
DEFAULT_SETTINGS = RunSettings()

__all__ = ["CampaignRunner", "RunSettings", "RunStats", "incomplete", "ledger_row", "run_campaign"]


class CampaignRunner:
    """Generates a campaign's shots into ``folder``; one instance per run, on one event loop."""

    def __init__(
        self,
        expansion: Expansion,
        planner: Planner,
        folder: Path,
        ledger: Ledger,
        backends: BackendFactory,
        settings: RunSettings = DEFAULT_SETTINGS,
        on_update: Callable[[RunStats], None] = lambda stats: None,
        approvals: Approvals | None = None,
    ) -> None:
        self.expansion = expansion
        self.approvals = approvals
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

    # -- before anything is sent ----------------------------------------------------------------
    def prepare(self) -> list[Work]:
        """Export the plan (bad input raises here), record it in the ledger, and choose the work."""
        for folder in (self.folder, self.folder / IMAGES_DIR, self.folder / BRIEFS_DIR):
            remove_leftovers(folder)  # what a killed run was writing (we hold the folder's lock)
        self._chain()
        plan = write_plan_files(self.expansion, self.planner, self.folder)
        self.ledger.rename(legacy_ids(plan))  # a ledger written before shot ids had words
        self.ledger.plan([ledger_row(row) for row in plan.rows])
        self.ledger.set_meta(
            campaign=str(self.expansion.source.path.resolve()),
            library=str(self.planner.composer.library.root.resolve()),
            title=self.expansion.campaign.name or self.expansion.source.path.stem,
        )
        entries = self.ledger.entries()
        selection = select_shots(plan, entries, self.settings)
        for shot_id in selection.interrupted:  # a run died mid-create (or OpenAI's bytes were lost)
            self.ledger.uncertain(shot_id, interrupted(entries[shot_id]))
        self.stats.skipped, self.stats.stale = selection.skipped, selection.stale
        self.stats.uncertain, self.stats.blocked = selection.uncertain, selection.blocked
        self._committed = self.ledger.spent_credits()
        self.stats.credits = self._committed
        self.stats.total = len(selection.work)
        self._check_budget(plan, selection.work)
        for name in {work.backend for work in selection.work}:
            self._backend(name)  # a missing key stops the run here, and no client is imported mid-run
        return selection.work

    def _chain(self) -> None:
        """Give each motion shot its still's image (done, or approved in review), or say why it waits."""
        if any(shot.still for shot in self.expansion.shots):
            self.expansion = chain_in_folder(self.expansion, self.folder, self.ledger, self.approvals)
            self.stats.waiting = after_run(self.expansion, self.folder, self.ledger)

    def _check_budget(self, plan: Plan, work: list[Work]) -> None:
        budget = self.settings.budget_credits
        if budget is None:
            return
        check_one_image(budget, plan.rows)
        check_priced([w.planned for w in work if w.kind == "submit"], budget,
                     allow_unpriced=self.settings.allow_unpriced)
        pending = [w.estimate.credits for w in work if w.kind == "submit" and w.estimate.credits is not None]
        left = budget - self._committed
        if pending and left < min(pending):
            raise BudgetError(
                f"{self._committed:,g} of the {budget:,g}-credit budget are already spent or "
                f"committed in {self.folder}; the {left:,g} left buy no image ({min(pending):,g} "
                "credits)"
            )

    # -- the run --------------------------------------------------------------------------------
    async def run(self, work: list[Work]) -> RunStats:
        queue = iter(work)
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

    async def _worker(self, queue: Iterator[Work]) -> None:
        for work in queue:  # one shared iterator: each item goes to exactly one worker
            if work.kind == "collect":
                await self._running(self._collect(work))
            elif self._stopping or not self._reserve(work.planned):
                self.stats.not_started += 1
                self._update()
            else:
                await self._running(self._generate(work))

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

    @property
    def _lifecycle(self) -> Lifecycle:
        s = self.settings
        return Lifecycle(attempts=s.attempts, retry_delay=s.retry_delay, submit_grace=s.submit_grace,
                         inspect=s.inspect, stopping=lambda: self._stopping)

    async def _generate(self, work: Work) -> None:
        """Send the shot's exported brief through the lifecycle."""
        row = work.planned
        if work.entry is not None and work.entry.state == "done":
            self._supersede(work.entry)
        try:
            job = self._job(row)
            keep_sent_brief(self.folder, row.id, row.brief_hash)
        except CampaignError as exc:
            self.ledger.failed(row.id, str(exc))
            self._settle(row.id, row.cost, Ending(None, Stop("unsent", str(exc))))
            return
        store = LedgerStore(self.ledger, row.id, row.cost, sent_hash=row.brief_hash, backend=job.backend,
                            frames=row.frame_versions())
        await self._drive(row.id, row.cost, drive(self._backend(job.backend), store, self.folder / IMAGES_DIR,
                                                  row.id, job=job, policy=self._lifecycle))

    async def _collect(self, work: Work) -> None:
        """Poll and download a task a run already paid for; never create it again."""
        if work.entry is None or not work.entry.submission:
            return
        submission = Submission.from_json(work.entry.submission)
        store = LedgerStore(self.ledger, work.id, work.estimate, backend=submission.backend)
        await self._drive(work.id, work.estimate, drive(self._backend(submission.backend), store,
                                                        self.folder / IMAGES_DIR, work.id, submission=submission,
                                                        policy=self._lifecycle))

    async def _drive(self, shot_id: str, estimate: Cost, driving: Awaitable[Ending]) -> None:
        """Await one shot's lifecycle; a ledger that cannot be written stops new tasks, not the run."""
        try:
            ending = await driving
        except StoreError as exc:
            self._stop(str(exc))
            self.stats.no_space = self.stats.no_space or exc.no_space
            self.stats.errors[shot_id] = str(exc)
            self.stats.to_collect += 1  # whatever the ledger holds for it, the next run takes it from there
            self.stats.failed += 1
            return
        self._settle(shot_id, estimate, ending)

    def _settle(self, shot_id: str, estimate: Cost, ending: Ending) -> None:
        """Count how a shot ended; release its budget when nothing will be billed."""
        if ending.stop is None:
            self.stats.done += 1
            return
        self.stats.errors[shot_id] = ending.stop.message
        if ending.stop.status == "incomplete":
            self.stats.to_collect += 1
        if isinstance(ending.error, NoSpaceError):  # every further download would fail the same way
            self._stop(f"no space left on {self.folder}")
            self.stats.no_space = True
        if ending.stop.status == "uncertain":  # committed credits stay: the provider may bill it
            self.stats.uncertain.append(shot_id)
            self.stats._settled_uncertain += 1
            return
        if isinstance(ending.error, FATAL):
            self._stop(str(ending.error))
        if ending.stop.status == "unsent" or isinstance(ending.error, TaskFailedError):  # KIE bills no failed task
            self._release(estimate)
        self.stats.failed += 1

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

    def _supersede(self, entry: Entry) -> None:
        """Keep a stale shot's paid-for files: move them aside before generating it again."""
        target = self.folder / IMAGES_DIR / SUPERSEDED_DIR
        for record in entry.files:
            path = self.folder / record["path"]
            if path.is_file():
                target.mkdir(parents=True, exist_ok=True)
                n = 0
                while (target / superseded_name(path, entry.sent_hash, n)).exists():
                    n += 1
                path.replace(target / superseded_name(path, entry.sent_hash, n))
        self.ledger.reset(entry.id)

    def _backend(self, name: str) -> Backend:
        if name not in self._backends:
            self._backends[name] = self.factory(name)
        return self._backends[name]

    def _update(self) -> None:
        self.on_update(self.stats)


def legacy_ids(plan: Plan) -> dict[str, str]:
    """Each planned shot's id from before ids had words (``<group>-<digest>``) -> its id now."""
    return {legacy_shot_id(row.id, row.shot.group): row.id for row in plan.rows}


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
        "lint": json.dumps(list(row.lint)),
    }


def run_campaign(
    expansion: Expansion,
    planner: Planner,
    folder: Path,
    backends: BackendFactory,
    settings: RunSettings = DEFAULT_SETTINGS,
    *,
    on_update: Callable[[RunStats], None] = lambda stats: None,
    on_ready: Callable[[RunStats], None] = lambda stats: None,
    approvals: Approvals | None = None,
) -> RunStats:
    """Lock the folder, export the plan and generate every shot; returns what happened.

    ``approvals`` reads the folder's approved stills for motion groups with ``use: approved``
    (``composer.review.approved.approved_frames``); without it those motion shots wait."""
    with FolderLock(folder), Ledger(folder) as ledger:
        runner = CampaignRunner(expansion, planner, folder, ledger, backends, settings, on_update, approvals)
        items = runner.prepare()
        on_ready(runner.stats)
        stats = asyncio.run(runner.run(items))
        if stats.waiting:  # a still done in this run is no longer "not generated yet"
            stats.waiting = after_run(runner.expansion, folder, ledger)
        return stats
