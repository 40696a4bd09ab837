"""QC's thresholds, in one typed place (defaults documented in docs/qc.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QcSettings:
    min_region_fraction: float = 0.0001
    """A banned-colour region smaller than this fraction of the frame is noise (0.01%: 20x20 px at 2K)."""
    min_region_pixels: int = 4
    """... and smaller than this many analysis pixels (256 px on the long side) too."""
    palette_tolerance: float = 12.0
    """CIEDE2000 within which a pixel counts as a palette colour."""
    min_adherence: float = 0.5
    """Below this share of the frame within tolerance of the palette, ``palette`` is a warning."""
    min_present_share: float = 0.002
    """A required palette colour or key colour covering less of the frame than this is absent."""
    key_tolerance: float = 15.0
    """CIEDE2000 within which a pixel matches a key colour (looser: key colours are lit and shaded)."""
    aspect_tolerance: float = 0.03
    """Relative difference between the requested and the actual aspect ratio that is still that ratio."""
    blank_spread: float = 0.5
    """An image whose L, a and b all vary less than this (standard deviation, analysis copy) is blank."""
    duplicate_distance: int = 10
    """Perceptual hashes (64 bits) this many bits apart or fewer are near-duplicates."""


DEFAULTS = QcSettings()
