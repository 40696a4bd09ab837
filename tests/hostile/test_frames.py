"""Class 4: a reference frame must decode fully (Pillow verify() plus a real load, after the
dimension check), not just carry the right signature, before it is trusted or uploaded.

``compose shot`` only checks a frame cheaply (path, regular file, size, signature: no Pillow on its
cold path); ``compose validate`` and every generation path (here ``--estimate``, which builds the
job without sending it) decode it through composer.images.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile import images_support as build
from tests.hostile.conftest import Libraries
from tests.hostile.harness import Batch, assert_refused, assert_reported, run_cases, shot_args

FRAME = "bibles/characters/frames/ada.png"
BAD_FRAMES: list[tuple[str, Callable[[], bytes], str]] = [
    ("broken-data-stream", build.broken_stream_png, "broken image data (broken data stream"),
    ("bad-crc", build.bad_crc_png, "broken image data (broken PNG file (bad header checksum in b'IDAT'))"),
    ("truncated", build.truncated_png, "broken image data ("),
    ("bad-animation-chunk", build.bad_animation_png, "broken image data (APNG contains truncated fcTL chunk)"),
    ("bomb", lambda: build.png_bomb(100_000, 100_000), "image declares over 40 megapixels"),
    ("over-the-pixel-cap", lambda: build.png_bomb(7_000, 7_000), "image is 7,000x7,000 px, over the limit"),
    ("signature-only", lambda: build.PNG_SIGNATURE, "not a PNG, JPEG or WebP image"),
]


@pytest.fixture(scope="module")
def outcomes(libraries: Libraries) -> Batch:
    cases: dict[str, tuple[Path, list[str]]] = {}
    for name, make, _ in BAD_FRAMES:
        root = libraries.make(name)
        (root / FRAME).write_bytes(make())
        cases[name] = (root, shot_args(root, root.parent / "out", "--estimate"))
        cases[f"validate {name}"] = (root, ["validate", "--library", str(root)])
    good = libraries.make("good")
    cases["good"] = (good, shot_args(good, good.parent / "out", "--estimate"))
    return run_cases(cases)


@pytest.mark.parametrize(("name", "make", "reason"), BAD_FRAMES, ids=[c[0] for c in BAD_FRAMES])
def test_a_frame_that_does_not_decode_is_never_sent(outcomes: Batch, name: str, make: object, reason: str) -> None:
    assert_refused(outcomes.runs[name], f"{FRAME}: {reason}")


@pytest.mark.parametrize(("name", "make", "reason"), BAD_FRAMES, ids=[c[0] for c in BAD_FRAMES])
def test_validate_decodes_every_frame(outcomes: Batch, name: str, make: object, reason: str) -> None:
    assert_reported(outcomes.runs[f"validate {name}"], "reference_frames.0: reference frame", f"{FRAME}: {reason}")


def test_a_good_frame_passes(outcomes: Batch) -> None:
    run = outcomes.runs["good"]
    assert (run.code, run.crash) == (0, None), run.stderr
    assert "1 reference frame(s)" in run.stdout
