"""What every request handler reaches: the folder, who may come in, the store, the page renderer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request

from composer.review.store import ReviewStore
from composer.web.security import Access

if TYPE_CHECKING:
    from composer.web.rendering import Pages


@dataclass
class AppState:
    folder: Path
    access: Access
    store: ReviewStore
    pages: Pages


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.review
    return state
