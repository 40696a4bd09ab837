"""The files the pages show: result images (``/files/...``) and their thumbnails (``/thumbs/...``).

Only media inside the campaign folder are served (``security.file_inside``: no absolute paths,
no ``..``, no symlink leading out, regular files only), and only by their media suffix, so the
ledger, the briefs' JSON or anything else in the folder is never handed out.
"""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from composer.web.security import Refused, file_inside
from composer.web.thumbnails import ThumbnailError, cached_thumbnail

MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
               ".mp4": "video/mp4"}  # fmt: skip
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
CACHE = "private, max-age=3600"


def media_file(folder: Path, relative: str) -> Path:
    """The media file ``relative`` names inside ``folder``; ``Refused`` otherwise."""
    if Path(relative).suffix.lower() not in MEDIA_TYPES:
        raise Refused(f"only images and videos are served, not {relative!r}", 404)
    return file_inside(folder, relative)


async def serve_file(request: Request) -> Response:
    folder: Path = request.app.state.review.folder
    path = media_file(folder, request.path_params["path"])
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix.lower()], headers={"Cache-Control": CACHE})


async def serve_thumbnail(request: Request) -> Response:
    folder: Path = request.app.state.review.folder
    path = media_file(folder, request.path_params["path"])
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise Refused(f"no thumbnail for {request.path_params['path']} (not an image)", 404)
    try:
        thumb = await run_in_threadpool(cached_thumbnail, folder, path)
    except ThumbnailError as exc:
        raise Refused(str(exc), 422) from None
    return FileResponse(thumb, media_type="image/jpeg", headers={"Cache-Control": CACHE})


routes = [
    Route("/files/{path:path}", serve_file, methods=["GET"], name="file"),
    Route("/thumbs/{path:path}", serve_thumbnail, methods=["GET"], name="thumb"),
]
