"""The shot page: the takes side by side, the brief, and one scoring form per take.

Each take's form posts its scores (one number per rubric dimension, 0-10), a note, a verdict
(approve, reject, regenerate) and, for a regeneration, delta edits written like ``--set``
(``counts=4 candles``, one per line). The store checks everything and saves it in one transaction,
or nothing: a refused form comes back with the reviewer's input and the one-line reason beside it.

A form names its take by the label the reviewer saw, plus a digest of the shot's take numbers: if a
new take arrived meanwhile (letters may move), the form is refused instead of scoring the wrong take.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from composer.errors import ComposerError
from composer.review.checks import Check, answer_text
from composer.review.errors import ReviewInputError
from composer.review.lineage import shot_lineage
from composer.review.records import VERDICTS, LabelledTake, ShotView
from composer.review.store import ReviewStore
from composer.shot import parse_set
from composer.web.forms import posted_form, text_field
from composer.web.media import is_video
from composer.web.reviewers import ask_for_reviewer, reviewer_of
from composer.web.security import Refused
from composer.web.state import state_of

MAX_BRIEF_BYTES = 512 * 1024


def view_key(view: ShotView) -> str:
    """Changes when the shot's takes change (and so, maybe, the letters); reveals nothing."""
    numbers = ",".join(str(t.take) for t in sorted(view.takes, key=lambda t: t.take))
    return hashlib.sha256(f"{view.shot.id}\x00{numbers}".encode()).hexdigest()[:16]


def labelled(view: ShotView, label: str, key: str) -> LabelledTake:
    """The take ``label`` names in ``view``; refused when the view changed since the form was made."""
    if key != view_key(view):
        raise Refused("this shot's takes changed since the page was opened (a new take arrived): reload it "
                      "and score again", 409)
    take = next((t for t in view.takes if t.label == label), None)
    if take is None:
        raise Refused(f"shot {view.shot.id} has no take {label!r}", 404)
    return take


def anchor(label: str) -> str:
    """The element id of a take's section: ``take-A``, ``take-take-2``."""
    return "take-" + label.replace(" ", "-")


@dataclass
class TakeForm:
    """What one take's form shows: the reviewer's saved input, or what they sent when it was refused."""

    take: LabelledTake
    scores: dict[str, str] = field(default_factory=dict)
    verdict: str = ""
    note: str = ""
    deltas: str = ""
    checks: dict[str, str] = field(default_factory=dict)
    """Instruction check id -> the answer as the form shows it (``yes``, ``no``, ``+1``, ``0``)."""
    error: str | None = None
    saved: bool = False


def deltas_text(deltas: dict[str, Any]) -> str:
    """Stored delta edits as the ``key=value`` lines the form takes (lists joined with ``;``)."""
    return "\n".join(f"{key}={'; '.join(value) if isinstance(value, list) else value}"
                     for key, value in deltas.items())


def saved_forms(store: ReviewStore, view: ShotView, reviewer: str, saved: str | None) -> list[TakeForm]:
    mine = [s for s in store.scores(view.shot.id) if s.reviewer == reviewer]
    reviews = {r.take: r for r in store.reviews(view.shot.id) if r.reviewer == reviewer}
    answers = [a for a in store.answers(view.shot.id) if a.reviewer == reviewer]
    forms = []
    for take in view.takes:
        review = reviews.get(take.take)
        forms.append(TakeForm(
            take, scores={s.dimension: str(s.score) for s in mine if s.take == take.take},
            verdict=(review.verdict or "") if review else "", note=review.note if review else "",
            deltas=deltas_text(review.deltas) if review else "", saved=take.label == saved,
            checks={a.check_id: answer_text(a.kind, a.answer) for a in answers if a.take == take.take},
        ))  # fmt: skip
    return forms


def read_brief(path: Path | None) -> str | None:
    """The brief's Markdown, or None when there is none to show (blind, missing, unreadable, huge)."""
    if path is None:
        return None
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BRIEF_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_BRIEF_BYTES:
        return None
    return data.decode("utf-8", "replace")


def take_checks(store: ReviewStore, view: ShotView) -> dict[int, list[Check]]:
    """Each take's instruction checks (a bake-off's contenders each had their own brief)."""
    return {t.take: store.take_checks(t) for t in view.shot.takes}


def render_shot(request: Request, view: ShotView, forms: list[TakeForm], status: int = 200) -> Response:
    state = state_of(request)
    store: ReviewStore = state.store
    others = {s.reviewer for s in store.scores(view.shot.id)} - {view.reviewer}
    after = store.shots(reviewer=f"!{view.reviewer}", limit=2)
    next_shot = next((card.id for card in after if card.id != view.shot.id), None)
    found = store.findings.of_shot(view.shot)
    return state.pages.render(
        request, "shot.html", status=status, view=view, forms=forms, rubric=store.rubric, key=view_key(view),
        briefs=[(b.labels, read_brief(b.path)) for b in view.briefs], others=len(others), next_shot=next_shot,
        verdicts=VERDICTS, is_video=is_video, anchor=anchor, checks=take_checks(store, view), findings=found,
        lint=found[view.shot.takes[0].take].lint if view.shot.takes else (),
        lineage=shot_lineage(store, view.shot),
    )  # fmt: skip


async def shot_page(request: Request) -> Response:
    reviewer = reviewer_of(request)
    if reviewer is None:
        return ask_for_reviewer(request)
    store: ReviewStore = state_of(request).store
    view = store.view(request.path_params["shot_id"], reviewer)
    forms = saved_forms(store, view, reviewer, request.query_params.get("saved"))
    return render_shot(request, view, forms)


def posted_take(form: FormData, take: LabelledTake, dimensions: list[str], checks: list[str]) -> TakeForm:
    return TakeForm(
        take, scores={d: text_field(form, f"score.{d}").strip() for d in dimensions},
        verdict=text_field(form, "verdict"), note=text_field(form, "note"), deltas=text_field(form, "deltas"),
        checks={c: text_field(form, f"check.{c}").strip() for c in checks},
    )  # fmt: skip


async def save_take(request: Request) -> Response:
    form = await posted_form(request)
    reviewer = reviewer_of(request)
    if reviewer is None:
        raise Refused("name the reviewer first: open /reviewer", 403)
    store: ReviewStore = state_of(request).store
    view = store.view(request.path_params["shot_id"], reviewer)
    take = labelled(view, request.path_params["label"], text_field(form, "view"))
    asked = [c.id for c in take_checks(store, view)[take.take]]
    sent = posted_take(form, take, store.rubric.dimension_ids(), asked)
    try:
        deltas = parse_set([line for line in sent.deltas.splitlines() if line.strip()])
        store.save(reviewer, view.shot.id, take.take, scores={d: v or None for d, v in sent.scores.items()},
                   verdict=sent.verdict or None, note=sent.note, deltas=deltas,
                   checks={c: v or None for c, v in sent.checks.items()})
    except (ReviewInputError, ComposerError) as exc:
        sent.error = str(exc)
        forms = [sent if f.take.label == take.label else f for f in saved_forms(store, view, reviewer, None)]
        return render_shot(request, view, forms, status=400)
    target = request.url_for("shot", shot_id=view.shot.id).include_query_params(saved=take.label)
    return RedirectResponse(f"{target.path}?{target.query}#{anchor(take.label)}", status_code=303)


routes = [
    Route("/shots/{shot_id}", shot_page, methods=["GET"], name="shot"),
    Route("/shots/{shot_id}/takes/{label}", save_take, methods=["POST"], name="save_take"),
]
