"""composer.images: the one safe way to open an image refuses every hostile file in one line."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from composer import images
from composer.errors import ImageError
from tests.hostile import images_support as build
from tests.hostile.harness import run_bounded

HOSTILE: list[tuple[str, Callable[[], bytes], str]] = [
    ("png-bomb-declared-10-gigapixels", lambda: build.png_bomb(100_000, 100_000),
     "image declares over 40 megapixels (a decompression bomb?); refused before decoding"),
    ("png-13000px", lambda: build.png_bomb(13_000, 13_000),  # over Pillow's own threshold: its check fires
     "image declares over 40 megapixels (a decompression bomb?); refused before decoding"),
    ("png-7000px", lambda: build.png_bomb(7_000, 7_000),  # under Pillow's threshold: composer's cap refuses
     "image is 7,000x7,000 px, over the limit (16,384 px a side, 40 megapixels)"),
    ("png-too-wide", lambda: build.png_bomb(20_000, 10),
     "image is 20,000x10 px, over the limit (16,384 px a side, 40 megapixels)"),
    ("gif-bomb", build.gif_bomb, "not a PNG, JPEG or WebP image"),
    ("empty", lambda: b"", "empty file (no image data)"),
    ("signature-only", lambda: build.PNG_SIGNATURE, "not a PNG, JPEG or WebP image"),
    ("bad-animation-chunk", build.bad_animation_png, "broken image data (APNG contains truncated fcTL chunk)"),
]
"""Refused by the header checks alone (``probe``), hence by everything else too."""

BROKEN: list[tuple[str, Callable[[], bytes], str]] = [
    ("broken-data-stream", build.broken_stream_png, "broken image data (broken data stream"),
    ("bad-crc", build.bad_crc_png, "broken image data (broken PNG file (bad header checksum in b'IDAT'))"),
    ("truncated", build.truncated_png, "broken image data ("),
]
"""Right signature and header, broken data: only a full decode (``verify``) finds them."""


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")  # as composer.images sets it
@pytest.mark.parametrize(("name", "make", "reason"), HOSTILE, ids=[c[0] for c in HOSTILE])
def test_header_checks_refuse_before_decoding(tmp_path: Path, name: str, make: Callable[[], bytes],
                                              reason: str) -> None:
    path = tmp_path / "frame.png"
    path.write_bytes(make())
    for check in (images.probe, images.verify, lambda p: images.thumbnail(p, (64, 64))):
        with pytest.raises(ImageError) as caught:
            check(path)
        assert str(caught.value) == f"{path}: {reason}"


@pytest.mark.parametrize(("name", "make", "reason"), BROKEN, ids=[c[0] for c in BROKEN])
def test_verify_decodes_fully(tmp_path: Path, name: str, make: Callable[[], bytes], reason: str) -> None:
    path = tmp_path / "frame.png"
    path.write_bytes(make())
    assert images.probe(path).format == "PNG"  # the header alone looks fine
    with pytest.raises(ImageError) as caught:
        images.verify(path)
    assert str(caught.value).startswith(f"{path}: {reason}")


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "frame.png"
    os.mkfifo(fifo)
    with pytest.raises(ImageError, match=r"frame.png: not a regular file \(a FIFO\)$"):
        images.thumbnail(fifo, (64, 64))


def test_a_folder_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=r": not a regular file \(a folder\)$"):
        images.probe(tmp_path)
    with pytest.raises(ImageError, match=r"nope.png: file not found$"):
        images.probe(tmp_path / "nope.png")


def test_file_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    with path.open("wb") as fh:
        fh.write(build.good_png())
        fh.truncate(images.MAX_IMAGE_BYTES + 1)  # sparse
    with pytest.raises(ImageError, match=r"too large \(50.0 MB, limit 50 MB\)$"):
        images.probe(path)


def test_good_images_pass_with_their_facts(tmp_path: Path) -> None:
    path = tmp_path / "ok.png"
    path.write_bytes(build.good_png((30, 20)))
    facts = images.verify(path)
    assert (facts.format, facts.mime, facts.width, facts.height, facts.frames) == ("PNG", "image/png", 30, 20, 1)
    assert facts.bytes == path.stat().st_size
    jpeg = build.big_jpeg(tmp_path / "photo.jpg", (400, 100))
    assert images.verify(jpeg).mime == "image/jpeg"


def test_thumbnail_fits_the_box_keeps_aspect_and_never_enlarges(tmp_path: Path) -> None:
    jpeg = build.big_jpeg(tmp_path / "photo.jpg", (1200, 400))
    thumb = images.thumbnail(jpeg, (240, 240))
    assert (thumb.mode, thumb.size) == ("RGB", (240, 80))
    assert thumb.getpixel((120, 40)) == pytest.approx((30, 90, 160), abs=3)
    small = tmp_path / "small.png"
    small.write_bytes(build.good_png((10, 6)))
    assert images.thumbnail(small, (240, 240)).size == (10, 6)


def test_thumbnail_of_a_40_megapixel_jpeg_stays_within_512_mb(tmp_path: Path) -> None:
    jpeg = build.big_jpeg(tmp_path / "photo.jpg", (8000, 5000))
    code = ("import sys; from pathlib import Path; from composer import images\n"
            "print(images.thumbnail(Path(sys.argv[1]), (240, 240)).size)")
    run = run_bounded([str(jpeg)], cwd=tmp_path, code=code)
    assert (run.code, run.stdout.strip()) == (0, "(240, 150)"), run.stderr
