"""The reconcile page: where reviewers differ by more than the rubric's threshold, settled in writing.

Every unresolved (shot, take, dimension) divergence, with each reviewer's score and note side by
side; a written resolution closes it, and "re-run" queues the take for regeneration
(``compose campaign run FILE --out DIR --regenerate`` sends the queue). Takes appear under the
label this reviewer sees, so reconciling does not unblind anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from composer.review.errors import ReviewInputError
from composer.review.records import Divergence, ShotView
from composer.review.store import ReviewStore
from composer.web.forms import posted_form, text_field
from composer.web.reviewers import ask_for_reviewer, reviewer_of
from composer.web.security import Refused
from composer.web.shot import labelled, view_key
from composer.web.state import state_of


@dataclass(frozen=True)
class Row:
    divergence: Divergence
    view: ShotView
    label: str
    dimension: str
    """The dimension's display name."""


def rows(store: ReviewStore, reviewer: str) -> list[Row]:
    names = {d.id: d.name for d in store.rubric.dimensions}
    views: dict[str, ShotView] = {}
    found = []
    for divergence in store.divergences():
        view = views.get(divergence.shot_id) or views.setdefault(divergence.shot_id,
                                                                 store.view(divergence.shot_id, reviewer))
        label = view.label_of(divergence.take)
        found.append(Row(divergence, view, label, names.get(divergence.dimension, divergence.dimension)))
    return found


def render(request: Request, reviewer: str, *, error: str | None = None, status: int = 200) -> Response:
    state = state_of(request)
    store: ReviewStore = state.store
    return state.pages.render(request, "reconcile.html", status=status, rows=rows(store, reviewer),
                              reruns=store.pending_reruns(), rubric=store.rubric, error=error, view_key=view_key)


async def reconcile_page(request: Request) -> Response:
    reviewer = reviewer_of(request)
    if reviewer is None:
        return ask_for_reviewer(request)
    return render(request, reviewer)


async def act(request: Request) -> Response:
    """Resolve a divergence, or queue its take for a re-run (the button pressed says which)."""
    action = request.path_params["action"]
    if action not in ("resolve", "rerun"):
        raise Refused(f"no such action: {action}", 404)
    form = await posted_form(request)
    reviewer = reviewer_of(request)
    if reviewer is None:
        raise Refused("name the reviewer first: open /reviewer", 403)
    store: ReviewStore = state_of(request).store
    view = store.view(text_field(form, "shot"), reviewer)
    take = labelled(view, text_field(form, "take"), text_field(form, "view"))
    text = text_field(form, "text")
    try:
        if action == "resolve":
            store.resolve(view.shot.id, take.take, text_field(form, "dimension"), text, reviewer)
        else:
            store.queue_rerun(view.shot.id, take.take, reviewer, text)
    except ReviewInputError as exc:
        return render(request, reviewer, error=f"{view.shot.id} take {take.label}: {exc}", status=400)
    return RedirectResponse("/reconcile", status_code=303)


routes = [
    Route("/reconcile", reconcile_page, methods=["GET"], name="reconcile"),
    Route("/reconcile/{action:str}", act, methods=["POST"], name="reconcile_act"),
]
