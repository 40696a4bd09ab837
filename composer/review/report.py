"""``compose review report``: what the review found, per model (or backend, or group), unblinded.

For each row (a target by default; ``by="backend"`` or ``"group"``):

- per rubric dimension, the mean and the spread (population standard deviation) over the takes,
  each take's score being the mean of its reviewers' (so every image weighs the same, however many
  people scored it);
- per instruction check and per kind, how many takes honoured it out of those checked ("no red
  anywhere in frame: 17/20"): a take honours a check when no reviewer who answered saw it broken;
- approvals: a take is approved when someone approved it and nobody rejected it or asked to
  regenerate it; and the cost per approved image (every take's cost, over the approved ones);
- the divergences still to reconcile.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from composer.models import Rubric
from composer.review.checks import KINDS
from composer.review.records import Divergence, ShotCard, Take
from composer.review.store import ReviewStore

By = Literal["target", "backend", "group"]


@dataclass(frozen=True)
class Spread:
    """A dimension's figures over the scored takes of one row."""

    takes: int
    mean: float | None
    sd: float | None

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        if not values:
            return cls(0, None, None)
        return cls(len(values), statistics.fmean(values), statistics.pstdev(values))


@dataclass
class Row:
    """One model's (or backend's, or group's) figures."""

    key: str
    takes: int = 0
    dimensions: dict[str, Spread] = field(default_factory=dict)
    checks: dict[str, list[int]] = field(default_factory=dict)
    """Check label -> [honoured, checked] takes."""
    kinds: dict[str, list[int]] = field(default_factory=dict)
    """Check kind -> [honoured, checked] (take, check) pairs."""
    approved: int = 0
    rejected: int = 0
    regenerate: int = 0
    credits: float = 0.0
    usd: float = 0.0
    unpriced: int = 0

    @property
    def usd_per_approved(self) -> float | None:
        return self.usd / self.approved if self.approved else None

    @property
    def credits_per_approved(self) -> float | None:
        return self.credits / self.approved if self.approved else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "takes": self.takes,
            "dimensions": {d: {"takes": s.takes, "mean": _round(s.mean), "sd": _round(s.sd)}
                           for d, s in self.dimensions.items()},
            "checks": {label: {"honoured": h, "checked": n} for label, (h, n) in self.checks.items()},
            "kinds": {kind: {"honoured": h, "checked": n} for kind, (h, n) in self.kinds.items()},
            "approved": self.approved, "rejected": self.rejected, "regenerate": self.regenerate,
            "credits": self.credits, "usd": round(self.usd, 4), "unpriced": self.unpriced,
            "credits_per_approved": _round(self.credits_per_approved),
            "usd_per_approved": _round(self.usd_per_approved),
        }  # fmt: skip


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass
class Report:
    by: By
    rubric: Rubric
    rows: list[Row]
    divergences: list[Divergence]

    def as_dict(self) -> dict[str, Any]:
        return {"by": self.by, "rubric": self.rubric.name, "rows": [r.as_dict() for r in self.rows],
                "divergences": [{"shot_id": d.shot_id, "take": d.take, "dimension": d.dimension,
                                 "scores": d.scores, "spread": d.spread} for d in self.divergences]}


def _key(by: By, card: ShotCard, take: Take) -> str:
    if by == "group":
        return card.group
    if by == "backend":
        return take.backend or "unknown"
    return take.contender


def build_report(store: ReviewStore, by: By = "target") -> Report:
    """Every figure of the report, from the store alone."""
    scores: dict[tuple[str, int], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for s in store.scores():
        scores[(s.shot_id, s.take)][s.dimension].append(s.score)
    verdicts: dict[tuple[str, int], list[str]] = defaultdict(list)
    for r in store.reviews():
        if r.verdict:
            verdicts[(r.shot_id, r.take)].append(r.verdict)
    answers: dict[tuple[str, int], dict[tuple[str, str], list[bool]]] = defaultdict(lambda: defaultdict(list))
    for a in store.answers():
        answers[(a.shot_id, a.take)][(a.kind, a.label)].append(a.honoured)
    rows: dict[str, Row] = {}
    per_dimension: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for card in store.shots():
        for take in card.takes:
            key = (card.id, take.take)
            row = rows.setdefault(_key(by, card, take), Row(_key(by, card, take)))
            row.takes += 1
            for dimension, values in scores[key].items():
                per_dimension[row.key][dimension].append(statistics.fmean(values))
            _count_checks(row, answers[key])
            _count_verdicts(row, verdicts[key])
            row.credits += take.credits or 0.0
            row.usd += take.usd or 0.0
            row.unpriced += take.usd is None
    kind_of = {label: kind for pairs in answers.values() for kind, label in pairs}
    for row in rows.values():
        row.dimensions = {d: Spread.of(per_dimension[row.key][d]) for d in store.rubric.dimension_ids()}
        row.checks = dict(sorted(row.checks.items(), key=lambda item: (KINDS.index(kind_of[item[0]]), item[0])))
        row.kinds = {kind: row.kinds[kind] for kind in KINDS if kind in row.kinds}
    return Report(by, store.rubric, sorted(rows.values(), key=lambda r: r.key), store.divergences())


def _count_checks(row: Row, answers: dict[tuple[str, str], list[bool]]) -> None:
    for (kind, label), said in answers.items():
        ok = int(all(said))
        for counter, name in ((row.checks, label), (row.kinds, kind)):
            pair = counter.setdefault(name, [0, 0])
            pair[0] += ok
            pair[1] += 1


def _count_verdicts(row: Row, verdicts: list[str]) -> None:
    if "approve" in verdicts and not {"reject", "regenerate"} & set(verdicts):
        row.approved += 1
    row.rejected += "reject" in verdicts
    row.regenerate += "regenerate" in verdicts
