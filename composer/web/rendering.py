"""Server-rendered pages: the Jinja environment, Markdown for briefs, and the page helper.

Templates autoescape everything; Markdown (briefs, notes) is rendered with raw HTML disabled, so
text from a library, a provider or a reviewer can never inject markup into a page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from composer.web.reviewers import reviewer_of
from composer.web.security import csrf_nonce, csrf_token, remember_csrf
from composer.web.state import state_of

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown(text: str) -> Markup:
    """CommonMark (with tables) as HTML; raw HTML in the text is shown as text."""
    return Markup(_markdown.render(text))


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = markdown
    env.filters["score"] = lambda value: "" if value is None else f"{value:g}"
    return env


class Pages:
    """Renders a template with what every page needs: the CSRF token, the reviewer, the title."""

    def __init__(self, title: str) -> None:
        self.env = environment()
        self.title = title

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        state = state_of(request)
        nonce = csrf_nonce(request)
        page = self.env.get_template(template).render(
            request=request,
            campaign_title=self.title,
            csrf=csrf_token(state.access, nonce),
            reviewer=reviewer_of(request),
            **context,
        )
        response = HTMLResponse(page, status_code=status)
        remember_csrf(request, response)
        return response
