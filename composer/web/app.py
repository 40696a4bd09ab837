"""The review app: a Starlette application over one campaign folder.

``create_app(folder, access)`` wires the pages (``composer.web.pages``), the files they show
(``composer.web.media``), the guard in front of everything (``composer.web.security``) and the
review store, which holds every score, verdict and note (``composer.review.store``). The store is
only ever called from the event loop's thread, one call at a time: SQLite needs no locking here,
and two reviewers' requests still interleave between calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from composer.errors import ComposerError
from composer.review.errors import ReviewInputError
from composer.review.store import ReviewStore, open_store
from composer.web import media, pages, reviewers
from composer.web.rendering import STATIC, Pages
from composer.web.security import Access, AccessMiddleware, Refused


@dataclass
class AppState:
    """What every request handler reaches through ``request.app.state.review``."""

    folder: Path
    access: Access
    store: ReviewStore
    pages: Pages


def create_app(folder: Path, access: Access, *, store: ReviewStore | None = None) -> Starlette:
    """The app for ``folder`` (a campaign output folder or a folder of generation results)."""
    store = store or open_store(folder)
    routes = [
        *pages.routes,
        *reviewers.routes,
        *media.routes,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(AccessMiddleware, access=access)],
        exception_handlers={Refused: _refused, ReviewInputError: _bad_input, HTTPException: _http_error,
                            ComposerError: _failed},  # fmt: skip
    )
    app.state.review = AppState(folder=folder, access=access, store=store, pages=Pages(store.title))
    return app


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.review
    return state


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
    return _state(request).pages.render(request, "error.html", status=status, status_code=status, message=message)


__all__ = ["AppState", "create_app"]
