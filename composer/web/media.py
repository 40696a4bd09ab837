"""The images the pages show, addressed by shot and take *label*, never by a path from the URL.

A URL names ``/shots/<id>/takes/<label>/image`` (or ``/thumb``): the label is the one this
reviewer sees (A, B ... in blind mode), so no address reveals a take's number, file name or model.
The file itself comes from the ledger, which is untrusted too: it is served only when it is a
regular media file inside the campaign folder (``security.file_inside``: no absolute path, no
``..``, no symlink leading out), so the ledger, the briefs or anything outside are never handed out.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from composer.review.records import LabelledTake
from composer.review.store import ReviewStore
from composer.web.reviewers import reviewer_of
from composer.web.security import Refused, file_inside
from composer.web.state import state_of
from composer.web.thumbnails import ThumbnailError, cached_thumbnail, warm

MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
               ".mp4": "video/mp4"}  # fmt: skip
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
CACHE = "private, max-age=600"


def media_file(folder: Path, image: Path | None) -> Path:
    """The take's file, checked: a regular media file inside ``folder``; ``Refused`` otherwise."""
    if image is None:
        raise Refused("this take's file is gone from the folder", 404)
    if image.suffix.lower() not in MEDIA_TYPES:
        raise Refused(f"only images and videos are served, not {image.name!r}", 404)
    return file_inside(folder, os.path.relpath(image, folder))


def is_video(take: LabelledTake) -> bool:
    return take.image is not None and take.image.suffix.lower() not in IMAGE_SUFFIXES


def _take(request: Request) -> tuple[Path, LabelledTake]:
    state = state_of(request)
    reviewer = reviewer_of(request)
    if reviewer is None:
        raise Refused("name the reviewer first (labels are per reviewer)", 403)
    view = state.store.view(request.path_params["shot_id"], reviewer)
    label = request.path_params["label"]
    take = next((t for t in view.takes if t.label == label), None)
    if take is None:
        raise Refused(f"shot {view.shot.id} has no take {label!r}", 404)
    return state.folder, take


async def take_image(request: Request) -> Response:
    folder, take = _take(request)
    path = media_file(folder, take.image)
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix.lower()], headers={"Cache-Control": CACHE})


async def take_thumbnail(request: Request) -> Response:
    folder, take = _take(request)
    path = media_file(folder, take.image)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise Refused(f"no thumbnail for {path.name} (not an image)", 404)
    try:
        thumb = await run_in_threadpool(cached_thumbnail, folder, path)
    except ThumbnailError as exc:
        raise Refused(str(exc), 422) from None
    return FileResponse(thumb, media_type="image/jpeg", headers={"Cache-Control": CACHE})


def thumbnail_sources(folder: Path, store: ReviewStore) -> list[Path]:
    """Every take's image the grid may show, in grid order, checked as a request for it would be."""
    sources = []
    for card in store.shots():
        for take in card.takes:
            try:
                path = media_file(folder, take.image)
            except Refused:
                continue
            if path.suffix.lower() in IMAGE_SUFFIXES:
                sources.append(path)
    return sources


def start_warming(folder: Path, store: ReviewStore) -> threading.Thread:
    """Make every missing thumbnail on a background thread, the first page's first, so the grid
    rarely waits for one (``thumbnails.warm``). The store is read here, on the caller's thread;
    the thread only reads images and writes into the cache."""
    thread = threading.Thread(target=warm, args=(folder, thumbnail_sources(folder, store)), name="thumbnails",
                              daemon=True)
    thread.start()
    return thread


routes = [
    Route("/shots/{shot_id}/takes/{label}/image", take_image, methods=["GET"], name="take_image"),
    Route("/shots/{shot_id}/takes/{label}/thumb", take_thumbnail, methods=["GET"], name="take_thumb"),
]
