"""Grid thumbnails: made once, fitted in the box, refreshed when the image changes, refused when broken,
and made ahead (in grid order) when the app starts."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient
from web_support import as_reviewer

from composer.review.store import ReviewStore
from composer.web.media import start_warming, thumbnail_sources
from composer.web.thumbnails import BOX, CACHE_DIR, ThumbnailError, cached_thumbnail, thumbnail_path, warm


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


def test_warming_makes_the_missing_thumbnails_and_skips_what_fails(tmp_path: Path) -> None:
    good = [picture(tmp_path / "images" / f"{n}.png", (600, 400)).resolve() for n in range(3)]
    broken = tmp_path / "images" / "broken.png"
    broken.write_bytes(b"not an image at all")
    cached_thumbnail(tmp_path, good[0])
    assert warm(tmp_path, [good[0], broken.resolve(), good[1], good[2]]) == 2  # the first was cached already
    assert all(thumbnail_path(tmp_path, image).is_file() for image in good)
    assert warm(tmp_path, good) == 0


def test_serving_starts_by_warming_every_take_in_grid_order(folder: Path, store: ReviewStore,
                                                            client: TestClient) -> None:
    sources = thumbnail_sources(folder, store)
    takes = [(card.id, take.take) for card in store.shots() for take in card.takes]
    assert takes == [("h1", 1), ("h1", 2), ("h2", 1), ("h2", 2), ("s1", 1)]
    assert sources == [take.image.resolve() for card in store.shots() for take in card.takes if take.image]
    thread = start_warming(folder, store)
    thread.join(timeout=30)
    assert not thread.is_alive() and thread.daemon  # never keeps a stopped server's process alive
    made = {source: thumbnail_path(folder, source) for source in sources}
    assert all(path.is_file() for path in made.values())
    stamps = {path: path.stat().st_mtime_ns for path in made.values()}
    as_reviewer(client, "ana")
    assert client.get("/shots/s1/takes/take%201/thumb").status_code == 200
    assert {path: path.stat().st_mtime_ns for path in made.values()} == stamps  # served, not made again
