"""The caps a hostile library meets are documented with the numbers the code uses (issue 13): the table in
docs/library.md names each constant and its value, and the README states the main ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer import images, library, sandbox, yamlio
from composer.campaign.expand import MAX_EXPANSION

ROOT = Path(__file__).resolve().parents[2]

CAPS = {
    "MAX_YAML_BYTES": yamlio.MAX_YAML_BYTES,
    "MAX_NODES": yamlio.MAX_NODES,
    "MAX_EXPANDED_CHARS": yamlio.MAX_EXPANDED_CHARS,
    "MAX_DEPTH": yamlio.MAX_DEPTH,
    "MAX_INT_DIGITS": yamlio.MAX_INT_DIGITS,
    "MAX_ID_CHARS": library.MAX_ID_CHARS,
    "MAX_OUTPUT": sandbox.MAX_OUTPUT,
    "MAX_WIDTH": sandbox.MAX_WIDTH,
    "MAX_LOOP_ITEMS": sandbox.MAX_LOOP_ITEMS,
    "MAX_POWER_BITS": sandbox.MAX_POWER_BITS,
    "MAX_EXPANSION": MAX_EXPANSION,
    "MAX_IMAGE_BYTES": images.MAX_IMAGE_BYTES,
    "MAX_SIDE": images.MAX_SIDE,
    "MAX_PIXELS": images.MAX_PIXELS,
    "MAX_FRAMES": images.MAX_FRAMES,
}

IN_README = ("MAX_YAML_BYTES", "MAX_NODES", "MAX_DEPTH", "MAX_INT_DIGITS", "MAX_OUTPUT", "MAX_WIDTH",
             "MAX_EXPANSION", "MAX_SIDE", "MAX_PIXELS")


def _row(name: str) -> str:
    rows = [line for line in (ROOT / "docs/library.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("|") and f"`{name}`" in line]
    assert len(rows) == 1, f"docs/library.md has {len(rows)} table rows naming {name}"
    return rows[0]


@pytest.mark.parametrize("name", sorted(CAPS))
def test_docs_library_states_the_cap_the_code_uses(name: str) -> None:
    assert f"{CAPS[name]:,}" in _row(name)


@pytest.mark.parametrize("name", IN_README)
def test_readme_states_the_main_caps(name: str) -> None:
    assert f"{CAPS[name]:,}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_docs_qc_states_the_image_caps_pixel_qc_meets() -> None:
    (row,) = [line for line in (ROOT / "docs/qc.md").read_text(encoding="utf-8").splitlines()
              if line.startswith("| `unreadable` |")]
    assert f"{images.MAX_PIXELS // 1_000_000} megapixels" in row and f"{images.MAX_SIDE:,} pixels a side" in row
