"""Shared fixtures. Tests use the real o200k_base table from ../shared/tiktoken when it is there."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_TIKTOKEN = REPO.parent / "shared" / "tiktoken"

if "TIKTOKEN_CACHE_DIR" not in os.environ and SHARED_TIKTOKEN.is_dir():
    os.environ["TIKTOKEN_CACHE_DIR"] = str(SHARED_TIKTOKEN)
# composer's own cache (decoded tokenizer table, compiled templates) stays out of the user's home,
# and is removed when the test session ends (forked workers leave through os._exit, not atexit).
if "COMPOSER_CACHE_DIR" not in os.environ:
    os.environ["COMPOSER_CACHE_DIR"] = tempfile.mkdtemp(prefix="composer-test-cache-")
    atexit.register(shutil.rmtree, os.environ["COMPOSER_CACHE_DIR"], ignore_errors=True)

from composer.settings import Settings, use_settings  # noqa: E402  (after the cache folder is chosen)

use_settings(Settings.from_env())  # what the CLI does for each command, for the tests that call the library


@pytest.fixture(autouse=True)
def _no_ambient_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a library from the developer's environment."""
    monkeypatch.delenv("COMPOSER_LIBRARY", raising=False)


@pytest.fixture
def example_library() -> Path:
    """The bundled example library (the repository root)."""
    return REPO


MINI_FILES = {
    "composer.yaml": "name: mini\ndefaults:\n  brand: acme\n  style: wash\n",
    "brand_kits/acme.yaml": """\
name: Acme
palette:
  - {name: Sage, hex: "#8A9A5B", role: primary}
  - {name: Cream, hex: "#FFF8E7", role: background}
typography: {headline: Serif bold, body: Sans regular}
logo: {clear_space: Clear space equal to the cap height on every side., placement: [bottom right]}
mood: calm and warm
must_include: [soft natural light]
do_not_include: [lens flare]
""",
    "bibles/characters/ada.yaml": """\
name: Ada
summary: A tall woman with short black hair and a yellow raincoat.
identity:
  face: oval face, dark brown eyes
  hair: short straight black bob
  build: tall and slim
wardrobe:
  - yellow raincoat with black toggles
relationships:
  bo: older brother
reference_frames:
  - frames/ada.png
""",
    "bibles/characters/bo.yaml": """\
name: Bo
summary: A stocky man with a grey beard.
identity:
  face: round face, grey beard
  hair: cropped grey hair
  build: stocky
wardrobe:
  - navy fisherman's jumper
""",
    "bibles/scenes/harbour.yaml": """\
name: Harbour
summary: A small stone harbour at dawn.
setting: a small stone harbour with fishing boats
lighting: low dawn sun from the right
camera: eye level, medium-wide shot
lens: 35mm at f/4
mood: quiet
props: [lobster pots, coiled rope, gulls]
motion: boats rock gently
""",
    "bibles/styles/wash.yaml": """\
name: Wash
summary: Loose watercolour washes.
medium: watercolour on cold-press paper
subject_matter: everyday people outdoors
composition: subjects placed on thirds with open sky
colour_handling: muted, cool greys with one warm accent
lighting: soft, diffuse daylight
""",
}


def write_mini_library(root: Path) -> Path:
    """A small valid library: brand acme, characters ada (with a frame) and bo, scene harbour."""
    for name, text in MINI_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    frame = root / "bibles/characters/frames/ada.png"
    frame.parent.mkdir(parents=True, exist_ok=True)
    # A valid 1x1 PNG (frames are decoded fully before upload: the bytes here before had a bad CRC
    # and a missing IEND length, which only a signature check accepted).
    frame.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
        )
    )
    return root


@pytest.fixture
def mini_library(tmp_path: Path) -> Path:
    return write_mini_library(tmp_path / "lib")


@pytest.fixture
def exact_tokens() -> None:
    """Skip a test whose expected output holds exact o200k_base counts when the table cannot be had
    (no network and no ../shared/tiktoken): the product then labels its counts as estimates."""
    from composer.tokens import shared_counter

    counter = shared_counter()
    if not counter.exact:
        pytest.skip(f"needs the exact tokenizer: {counter.unavailable_reason}")
