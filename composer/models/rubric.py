"""Review rubrics: the dimensions every take is scored on, with anchors for the scale."""

from __future__ import annotations

from pydantic import Field, model_validator

from composer.models.base import Asset


class Anchor(Asset):
    """What one score on a rubric dimension means, in plain words."""

    score: int = Field(ge=0, le=100)
    """The score it describes (within the rubric's scale)."""
    means: str = Field(min_length=1)
    """What an image at this score looks like, e.g. "passes a quick review, ten minutes of cleanup"."""


class Dimension(Asset):
    """One thing a reviewer scores on every take."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """Short id: the column name in exports and imports (e.g. ``fidelity``)."""
    name: str = Field(min_length=1)
    """Display name, e.g. "Image fidelity"."""
    question: str = Field(min_length=1)
    """What the reviewer judges, as one question."""
    anchors: list[Anchor] = Field(min_length=1)
    """Anchors for the scale, highest first: what a 10, a 7, a 4 and a 1 look like."""


RESERVED_COLUMNS = frozenset({"shot_id", "take", "reviewer", "verdict", "note"})
"""Export columns a dimension id may not take."""


class Rubric(Asset):
    """A review rubric (``rubrics/<id>.yaml``): the dimensions every take is scored on."""

    name: str = Field(min_length=1)
    """Display name of the rubric."""
    description: str = ""
    """What the rubric is for and where it comes from."""
    scale_min: int = Field(default=0, ge=0)
    """The lowest score a reviewer may give."""
    scale_max: int = Field(default=10, ge=1, le=100)
    """The highest score a reviewer may give."""
    divergence_threshold: float = Field(default=1, ge=0)
    """Reviewers whose scores for one take and dimension differ by more than this many points
    diverge: the reconcile page lists them until someone writes a resolution."""
    dimensions: list[Dimension] = Field(min_length=1)
    """The dimensions, in the order reviewers see them."""

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        if self.scale_min >= self.scale_max:
            raise ValueError(f"scale_min {self.scale_min} must be below scale_max {self.scale_max}")
        seen: set[str] = set()
        for index, dimension in enumerate(self.dimensions):
            if dimension.id in seen or dimension.id in RESERVED_COLUMNS:
                what = "is used twice" if dimension.id in seen else "is a reserved export column"
                raise ValueError(f"dimensions.{index}.id: '{dimension.id}' {what}")
            seen.add(dimension.id)
            scores = [a.score for a in dimension.anchors]
            if any(not self.scale_min <= s <= self.scale_max for s in scores):
                raise ValueError(f"dimensions.{index}.anchors: scores must lie in {self.scale_min}-{self.scale_max}")
            if scores != sorted(set(scores), reverse=True):
                raise ValueError(f"dimensions.{index}.anchors: list each score once, highest first")
        return self

    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]
