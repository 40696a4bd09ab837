"""Grid thumbnails: made once, fitted in the box, refreshed when the image changes, refused when broken."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from composer.web.thumbnails import BOX, CACHE_DIR, ThumbnailError, cached_thumbnail


def picture(path: Path, size: tuple[int, int], colour: tuple[int, int, int] = (40, 90, 160)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)
    return path


def test_a_thumbnail_fits_the_box_and_is_made_once(tmp_path: Path) -> None:
    image = picture(tmp_path / "images" / "a.png", (1536, 1024))
    thumb = cached_thumbnail(tmp_path, image.resolve())
    assert thumb.parent == tmp_path / CACHE_DIR
    with Image.open(thumb) as made:
        assert made.format == "JPEG" and made.size == (BOX, BOX * 2 // 3)
    made_at = thumb.stat().st_mtime_ns
    assert cached_thumbnail(tmp_path, image.resolve()) == thumb
    assert thumb.stat().st_mtime_ns == made_at


def test_a_changed_image_gets_a_new_thumbnail(tmp_path: Path) -> None:
    image = picture(tmp_path / "a.png", (400, 400))
    first = cached_thumbnail(tmp_path, image.resolve())
    picture(image, (400, 200), (200, 30, 30))
    os.utime(image, ns=(1, 1))  # another size and mtime, whatever the clock's resolution
    second = cached_thumbnail(tmp_path, image.resolve())
    assert second != first
    with Image.open(second) as made:
        assert made.size == (BOX, BOX // 2)


def test_a_small_image_is_not_enlarged(tmp_path: Path) -> None:
    image = picture(tmp_path / "a.png", (64, 48))
    with Image.open(cached_thumbnail(tmp_path, image.resolve())) as made:
        assert made.size == (64, 48)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"not an image at all"])
def test_a_broken_image_is_refused_in_one_line(tmp_path: Path, data: bytes) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(data)
    with pytest.raises(ThumbnailError) as caught:
        cached_thumbnail(tmp_path, image.resolve())
    assert "\n" not in str(caught.value) and "a.png" in str(caught.value)
    assert not (tmp_path / CACHE_DIR).exists() or not any((tmp_path / CACHE_DIR).iterdir())


def test_a_declared_giant_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")  # 1 bit a pixel: small to build
    image = tmp_path / "giant.png"
    image.write_bytes(buffer.getvalue())
    with pytest.raises(ThumbnailError, match="refused before decoding"):
        cached_thumbnail(tmp_path, image.resolve())
