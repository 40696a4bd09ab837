"""What the review store hands out: plain, frozen records (no database handles inside)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Verdict = Literal["approve", "reject", "regenerate"]
VERDICTS: tuple[Verdict, ...] = ("approve", "reject", "regenerate")


@dataclass(frozen=True)
class Take:
    """One image made for a shot, with where it came from (unblinded: for the report and the runner)."""

    shot_id: str
    take: int
    """1, 2, 3 ... in the order the folder received the shot's images; never renumbered."""
    source: str
    """The ledger id (``<shot>`` or ``<shot>@<contender>``) or the generation record's file name."""
    contender: str
    """The target (else the backend) that made it: what blind mode hides and the report compares."""
    target: str | None
    backend: str | None
    model: str | None
    files: tuple[str, ...]
    """Paths relative to the folder, as recorded."""
    image: Path | None
    """The image's absolute path now (followed into ``images/superseded/``), None when it is gone."""
    credits: float | None
    usd: float | None
    brief: Path | None
    """The brief for people (Markdown), absolute, when it exists."""
    parent: int | None
    """The take this one regenerates, when a verdict or a reconcile re-run asked for it."""
    reason: str
    """Why it exists: "first generation", or the regenerate note it answers."""
    created_at: float


@dataclass(frozen=True)
class ShotCard:
    """One shot of the grid: what it is and every take it has (unblinded)."""

    id: str
    group: str
    cast: str
    scene: str
    variant: str
    takes: tuple[Take, ...]

    @property
    def blind(self) -> bool:
        """Reviewed blind: its takes come from more than one contender."""
        return len({t.contender for t in self.takes}) > 1

    def take(self, number: int) -> Take | None:
        return next((t for t in self.takes if t.take == number), None)


@dataclass(frozen=True)
class LabelledTake:
    """A take as one reviewer may see it. In blind mode everything that names the model is None."""

    label: str
    """"A", "B" ... (blind, shuffled per reviewer) or "take 2"."""
    take: int
    image: Path | None
    target: str | None
    backend: str | None
    model: str | None
    credits: float | None
    usd: float | None
    parent: int | None
    reason: str


@dataclass(frozen=True)
class ShownBrief:
    """One brief on a shot page and the takes (by their labels) that were sent with it."""

    labels: tuple[str, ...]
    path: Path


@dataclass(frozen=True)
class ShotView:
    """A shot page for one reviewer: the takes in that reviewer's order, blinded when needed."""

    shot: ShotCard
    reviewer: str
    blind: bool
    takes: tuple[LabelledTake, ...]
    briefs: tuple[ShownBrief, ...]
    """The briefs (Markdown) to show, one for each different brief the takes were sent with, in take
    order; none in blind mode (the prompt names no model, but the target's template may)."""

    def label_of(self, take: int) -> str:
        return next(t.label for t in self.takes if t.take == take)


@dataclass(frozen=True)
class OnTake:
    """What is about one take of one shot (the fields every record below starts with)."""

    shot_id: str
    take: int


@dataclass(frozen=True)
class Score(OnTake):
    reviewer: str
    dimension: str
    score: int
    updated_at: float


@dataclass(frozen=True)
class Review(OnTake):
    """One reviewer's verdict and note on one take (the verdict may be None: a note alone)."""

    reviewer: str
    verdict: Verdict | None
    note: str
    deltas: dict[str, Any]
    """Delta edits for a regeneration (``ShotDeltas`` fields), applied to the next take."""
    updated_at: float


@dataclass(frozen=True)
class OnDimension(OnTake):
    """Reviewers' scores on one dimension of one take: a divergence, or how one was resolved."""

    dimension: str
    scores: dict[str, int]
    """Reviewer -> score (for a resolution: as they stood when it was resolved)."""


@dataclass(frozen=True)
class Divergence(OnDimension):
    """A (shot, take, dimension) whose reviewers differ by more than the rubric's threshold."""

    notes: dict[str, str] = field(default_factory=dict)
    """Reviewer -> their note on the take (those who wrote one)."""

    @property
    def spread(self) -> int:
        return max(self.scores.values()) - min(self.scores.values())


@dataclass(frozen=True)
class Resolution(OnDimension):
    """What the reviewers decided about a divergence, and who wrote it down."""

    resolution: str
    resolved_by: str
    created_at: float


@dataclass(frozen=True)
class Rerun(OnTake):
    """A queued regeneration of one take's source: from a regenerate verdict or a reconcile re-run."""

    id: int
    source: str
    """The ledger id (or record) to generate again."""
    requested_by: str
    origin: Literal["verdict", "reconcile"]
    reason: str
    deltas: dict[str, Any]
    created_at: float
    done_take: int | None
    """The take that answered it, once generated."""


@dataclass(frozen=True)
class CheckAnswer(OnTake):
    """One reviewer's answer to one instruction check on one take."""

    reviewer: str
    check_id: str
    kind: str
    label: str
    answer: int
    """For a count: how far off (0 honoured); else 1 honoured, 0 not."""
    honoured: bool


def shown_briefs(card: ShotCard) -> tuple[ShownBrief, ...]:
    """Each different brief ``card``'s takes were sent with, labelled by the takes that used it."""
    used: dict[Path, list[str]] = {}
    for take in sorted(card.takes, key=lambda t: t.take):
        if take.brief is not None:
            used.setdefault(take.brief, []).append(f"take {take.take}")
    return tuple(ShownBrief(tuple(labels), path) for path, labels in used.items())
