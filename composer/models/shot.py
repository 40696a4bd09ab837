"""A shot's deltas: what changes from shot to shot while the bibles stay fixed."""

from __future__ import annotations

from pydantic import ConfigDict

from composer.models.base import Asset, negatives_of
from composer.models.brand import LintException


class ShotDeltas(Asset):
    """Per-shot deltas: what changes from shot to shot while the bibles stay fixed."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    action: str | None = None
    """What the cast is doing."""
    expression: str | None = None
    """Facial expression or attitude."""
    framing: str | None = None
    """Shot size and framing (close-up, three-quarter, wide...)."""
    composition: str | None = None
    """Object placement; overrides the scene's composition."""
    order: list[str] = []
    """Left-to-right order of the named subjects or objects."""
    counts: list[str] = []
    """Exact counts, e.g. "4 candles" (stated as "exactly 4 candles")."""
    lighting: str | None = None
    """Lighting override."""
    camera: str | None = None
    """Camera override."""
    lens: str | None = None
    """Lens override."""
    mood: str | None = None
    """Mood override."""
    colour_grade: str | None = None
    """Colour grade override."""
    text: str | None = None
    """On-image text, verbatim."""
    logo: str | None = None
    """Logo placement for this shot (the brand's clear-space rule is stated with it)."""
    motion: str | None = None
    """Camera and subject motion, for video targets."""
    negative: list[str] = []
    """Extra negative constraints for this shot."""
    _normalise_negatives = negatives_of("negative")
    notes: list[str] = []
    """Anything else the brief must say."""
    lint_exceptions: list[LintException] = []
    """Named exceptions to lint rules approved for this shot."""

    @classmethod
    def list_fields(cls) -> frozenset[str]:
        return frozenset(name for name, f in cls.model_fields.items() if f.annotation == list[str])
