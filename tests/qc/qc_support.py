"""Synthetic images with known content, and a small library whose brand bans red (helpers for tests/qc)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

BEIGE = (222, 205, 178)
BRAKE_RED = (200, 16, 46)
PALETTE = {"Oat": "#F2E8D5", "Moss": "#6E7F45", "Ochre": "#D9A441"}

FILES = {
    "composer.yaml": "name: qc-test\ndefaults: {brand: nored}\n",
    "brand_kits/nored.yaml": f"""\
name: No Red
palette:
  - {{name: Oat, hex: "{PALETTE['Oat']}", role: background}}
  - {{name: Moss, hex: "{PALETTE['Moss']}", role: primary}}
  - {{name: Ochre, hex: "{PALETTE['Ochre']}", role: accent}}
typography: {{headline: a serif, body: a serif}}
logo: {{clear_space: a margin on every side}}
mood: calm
do_not_include: [red anywhere in frame, weapons]
""",
    "brand_kits/allowed.yaml": """\
extends: nored
lint_exceptions:
  - {rule: conflict, term: red, asset: isla, reason: her auburn hair is approved by the art director}
""",
    "bibles/characters/isla.yaml": """\
name: Isla
summary: A woman with auburn curls and a moss-green jacket.
identity: {face: oval, hair: auburn curls, build: slim}
wardrobe: [a moss-green jacket]
key_colours:
  - {name: moss-green jacket, hex: "#6E7F45", where: jacket}
""",
}


def scene(width: int = 640, height: int = 480, colour: tuple[int, int, int] = BEIGE, seed: int = 0) -> np.ndarray:
    """A beige scene with light falling off towards the bottom and a little grain (a real render is
    never one flat colour)."""
    rng = np.random.default_rng(seed)
    base = np.empty((height, width, 3), dtype=np.int16)
    base[:] = colour
    falloff = np.linspace(8, -8, height, dtype=np.int16)[:, None, None]
    return np.clip(base + falloff + rng.integers(-4, 5, base.shape), 0, 255).astype(np.uint8)


def paint(pixels: np.ndarray, box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    out = pixels.copy()
    out[y0:y1, x0:x1] = colour
    return out


def save(pixels: np.ndarray, path: Path, fmt: str = "PNG") -> Path:
    Image.fromarray(pixels).save(path, fmt)
    return path
