"""The grid: every shot as a tile (thumbnail, cast, scene, group, status, badges), filtered and paged.

Filters come from the query string and are checked against what the folder has (an unknown group
or verdict is a 400 naming it). A page is ``PAGE_SIZE`` tiles: the store reads only that page's
shots, and thumbnails are separate requests the browser makes lazily, so a page costs the same
whatever the size of the campaign.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from math import ceil
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from composer.review.blind import blind_order, open_order
from composer.review.findings import TakeFindings
from composer.review.records import VERDICTS, ShotCard
from composer.review.store import ReviewStore
from composer.web.reviewers import ask_for_reviewer, reviewer_of
from composer.web.security import Refused
from composer.web.state import state_of

PAGE_SIZE = 48
VERDICT_FILTERS = (*VERDICTS, "none")


@dataclass(frozen=True)
class Filters:
    group: str = ""
    verdict: str = ""
    reviewer: str = ""
    """A reviewer's name (shots they scored), or ``!name`` (shots they have not)."""
    page: int = 1

    @classmethod
    def parse(cls, query: QueryParams, groups: list[str]) -> Filters:
        group, verdict, reviewer = query.get("group", ""), query.get("verdict", ""), query.get("reviewer", "")
        if group and group not in groups:
            raise Refused(f"group: no group '{group}' in this campaign (it has {', '.join(groups)})", 400)
        if verdict and verdict not in VERDICT_FILTERS:
            raise Refused(f"verdict: '{verdict}' is not one of {', '.join(VERDICT_FILTERS)}", 400)
        page = query.get("page", "1")
        if not page.isdigit() or int(page) < 1:
            raise Refused(f"page: '{page}' is not a page number", 400)
        return cls(group, verdict, reviewer[:61], int(page))

    def store_args(self) -> dict[str, str | None]:
        return {"group": self.group or None, "verdict": self.verdict or None, "reviewer": self.reviewer or None}

    def query(self, **changes: object) -> str:
        """The query string of these filters with ``changes`` (empty values left out)."""
        values = {"group": self.group, "verdict": self.verdict, "reviewer": self.reviewer, "page": self.page}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == 1)})


@dataclass(frozen=True)
class Badge:
    text: str
    kind: str = ""
    """CSS class: good, bad, warn, info or plain."""


@dataclass(frozen=True)
class Tile:
    card: ShotCard
    label: str | None
    """The label of the take shown as the thumbnail (this reviewer's first), None when no take."""
    status: Badge
    badges: list[Badge]


def machine_badges(found: list[TakeFindings]) -> list[Badge]:
    """The worst pixel-QC result over the shot's takes, and its brief's lint: what to look at first."""
    badges = []
    summaries = [f.qc for f in found if f.qc is not None]
    worst = max(summaries, key=lambda q: (q.needs_review, q.errors, q.warnings), default=None)
    if worst is not None:
        text = "needs review: " + worst.badge if worst.needs_review else worst.badge
        badges.append(Badge(text, {"error": "bad", "warning": "warn"}.get(worst.level, "good")))
    lint = found[0] if found else None
    if lint is not None and (lint.lint_errors or lint.lint_warnings):
        count, word, kind = ((lint.lint_errors, "error", "bad") if lint.lint_errors else
                             (lint.lint_warnings, "warning", "warn"))
        badges.append(Badge(f"lint {count} {word}{'s' if count > 1 else ''}", kind))
    return badges


def tile(store: ReviewStore, card: ShotCard, reviewer: str) -> Tile:
    numbers = [t.take for t in card.takes]
    order = blind_order(reviewer, card.id, numbers) if card.blind else open_order(numbers)
    scored_by = {s.reviewer for s in store.scores(card.id)}
    verdicts = Counter(r.verdict for r in store.reviews(card.id) if r.verdict)
    divergent = len(store.divergences(card.id))
    badges = [Badge(f"{len(card.takes)} takes" if len(card.takes) != 1 else "1 take")]
    if card.blind:
        badges.append(Badge("blind", "info"))
    badges += [Badge(f"{n} {verdict}", {"approve": "good", "reject": "bad"}.get(verdict, "warn"))
               for verdict, n in sorted(verdicts.items())]
    if divergent:
        badges.append(Badge(f"{divergent} to reconcile", "warn"))
    badges += machine_badges([store.findings.of(t) for t in card.takes])
    if reviewer in scored_by:
        status = Badge("scored by you", "good")
    else:
        status = Badge("to score" + (f" ({len(scored_by)} scored)" if scored_by else ""))
    return Tile(card, order[0][0] if order else None, status, badges)


async def grid(request: Request) -> Response:
    reviewer = reviewer_of(request)
    if reviewer is None:
        return ask_for_reviewer(request)
    state = state_of(request)
    store: ReviewStore = state.store
    store.refresh()  # takes a running campaign added since the last page
    groups = store.groups()
    filters = Filters.parse(request.query_params, groups)
    total = store.count(**filters.store_args())
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(filters.page, pages)
    cards = store.shots(**filters.store_args(), offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return state.pages.render(
        request, "grid.html", tiles=[tile(store, card, reviewer) for card in cards], filters=filters,
        groups=groups, verdicts=VERDICT_FILTERS, total=total, page=page, pages=pages,
        reviewers=sorted({s.reviewer for s in store.scores()} - {reviewer}),
    )  # fmt: skip


routes = [Route("/", grid, methods=["GET"], name="grid")]
