"""Who is reviewing: a name given once, kept in a cookie, checked on every request.

Scores are stored per reviewer name, so the name is what keeps one reviewer's scores from ever
overwriting another's. A page that needs a reviewer sends a browser without one to ``/reviewer``
and back to where it was going.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from composer.review.errors import ReviewInputError
from composer.review.inputs import check_reviewer
from composer.web.forms import posted_form, text_field
from composer.web.state import state_of

COOKIE = "composer_reviewer"
YEAR = 365 * 24 * 3600


def reviewer_of(request: Request) -> str | None:
    """The reviewer this browser named, or None (no cookie, or one that is not a valid name)."""
    try:
        return check_reviewer(unquote(request.cookies.get(COOKIE, "")))
    except ReviewInputError:
        return None


def ask_for_reviewer(request: Request) -> Response:
    """Send the browser to name its reviewer, then back here."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/reviewer?next={quote(here, safe='')}", status_code=303)


def local_target(value: str) -> str:
    """``value`` when it is a path on this app (``/...``, not ``//host``); else ``/``."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


async def reviewer_form(request: Request) -> Response:
    pages = state_of(request).pages
    target = local_target(request.query_params.get("next", "/"))
    return pages.render(request, "reviewer.html", next=target, error=None, name=reviewer_of(request) or "")


async def set_reviewer(request: Request) -> Response:
    form = await posted_form(request)
    target = local_target(text_field(form, "next") or "/")
    try:
        name = check_reviewer(text_field(form, "name"))
    except ReviewInputError as exc:
        pages = state_of(request).pages
        return pages.render(request, "reviewer.html", status=400, next=target, error=str(exc),
                            name=text_field(form, "name"))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, quote(name), max_age=YEAR, httponly=True, samesite="strict")
    return response


routes = [
    Route("/reviewer", reviewer_form, methods=["GET"], name="reviewer"),
    Route("/reviewer", set_reviewer, methods=["POST"], name="set_reviewer"),
]
