"""Colour families in pixels: the families lint knows (``composer.lint.colours``), in CIELAB.

Lint classifies a hex code by HSL hue; pixels are classified perceptually instead, in CIE LCh(ab)
(D65): lightness L (0-100), chroma C and hue angle h in degrees, with "saturation"
s = C / sqrt(C^2 + L^2). The boundaries were set on named colours: every red, crimson, scarlet,
cherry, pink-red, burgundy and brake-light red is red; skin tones (pale to dark), oak, teak, walnut
and pine, copper and a new-penny copper-red (hue 45 and over), rust and terracotta are not.

=======  ====================  ========================================================
family   hue h                 also requires
=======  ====================  ========================================================
red      350-360 and 0-43      C >= 45, s >= 0.70, L 15-70
pink     330-350               C >= 25, L 30-92; also hue 350-40 when light (L 65-92, C >= 20)
orange   43-75                 C >= 45, L >= 45
brown    20-90                 C >= 12, L 10-50, and not red
yellow   75-110                C >= 40, L >= 50
green    110-200               C >= 20
blue     200-310               C >= 20
purple   310-330               C >= 25
black    any                   L < 12
white    any                   L > 95, C < 10
grey     any                   C < 8, L 12-95
=======  ====================  ========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from composer.lint.colours import FAMILIES


@dataclass(frozen=True)
class LCh:
    """Per-pixel lightness, chroma, hue (degrees) and saturation, same shape each."""

    L: np.ndarray
    C: np.ndarray
    h: np.ndarray

    @classmethod
    def of(cls, lab: np.ndarray) -> LCh:
        a, b = lab[..., 1], lab[..., 2]
        return cls(lab[..., 0], np.hypot(a, b), np.degrees(np.arctan2(b, a)) % 360)

    @property
    def s(self) -> np.ndarray:
        return np.asarray(self.C / np.maximum(np.hypot(self.C, self.L), 1e-6))


def _hue(h: np.ndarray, low: float, high: float) -> np.ndarray:
    return (h >= low) & (h < high) if low < high else (h >= low) | (h < high)


def family_mask(px: LCh, family: str) -> np.ndarray:
    """Which pixels belong to ``family`` (one of lint's family names)."""
    L, C, h = px.L, px.C, px.h
    if family == "red":
        return _hue(h, 350, 43) & (C >= 45) & (px.s >= 0.70) & (L >= 15) & (L <= 70)
    if family == "pink":
        light_red = _hue(h, 350, 40) & (L >= 65) & (L <= 92) & (C >= 20)
        return (_hue(h, 330, 350) & (C >= 25) & (L >= 30) & (L <= 92)) | light_red
    if family == "orange":
        return _hue(h, 43, 75) & (C >= 45) & (L >= 45)
    if family == "brown":
        return np.asarray(_hue(h, 20, 90) & (C >= 12) & (L >= 10) & (L <= 50) & ~family_mask(px, "red"))
    if family == "yellow":
        return _hue(h, 75, 110) & (C >= 40) & (L >= 50)
    if family == "green":
        return _hue(h, 110, 200) & (C >= 20)
    if family == "blue":
        return _hue(h, 200, 310) & (C >= 20)
    if family == "purple":
        return _hue(h, 310, 330) & (C >= 25)
    if family == "black":
        return L < 12
    if family == "white":
        return (L > 95) & (C < 10)
    if family == "grey":
        return (C < 8) & (L >= 12) & (L <= 95)
    raise ValueError(f"unknown colour family {family!r} (known: {', '.join(FAMILIES)})")
