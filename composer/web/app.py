"""The review app: a Starlette application over one campaign folder.

``create_app(folder, access)`` wires the pages (``grid``, ``shot``, ``reconcile``, ``report``),
the images they show (``media``), the guard in front of everything (``composer.web.security``) and the
review store, which holds every score, verdict and note (``composer.review.store``). The store is
only ever called from the event loop's thread, one call at a time: SQLite needs no locking here,
and two reviewers' requests still interleave between calls.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from composer.campaign.ledger import Ledger
from composer.errors import ComposerError
from composer.review.errors import ReviewInputError
from composer.review.store import ReviewStore
from composer.web import grid, media, reconcile, report, reviewers, shot
from composer.web.rendering import STATIC, Pages
from composer.web.security import Access, AccessMiddleware, Refused
from composer.web.state import AppState, state_of


def create_app(folder: Path, access: Access, *, store: ReviewStore | None = None) -> Starlette:
    """The app for ``folder`` (a campaign output folder or a folder of generation results)."""
    store = store or ReviewStore.open(folder)
    routes = [
        *grid.routes,
        *shot.routes,
        *reconcile.routes,
        *report.routes,
        *reviewers.routes,
        *media.routes,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(AccessMiddleware, access=access)],
        exception_handlers={Refused: _refused, ReviewInputError: _bad_input, HTTPException: _http_error,
                            ComposerError: _failed},
    )
    app.state.review = AppState(folder=folder, access=access, store=store, pages=Pages(campaign_title(folder)))
    return app


def campaign_title(folder: Path) -> str:
    """The campaign's name as the ledger recorded it, else the folder's name."""
    with Ledger(folder, create=False) as ledger:
        title = ledger.meta("title") or Path(ledger.meta("campaign") or folder.resolve().name).stem
    return title


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return _error_page(request, exc.status, str(exc))


async def _bad_input(request: Request, exc: Exception) -> Response:
    return _error_page(request, 400, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error_page(request, exc.status_code, exc.detail)


async def _failed(request: Request, exc: Exception) -> Response:
    return _error_page(request, 500, str(exc))


def _error_page(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith(("/files/", "/thumbs/", "/static/")):
        return PlainTextResponse(f"{message}\n", status_code=status)
    return state_of(request).pages.render(request, "error.html", status=status, status_code=status, message=message)


__all__ = ["create_app"]
