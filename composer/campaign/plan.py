"""Planning a campaign: compose every shot once, price it from the price table, total it up.

``Planner.attempt`` composes one shot into its ``PlanRow`` and brief; ``Planner.stream`` does a
whole campaign one shot at a time, so export writes files as it goes and nothing holds the whole
campaign's briefs. A ``PlanRow`` is the small, flat record that plans, manifests, ledgers and
budgets share.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer.backends.errors import OptionError
from composer.backends.options import validate_job
from composer.backends.prices import PriceTable
from composer.backends.types import Cost, Job
from composer.backends.types import GenerationOptions as JobOptions
from composer.campaign.chain import links
from composer.campaign.errors import BudgetError, CampaignError
from composer.campaign.expand import Expansion, Shot
from composer.campaign.versions import FrameVersion
from composer.compose import Brief, Composer
from composer.errors import ComposerError
from composer.lint import blocking

PLAN_FIELDS = (
    "id", "group", "cast", "scene", "variant", "take", "target", "backend", "mode", "chars", "limit",
    "tokens", "reference_frames", "images", "credits", "usd", "blocked",
)  # fmt: skip
"""The fields of one shot in ``compose campaign plan --format json|csv``."""


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One planned shot: what it is, how big its brief is, what it costs, whether it may run."""

    shot: Shot
    target: str
    backend: str
    mode: str
    chars: int
    limit: int
    tokens: int
    tokens_exact: bool
    reference_frames: tuple[str, ...]
    cost: Cost
    brief_hash: str
    """Digest of everything sent (prompt, frame contents, model, options): a change means stale."""
    prompt_sha256: str
    """Digest of the prompt alone: the runner checks the exported ``.txt`` against it before sending."""
    blocked: tuple[str, ...] = ()
    """Lint errors: a blocked shot is reported and never generated."""
    lint: tuple[dict[str, str], ...] = ()
    """Every lint finding of the brief (``severity``, ``rule``, ``message``): kept in the ledger so
    the review app can show them without composing the shot again."""
    dropped: tuple[str, ...] = ()
    frame_digests: tuple[str, ...] = ()
    """The SHA-256 of each of ``reference_frames``: the frame versions the ledger records when sent."""

    @property
    def id(self) -> str:
        return self.shot.id

    @property
    def credits(self) -> float | None:
        return self.cost.credits

    def frame_versions(self) -> tuple[FrameVersion, ...]:
        return tuple(FrameVersion(p, d) for p, d in zip(self.reference_frames, self.frame_digests, strict=True))

    def as_dict(self) -> dict[str, Any]:
        s = self.shot
        return {
            "id": s.id, "group": s.group, "cast": s.cast, "scene": s.scene, "variant": s.variant,
            "take": s.take, "target": self.target, "backend": self.backend, "mode": self.mode,
            "chars": self.chars, "limit": self.limit, "tokens": self.tokens,
            "reference_frames": len(self.reference_frames), "images": 1, "credits": self.cost.credits,
            "usd": None if self.cost.usd is None else round(self.cost.usd, 6), "blocked": list(self.blocked),
        }  # fmt: skip


@dataclass
class Totals:
    """Images, credits and money for a set of shots; unpriced shots are counted, not guessed."""

    shots: int = 0
    images: int = 0
    credits: float = 0.0
    usd: float = 0.0
    unpriced: int = 0
    blocked: int = 0

    def add(self, row: PlanRow) -> None:
        self.shots += 1
        self.images += 1
        self.blocked += bool(row.blocked)
        if row.cost.credits is not None:
            self.credits += row.cost.credits
        if row.cost.usd is None:
            self.unpriced += 1
        else:
            self.usd += row.cost.usd

    def as_dict(self) -> dict[str, Any]:
        return {"shots": self.shots, "images": self.images, "credits": self.credits, "usd": round(self.usd, 4),
                "unpriced": self.unpriced, "blocked": self.blocked}


@dataclass
class Plan:
    """Every planned shot, with totals per group and overall."""

    expansion: Expansion
    rows: list[PlanRow]
    waiting: list[tuple[Shot, Cost]] = field(default_factory=list)
    """Motion shots whose still is not approved (or done) yet, with what each would cost; never sent."""
    groups: dict[str, Totals] = field(default_factory=dict)
    models: dict[str, Totals] = field(default_factory=dict)
    """Totals per ``<target> on <backend>``: what each contender of a bake-off costs."""
    total: Totals = field(default_factory=Totals)

    def __post_init__(self) -> None:
        for row in self.rows:
            self.groups.setdefault(row.shot.group, Totals()).add(row)
            self.models.setdefault(f"{row.target} on {row.backend}", Totals()).add(row)
            self.total.add(row)

    def check_budget(self, budget: float | None, *, allow_unpriced: bool = False) -> None:
        """Raise ``BudgetError`` when the estimate exceeds ``budget`` credits, buys no image, or
        cannot be checked because shots have no price (unless ``allow_unpriced``)."""
        if budget is None:
            return
        check_one_image(budget, self.rows)
        check_priced(self.rows, budget, allow_unpriced=allow_unpriced)
        if self.total.credits > budget:
            raise BudgetError(f"the campaign is estimated at {self.total.credits:,g} credits, over the budget of "
                              f"{budget:,g} credits (by {self.total.credits - budget:,g})")

    def to_json(self) -> dict[str, Any]:
        return {
            "campaign": str(self.expansion.source.path),
            "shots": [r.as_dict() for r in self.rows],
            "groups": {g: t.as_dict() for g, t in self.groups.items()},
            "models": {m: t.as_dict() for m, t in self.models.items()},
            "total": self.total.as_dict(),
            "excluded": sum(self.expansion.excluded.values()),
            "chains": [{**link, "credits": self.link_cost(str(link["motion"])).credits}
                       for link in links(self.expansion.shots)],
        }

    def link_cost(self, motion_id: str) -> Cost:
        """What a motion shot costs (or would, once its still is ready)."""
        row = next((r for r in self.rows if r.id == motion_id), None)
        if row is not None:
            return row.cost
        return next(cost for shot, cost in self.waiting if shot.id == motion_id)


def check_one_image(budget: float, rows: list[PlanRow]) -> None:
    """A budget below the cheapest image buys nothing: refuse it before anything is sent."""
    prices = [r.cost.credits for r in rows if r.cost.credits is not None]
    if prices and budget < min(prices):
        raise BudgetError(f"a budget of {budget:,g} credits is below the price of one image "
                          f"({min(prices):,g} credits); nothing would be generated")


def check_priced(rows: Sequence[PlanRow], budget: float | None, *, allow_unpriced: bool) -> None:
    """A budget cannot hold shots the price table has no price for: refuse them before anything is
    sent (``campaign plan`` and ``campaign run`` alike), unless the user allows them explicitly."""
    if budget is None or allow_unpriced:
        return
    unpriced = [row.id for row in rows if row.cost.usd is None]
    if unpriced:
        which = ", ".join(unpriced[:3]) + (f" and {len(unpriced) - 3} more" if len(unpriced) > 3 else "")
        raise BudgetError(f"{len(unpriced)} shots have no price in the price table, so a credit budget cannot "
                          f"be checked ({which}); add their prices to prices.yaml, or pass --allow-unpriced "
                          "to spend on them anyway")


class Planner:
    """Composes and prices shots with one Composer and one price table (both cache)."""

    def __init__(self, composer: Composer, prices: PriceTable | None = None) -> None:
        self.composer = composer
        self.prices = prices or PriceTable.load(composer.library.root)
        self._costs: dict[tuple[Any, ...], Cost] = {}

    def job(self, shot: Shot, brief: Brief) -> Job:
        target = brief.target
        return Job(
            prompt=brief.prompt,
            reference_frames=tuple(brief.reference_frames),
            target=brief.target_name,
            model=target.model,
            kind=target.kind,
            backend=shot.backend or target.backend,
            options=JobOptions(**shot.options.model_dump(exclude_none=True)),
            motion=target.motion,
        )

    def job_for(self, row: PlanRow, prompt: str) -> Job:
        """The job a planned row sends, rebuilt from the row and its prompt (no composing)."""
        target = self.composer.library.target(row.target)
        return Job(
            prompt=prompt,
            reference_frames=tuple(Path(p) for p in row.reference_frames),
            target=row.target,
            model=target.model,
            kind=target.kind,
            backend=row.shot.backend or target.backend,
            options=JobOptions(**row.shot.options.model_dump(exclude_none=True)),
            motion=target.motion,
        )

    def cost(self, job: Job) -> Cost:
        key = (job.backend, job.model, job.kind, bool(job.reference_frames), job.options)
        if key not in self._costs:
            self._costs[key] = self.prices.estimate(job)
        return self._costs[key]

    def row(self, shot: Shot) -> tuple[PlanRow, Brief, Job]:
        """Compose, check and price one shot. Raises ``ComposerError`` for bad input."""
        brief = self.composer.compose(shot.spec, shot.first_frame)
        job = self.job(shot, brief)
        validate_job(job)
        row = PlanRow(
            shot=shot,
            target=brief.target_name,
            backend=job.backend,
            mode=brief.mode,
            chars=brief.chars,
            limit=brief.limit,
            tokens=brief.tokens.tokens,
            tokens_exact=brief.tokens.exact,
            reference_frames=tuple(str(p) for p in brief.reference_frames),
            cost=self.cost(job),
            brief_hash=brief_hash(brief, job),
            prompt_sha256=hashlib.sha256(brief.prompt.encode()).hexdigest(),
            blocked=lint_errors(brief),
            lint=lint_findings(brief),
            dropped=tuple(brief.dropped),
            frame_digests=tuple(s["sha256"] for s in brief.sources if s["kind"] == "reference_frame"),
        )
        return row, brief, job

    def attempt(self, shot: Shot) -> tuple[PlanRow, Brief] | str:
        """The shot's row and brief, or the one-line reason it cannot be composed."""
        try:
            row, brief, _ = self.row(shot)
        except OptionError as exc:
            return f"options of group '{shot.group}': {exc}"
        except ComposerError as exc:
            return str(exc)
        return row, brief

    def stream(self, expansion: Expansion) -> Iterator[tuple[PlanRow, Brief]]:
        """Each shot's row and brief; every shot that cannot be composed is reported at the end."""
        failures: dict[str, list[str]] = defaultdict(list)
        for shot in expansion.shots:
            if shot.waiting:
                continue
            outcome = self.attempt(shot)
            if isinstance(outcome, str):
                failures[outcome].append(shot.id)
            else:
                yield outcome
        if failures:
            raise compose_failures(expansion.source.path, failures)

    def plan(self, expansion: Expansion) -> Plan:
        return Plan(expansion, [row for row, _ in self.stream(expansion)], self.waiting(expansion))

    def waiting(self, expansion: Expansion) -> list[tuple[Shot, Cost]]:
        """The motion shots that wait for their still, each with what it will cost once it is ready
        (priced as image-to-video with the shot's options; nothing is composed)."""
        found = []
        for shot in expansion.shots:
            if shot.waiting:
                target = self.composer.library.target(shot.spec.target or self.composer.library.config.defaults.target)
                job = Job(prompt="", reference_frames=(Path(shot.still),), target=shot.spec.target or "",
                          model=target.model, kind=target.kind, backend=shot.backend or target.backend,
                          options=JobOptions(**shot.options.model_dump(exclude_none=True)), motion=target.motion)
                found.append((shot, self.cost(job)))
        return found


def compose_failures(path: Path, failures: dict[str, list[str]]) -> CampaignError:
    """One line for every distinct reason, with how many shots (and which) it stops."""
    count = sum(len(ids) for ids in failures.values())
    parts = []
    for reason, ids in failures.items():
        which = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        parts.append(f"{reason} [{len(ids)} shot{'s' if len(ids) > 1 else ''}: {which}]")
    return CampaignError(f"{path}: {count} shot{'s' if count > 1 else ''} cannot be composed: {'; '.join(parts)}")


def brief_hash(brief: Brief, job: Job) -> str:
    """Digest of what would be sent: prompt, frame contents (not paths), model, backend and options."""
    frames = [s["sha256"] for s in brief.sources if s["kind"] == "reference_frame"]
    blob = {"prompt": brief.prompt, "frames": frames, "target": job.target, "model": job.model,
            "backend": job.backend, "options": job.options.sent()}
    return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()


def lint_findings(brief: Brief) -> tuple[dict[str, str], ...]:
    """The brief's lint findings, worst first, as the ledger keeps them."""
    return tuple({"severity": f.severity.value, "rule": f.rule, "message": f.message} for f in brief.findings)


def lint_errors(brief: Brief) -> tuple[str, ...]:
    """The brief's blocking lint findings (errors), one line each."""
    return tuple(str(f) for f in blocking(brief.findings))
