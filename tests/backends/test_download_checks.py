"""Results are streamed to a temp file, size-capped, checked to be what they claim, renamed into place."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from fakes.fixtures import FAST_RETRY, run
from fakes.kie import FakeKie, Reply, make_mp4, make_png

from composer.backends import DownloadError
from composer.backends.download import DownloadLimits, Saved, check_media, download, save_bytes, sniff_media
from composer.backends.net import HostPolicy


def test_sniff_media() -> None:
    assert sniff_media(make_png(1, "x")[:16]) == "image/png"
    assert sniff_media(b"\xff\xd8\xff\xe0" + b"\0" * 12) == "image/jpeg"
    assert sniff_media(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert sniff_media(make_mp4("x")[:16]) == "video/mp4"
    assert sniff_media(b"\x1a\x45\xdf\xa3" + b"\0" * 12) == "video/webm"
    assert sniff_media(b"<!DOCTYPE html>\n") is None


def test_check_media_compares_bytes_with_the_claim() -> None:
    png = make_png(1, "x")[:16]
    assert check_media(png, "image/png", "image", "r") == "image/png"
    assert check_media(png, "application/octet-stream", "image", "r") == "image/png"
    assert check_media(png, None, "image", "r") == "image/png"
    with pytest.raises(DownloadError, match="claims to be image/jpeg but is image/png"):
        check_media(png, "image/jpeg", "image", "r")
    with pytest.raises(DownloadError, match="is not an MP4, QuickTime or WebM video"):
        check_media(png, "video/mp4", "video", "r")
    with pytest.raises(DownloadError, match="is not a PNG, JPEG or WebP image"):
        check_media(b"<html>error page", "text/html", "image", "r")


def test_save_bytes_is_atomic_and_capped(tmp_path: Path) -> None:
    data = make_png(2, "y")
    path, digest = save_bytes(data, tmp_path, "shot", kind="image", claimed="image/png")
    assert path == tmp_path / "shot.png" and path.read_bytes() == data
    assert digest == hashlib.sha256(data).hexdigest()
    with pytest.raises(DownloadError, match="over the 10-byte limit"):
        save_bytes(data, tmp_path, "big", kind="image", claimed=None, limits=DownloadLimits(max_image_bytes=10))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.png"]  # no temp file, no partial file


def fetch(fake: FakeKie, url: str, out: Path, **kwargs: object) -> Saved:
    async def go() -> Saved:
        async with aiohttp.ClientSession() as session:
            hosts = HostPolicy.of([], fake.settings().allow_hosts)  # the fake CDN is on 127.0.0.1
            return await download(session, url, out, "result", kind="image", retry=FAST_RETRY, hosts=hosts,
                                  **kwargs)  # type: ignore[arg-type]
    return run(go())


@pytest.fixture
def served() -> Iterator[tuple[FakeKie, str, bytes]]:
    with FakeKie() as fake:
        data = make_png(5, "served")
        url = f"{fake.cdn_url}/results/t/0.png"
        fake.served[url] = data
        yield fake, url, data


def test_download_streams_the_exact_bytes(served: tuple[FakeKie, str, bytes], tmp_path: Path) -> None:
    fake, url, data = served
    path, digest = fetch(fake, url, tmp_path, limits=DownloadLimits(chunk_bytes=64))  # hashed over many chunks
    assert path == tmp_path / "result.png" and path.read_bytes() == data
    assert digest == hashlib.sha256(data).hexdigest()
    assert fake.violations == []  # no Authorization header went to the CDN


def test_download_refuses_a_lying_content_type(served: tuple[FakeKie, str, bytes], tmp_path: Path) -> None:
    fake, url, _ = served
    fake.result_content_type = "image/webp"
    with pytest.raises(DownloadError, match="claims to be image/webp but is image/png"):
        fetch(fake, url, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_download_refuses_an_error_page(served: tuple[FakeKie, str, bytes], tmp_path: Path) -> None:
    fake, url, _ = served
    fake.served[url] = b"<html><body>Access denied</body></html>"
    fake.result_content_type = "image/png"
    with pytest.raises(DownloadError, match="is not a PNG, JPEG or WebP image"):
        fetch(fake, url, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_download_is_size_capped(served: tuple[FakeKie, str, bytes], tmp_path: Path) -> None:
    fake, url, _ = served
    with pytest.raises(DownloadError, match="over the 64-byte limit"):
        fetch(fake, url, tmp_path, limits=DownloadLimits(max_image_bytes=64, chunk_bytes=16))
    assert list(tmp_path.iterdir()) == []


def test_download_retries_server_errors_but_not_a_missing_file(
    served: tuple[FakeKie, str, bytes], tmp_path: Path
) -> None:
    fake, url, data = served
    fake.script("download", Reply(status=503), Reply(drop=True))
    assert fetch(fake, url, tmp_path).path.read_bytes() == data
    assert fake.calls["download"] == 3
    with pytest.raises(DownloadError, match=r"HTTP 404.*expire"):
        fetch(fake, f"{fake.cdn_url}/results/t/9.png", tmp_path / "other")
