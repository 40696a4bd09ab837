"""What a campaign run works on: a pure function of the plan, the ledger's entries and the settings.

``select_shots`` decides, for every shot, with the lifecycle's never-pay-twice rules
(``composer.generate.lifecycle.next_step``):

- tasks the ledger shows as submitted (paid for) are collected first, never re-created, even for
  shots since dropped from the campaign (their images are kept, like their cost);
- done shots are skipped; a done shot whose brief has changed since is *stale*: reported, and only
  regenerated with ``regenerate_stale``; a done shot a review asked for again (``regenerate``) is sent;
- a shot whose create may have been accepted without its reply arriving (``uncertain``, or
  ``submitting`` after a crash) is not sent again unless ``retry_uncertain``;
- new and failed shots are submitted (while the budget allows: the runner's concern);
- shots with lint errors are never generated.

It reads nothing and writes nothing, so it is tested without a server or an event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from composer.backends.types import Cost
from composer.campaign.ledger import Entry, State
from composer.campaign.plan import Plan, PlanRow
from composer.generate.inspection import Inspector
from composer.generate.lifecycle import Phase, Resend, next_step

PHASES: dict[State, Phase] = {
    "composed": "new", "submitting": "submitting", "submitted": "accepted", "done": "done",
    "failed": "failed", "uncertain": "uncertain",
}
"""Each ledger state as the lifecycle's rules see it."""


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
    regenerate: frozenset[str] = frozenset()
    """Ledger ids of done shots to generate again as a new take (a review's regenerate verdicts and
    reconcile re-runs: ``composer.review.regenerate``); a paid-for task of theirs is collected, not resent."""
    attempts: int = 3
    """Tries per shot within one run for transient failures (on top of the backend's own retries)."""
    retry_delay: float = 2.0
    """Seconds before a shot's second try; doubles after each."""
    submit_grace: float = 30.0
    """After Ctrl-C, how long in-flight create requests may take to answer so their task ids are kept."""
    inspect: Inspector | None = None
    """Run on every download before the shot is recorded done (pixel QC): see ``inspection.Inspector``."""


@dataclass(frozen=True)
class Work:
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

    @property
    def backend(self) -> str:
        """A submitted task is collected by the backend that created it; a new shot goes to its plan's."""
        planned = self.row.backend if self.row else ""
        return (self.entry.backend if self.kind == "collect" and self.entry else None) or planned


@dataclass(frozen=True)
class Selection:
    work: list[Work] = field(default_factory=list)
    """Collections first, then submissions, each in plan order."""
    skipped: int = 0
    """Done (and not stale, or stale and not asked to regenerate)."""
    stale: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    """Not sent: their create may have been accepted."""
    interrupted: list[str] = field(default_factory=list)
    """Of ``uncertain``, those a stopped run left ``submitting`` (or submitted without a task id): the
    runner marks them ``uncertain`` in the ledger, naming the shot to check on the provider's side."""
    blocked: list[str] = field(default_factory=list)


def select_shots(plan: Plan, entries: Mapping[str, Entry], settings: RunSettings) -> Selection:
    """What a run does with each shot of ``plan`` (and each paid-for task of a dropped shot)."""
    planned = {row.id for row in plan.rows}
    collect = [Work("collect", None, e) for e in entries.values()
               if e.id not in planned and e.state == "submitted" and e.task_id]
    submit: list[Work] = []
    skipped, stale, uncertain, interrupted, blocked = 0, [], [], [], []
    for row in plan.rows:
        entry = entries.get(row.id)
        if row.blocked:
            blocked.append(row.id)
            continue
        if entry is None:
            submit.append(Work("submit", row, None))
            continue
        changed = entry.sent_hash not in (None, row.brief_hash)
        asked = row.id in settings.regenerate
        resend = Resend(done=asked or (changed and settings.regenerate_stale), uncertain=settings.retry_uncertain)
        step = next_step(PHASES[entry.state], has_task=entry.task_id is not None, resend=resend)
        if step == "collect":
            collect.append(Work("collect", row, entry))
        elif step == "submit":
            submit.append(Work("submit", row, entry))
        elif step == "skip":
            skipped += 1
            if changed:
                stale.append(row.id)
        else:
            uncertain.append(row.id)
            if entry.state != "uncertain":
                interrupted.append(row.id)
    return Selection(work=collect + submit, skipped=skipped, stale=stale, uncertain=uncertain,
                     interrupted=interrupted, blocked=blocked)
