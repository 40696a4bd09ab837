"""The report page: what ``compose review report`` shows, in the browser, and its chart as a PNG.

Every figure comes from ``composer.review.report.build_report`` (the same numbers as the command,
formatted by the same ``report_text`` helpers); this module only picks the grouping from the query
string and lays it out. The report is where a blind review is unblinded: it names the models, so
the page says so before anything else.

The chart is drawn per request (``/report/chart.png?by=...``), never written into the folder: it
is a few tens of milliseconds of Pillow, and caching it would need to know when any reviewer
scored anything since. Drawing happens off the event loop; the store is read on it, as everywhere.
"""

from __future__ import annotations

import io
from typing import get_args

from PIL import Image
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from composer.review.chart import chart_image
from composer.review.checks import KIND_NAMES
from composer.review.report import By, Report, build_report
from composer.review.report_text import money_text, spread_text
from composer.review.store import ReviewStore
from composer.web.reviewers import ask_for_reviewer, reviewer_of
from composer.web.security import Refused
from composer.web.state import state_of

BY: tuple[By, ...] = get_args(By)


def parse_by(query: QueryParams) -> By:
    """The grouping asked for (``?by=target|backend|group``, target when absent); 400 otherwise."""
    by = query.get("by", "target")
    for choice in BY:
        if by == choice:
            return choice
    raise Refused(f"by: '{by[:40]}' is not one of {', '.join(BY)}", 400)


def current_report(request: Request) -> Report:
    store: ReviewStore = state_of(request).store
    by = parse_by(request.query_params)
    store.refresh()  # takes a running campaign added since the last page
    return build_report(store, by)


async def report_page(request: Request) -> Response:
    if reviewer_of(request) is None:
        return ask_for_reviewer(request)
    report = current_report(request)
    return state_of(request).pages.render(
        request, "report.html", report=report, choices=BY, spread=spread_text, money=money_text,
        kind_names=KIND_NAMES, dimensions=report.rubric.dimensions,
        names={d.id: d.name for d in report.rubric.dimensions},
    )  # fmt: skip


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


async def chart(request: Request) -> Response:
    if reviewer_of(request) is None:
        raise Refused("name the reviewer first: open /reviewer", 403)
    report = current_report(request)
    data = await run_in_threadpool(lambda: png_bytes(chart_image(report)))
    return Response(data, media_type="image/png", headers={"Cache-Control": "no-store"})


routes = [
    Route("/report", report_page, methods=["GET"], name="report"),
    Route("/report/chart.png", chart, methods=["GET"], name="report_chart"),
]
