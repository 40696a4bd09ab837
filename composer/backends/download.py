"""Saving results: streamed to a temp file, size-capped, checked to be the media claimed, renamed into place.

A result on disk is therefore always whole and always what its extension says; a failed download
leaves no file behind (the task id and URLs stay in the generation record, so it can be resumed).
Each saved file comes with its SHA-256, taken from the bytes as they were written, so nobody reads
a result again to hash it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

from yarl import URL

from composer.backends.errors import DownloadError, NetworkError, NoSpaceError, ServiceUnavailableError
from composer.backends.net import HostPolicy, refusal_in
from composer.backends.retry import OnRetry, retrying
from composer.backends.schedule import DEFAULT_RETRY, RetryPolicy
from composer.backends.types import Kind
from composer.files import cannot_write, write_bytes, writing
from composer.frames import sniff_image_type

if TYPE_CHECKING:
    import aiohttp

EXTENSIONS = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp",
    "video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm",
}
"""Every media type a result may be, with the extension it is saved under."""

_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "video/x-m4v": "video/mp4"}
_UNSPECIFIC = {"", "application/octet-stream", "binary/octet-stream"}
"""Content types that claim nothing in particular: the bytes alone decide."""


@dataclass(frozen=True)
class DownloadLimits:
    """Largest result accepted; a bigger one is refused rather than filling the disk."""

    max_image_bytes: int = 64 * 1024 * 1024
    max_video_bytes: int = 1024 * 1024 * 1024
    chunk_bytes: int = 256 * 1024

    def cap(self, kind: Kind) -> int:
        return self.max_video_bytes if kind == "video" else self.max_image_bytes


DEFAULT_LIMITS = DownloadLimits()


class Saved(NamedTuple):
    """A result written to disk."""

    path: Path
    sha256: str
    """The file's SHA-256, hex."""


def sniff_media(head: bytes) -> str | None:
    """The media type of a PNG, JPEG, WebP, MP4, QuickTime or WebM file from its first 16 bytes."""
    image = sniff_image_type(head)
    if image:
        return image
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    return None


def check_media(head: bytes, claimed: str | None, kind: Kind, source: str) -> str:
    """The sniffed media type, if it is of ``kind`` and agrees with the ``claimed`` content type."""
    sniffed = sniff_media(head)
    if sniffed is None or not sniffed.startswith(kind + "/"):
        what = "a PNG, JPEG or WebP image" if kind == "image" else "an MP4, QuickTime or WebM video"
        found = f" (it is {sniffed})" if sniffed else ""
        raise DownloadError(f"{source} is not {what}{found}")
    base = (claimed or "").split(";")[0].strip().lower()
    base = _ALIASES.get(base, base)
    if base not in _UNSPECIFIC and base != sniffed:
        raise DownloadError(f"{source} claims to be {base} but is {sniffed}")
    return sniffed


def result_name(stem: str, index: int, count: int) -> str:
    """``stem`` for a single result, ``stem-1``, ``stem-2``... for several."""
    return stem if count == 1 else f"{stem}-{index + 1}"


def describe_url(url: str) -> str:
    """A short, query-free form of a URL for messages (signed query strings stay out of logs)."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def save_bytes(data: bytes, out_dir: Path, name: str, *, kind: Kind, claimed: str | None,
               limits: DownloadLimits = DEFAULT_LIMITS) -> Saved:
    """Check ``data`` and write it atomically as ``out_dir/name.<ext>`` (for APIs that return bytes)."""
    source = f"result {name}"
    if len(data) > limits.cap(kind):
        raise DownloadError(f"{source} is {len(data):,} bytes, over the {limits.cap(kind):,}-byte limit")
    mime = check_media(data[:16], claimed, kind, source)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / (name + EXTENSIONS[mime])
    try:
        write_bytes(final, data, durable=True)
    except OSError as exc:
        raise write_error(final, exc) from None
    return Saved(final, hashlib.sha256(data).hexdigest())


MAX_REDIRECTS = 5
PUBLIC_ONLY = HostPolicy()
REDIRECTS = (301, 302, 303, 307, 308)


async def download(
    session: aiohttp.ClientSession, url: str, out_dir: Path, name: str, *, kind: Kind,
    limits: DownloadLimits = DEFAULT_LIMITS, retry: RetryPolicy = DEFAULT_RETRY, on_retry: OnRetry | None = None,
    proxy_for: Callable[[str], str | None] = lambda url: None, slots: asyncio.Semaphore | None = None,
    hosts: HostPolicy = PUBLIC_ONLY, deadline: float | None = None,
) -> Saved:
    """Stream ``url`` into ``out_dir/name.<ext>``; retries network errors and 5xx (a GET is idempotent).

    Sends no Authorization header: result URLs live on a CDN that must never see the API key.
    Redirects are followed here, at most ``MAX_REDIRECTS``, so that ``hosts`` checks every hop.
    ``slots``, when given, is held for each attempt (the caller's bound on requests at once);
    ``deadline`` bounds each attempt, from connecting to the last byte.
    """
    out_dir.mkdir(parents=True, exist_ok=True)

    async def attempt() -> Saved:
        async with slots if slots is not None else contextlib.nullcontext():
            try:
                async with asyncio.timeout(deadline):
                    return await _download_once(session, url, out_dir, name, kind, limits, proxy_for, hosts)
            except TimeoutError:
                raise NetworkError(f"downloading result {describe_url(url)}: not complete within {deadline:g} s "
                                   "(the request deadline, COMPOSER_REQUEST_DEADLINE)", maybe_sent=True) from None

    return await retrying(attempt, retry, on_retry=on_retry)


async def _download_once(
    session: aiohttp.ClientSession, url: str, out_dir: Path, name: str, kind: Kind, limits: DownloadLimits,
    proxy_for: Callable[[str], str | None], hosts: HostPolicy,
) -> Saved:
    import aiohttp

    source, cap = f"result {describe_url(url)}", limits.cap(kind)
    try:
        for _ in range(MAX_REDIRECTS + 1):
            hosts.check_url(url, source)
            async with session.get(url, proxy=proxy_for(url), allow_redirects=False) as response:
                location = response.headers.get("Location")
                if response.status in REDIRECTS and location:
                    url = str(response.url.join(URL(location)))
                    continue
                _check_status(response.status, source)
                return await _save_stream(response, out_dir, name, kind, limits, source, cap)
        raise DownloadError(f"{source} redirects more than {MAX_REDIRECTS} times")
    except (aiohttp.ClientError, TimeoutError) as exc:
        refused = refusal_in(exc)
        if refused:
            raise DownloadError(f"{source}: {refused}") from None
        raise NetworkError(f"downloading {source} failed: {type(exc).__name__}", maybe_sent=True) from None
    except OSError as exc:
        raise write_error(out_dir / name, exc) from None


async def _save_stream(response: aiohttp.ClientResponse, out_dir: Path, name: str, kind: Kind,
                       limits: DownloadLimits, source: str, cap: int) -> Saved:
    declared = response.content_length or 0
    if declared > cap:
        raise DownloadError(f"{source} is {declared:,} bytes, over the {cap:,}-byte limit")
    head, size, digest = b"", 0, hashlib.sha256()
    with writing(out_dir / name, durable=False) as staged:
        async for chunk in response.content.iter_chunked(limits.chunk_bytes):
            size += len(chunk)
            if size > cap:
                raise DownloadError(f"{source} is over the {cap:,}-byte limit")
            if len(head) < 16:
                head += chunk[: 16 - len(head)]
            staged.file.write(chunk)
            digest.update(chunk)
        mime = check_media(head, response.headers.get("content-type"), kind, source)
        staged.target = out_dir / (name + EXTENSIONS[mime])
        staged.file.flush()
        # durable, but the fsync waits on the disk: off the event loop, so other jobs keep polling
        await asyncio.to_thread(os.fsync, staged.file.fileno())
    return Saved(staged.target, digest.hexdigest())


def write_error(path: Path, exc: OSError) -> DownloadError:
    """A failed write of a result; a full disk is its own error, so a run can stop starting tasks."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return NoSpaceError(f"no space left on {path.parent} for {path.name}: free space, then collect it again")
    return DownloadError(cannot_write(path, exc))


def _check_status(status: int, source: str) -> None:
    if status == 429 or status >= 500:
        raise ServiceUnavailableError(f"downloading {source} failed: HTTP {status}", status=status)
    if status >= 400:
        raise DownloadError(f"downloading {source} failed: HTTP {status} (result URLs expire after about "
                            "a day; resume soon, or re-send)", status=status)
