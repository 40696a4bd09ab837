"""Brand kits: the palette, typography, logo rules and negative constraints every shot of a brand
respects; ``BrandKitFile`` is a file as written (a sub-brand states only what differs)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from composer.models.base import Asset, FrameList, negatives_of, roles_of


class PaletteColour(Asset):
    name: str = Field(min_length=1)
    """The colour's name as the brief states it, e.g. "Sage Green"."""
    hex: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    """Its hex code, ``#RRGGBB``."""
    role: Literal["primary", "secondary", "accent", "background", "text", "neutral"]
    """What the colour is for in a frame."""
    required: bool = True
    """Whether every brief must name this colour (lint checks it)."""


class Typography(Asset):
    headline: str = Field(min_length=1)
    """Typeface and treatment for headlines."""
    body: str = Field(min_length=1)
    """Typeface and treatment for body copy."""
    rules: list[str] = []
    """Further typography rules, one sentence each."""


class LogoRules(Asset):
    clear_space: str = Field(min_length=1)
    """The clear-space rule around the logo, stated so a model can follow it."""
    placement: list[str] = []
    """Where the logo may go and how it may not be treated."""
    frames: FrameList = []
    """Images of the logo (role ``logo``), relative to the brand kit file; attached only to shots
    that place the logo (``deltas.logo``). A sub-brand's list replaces its parent's."""

    _frame_roles = roles_of("frames", ("logo",), "a brand kit")


class LintException(Asset):
    """An explicit, named permission to break one lint rule for one term (e.g. red hair): the
    finding it covers becomes a notice that cites it."""

    rule: Literal["conflict", "palette", "exactness", "frames", "logo"]
    """The lint rule it applies to (e.g. ``conflict``)."""
    term: str = Field(min_length=1)
    """What it allows: a forbidden term or colour family (``red``), an off-palette hex, a counted
    noun, a cast id (``frames``) or ``logo``."""
    asset: str | None = Field(default=None, min_length=1)
    """Only for this asset id (e.g. ``fox``); default: wherever the term occurs."""
    reason: str = Field(min_length=1)
    """Why, and who approved it: shown in every brief that uses it."""


class BrandKit(Asset):
    name: str = Field(min_length=1)
    """Display name of the brand."""
    palette: list[PaletteColour] = Field(min_length=1)
    """The brand's colours, named, with hex codes and roles."""
    typography: Typography
    """Typography rules for any on-image text."""
    logo: LogoRules
    """Logo clear-space and placement rules."""
    mood: str = Field(min_length=1)
    """The brand's mood in a sentence or two."""
    must_include: list[str] = []
    """Things every image of this brand must show or respect."""
    do_not_include: list[str] = []
    """Negative constraints: what must never appear (e.g. "red anywhere in frame")."""
    _normalise_negatives = negatives_of("do_not_include")
    lint_exceptions: list[LintException] = []
    """Named exceptions to lint rules that this brand approves."""


class TypographyPatch(Asset):
    headline: str | None = None
    """Typeface and treatment for headlines."""
    body: str | None = None
    """Typeface and treatment for body copy."""
    rules: list[str] = []
    """Further typography rules (added to the parent's)."""


class LogoPatch(Asset):
    clear_space: str | None = None
    """The clear-space rule around the logo."""
    placement: list[str] = []
    """Where the logo may go (added to the parent's)."""
    frames: FrameList | None = None
    """Images of the logo (role ``logo``); replaces the parent's list."""


class BrandKitFile(Asset):
    """A brand kit file as written: every field optional, so a sub-brand states only what differs."""

    extends: str | None = None
    """Id of the parent brand kit whose values this one inherits (lists merge, scalars override)."""
    name: str | None = None
    """Display name of the brand."""
    palette: list[PaletteColour] = []
    """Colours, merged with the parent's by name."""
    typography: TypographyPatch | None = None
    """Typography rules for any on-image text."""
    logo: LogoPatch | None = None
    """Logo clear-space and placement rules."""
    mood: str | None = None
    """The brand's mood in a sentence or two."""
    must_include: list[str] = []
    """Things every image of this brand must show or respect (added to the parent's)."""
    do_not_include: list[str] = []
    """Negative constraints (added to the parent's; a sub-brand can never remove one)."""
    _normalise_negatives = negatives_of("do_not_include")
    lint_exceptions: list[LintException] = []
    """Named exceptions to lint rules that this brand approves."""
