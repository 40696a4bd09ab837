"""Checking what a reviewer sends (from a form, a spreadsheet or a script) before it is stored."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from pydantic import ValidationError

from composer.models import Rubric, ShotDeltas
from composer.review.errors import ReviewInputError
from composer.review.records import VERDICTS, Verdict

MAX_NAME = 60
"""Longest reviewer name."""
MAX_NOTE = 4000
"""Longest note, verdict note or resolution, in characters."""


def check_reviewer(name: str) -> str:
    """A reviewer's name: 1-60 printable characters, surrounding spaces dropped."""
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise ReviewInputError("reviewer: a reviewer name is required")
    if len(name) > MAX_NAME:
        raise ReviewInputError(f"reviewer: the name is {len(name)} characters, at most {MAX_NAME}")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise ReviewInputError("reviewer: the name has control characters")
    return name


def check_text(value: str | None, what: str) -> str:
    """A note or resolution: at most 4,000 characters, no control characters but newlines and tabs."""
    text = (value or "").strip()
    if len(text) > MAX_NOTE:
        raise ReviewInputError(f"{what}: {len(text):,} characters, at most {MAX_NOTE:,}")
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t\r" for c in text):
        raise ReviewInputError(f"{what}: has control characters")
    return text


def check_score(rubric: Rubric, dimension: str, value: object) -> int:
    """A whole score within the rubric's scale on one of its dimensions."""
    if dimension not in rubric.dimension_ids():
        raise ReviewInputError(f"score: unknown dimension '{dimension}' (the rubric has "
                               f"{', '.join(rubric.dimension_ids())})")
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise ReviewInputError(f"{dimension}: not a score")
    try:
        number = float(value)
    except ValueError:
        raise ReviewInputError(f"{dimension}: '{value}' is not a number") from None
    if number != int(number):
        raise ReviewInputError(f"{dimension}: {value} is not a whole number")
    if not rubric.scale_min <= number <= rubric.scale_max:
        raise ReviewInputError(f"{dimension}: {number:g} is outside {rubric.scale_min}-{rubric.scale_max}")
    return int(number)


def check_verdict(value: str | None) -> Verdict | None:
    if value is None or value == "":
        return None
    for verdict in VERDICTS:
        if value == verdict:
            return verdict
    raise ReviewInputError(f"verdict: '{value}' is not one of {', '.join(VERDICTS)}")


def check_deltas(value: dict[str, Any] | str | None) -> dict[str, Any]:
    """Delta edits for a regeneration: ``ShotDeltas`` fields (a mapping, or its JSON text)."""
    if value is None or value == "" or value == {}:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ReviewInputError(f"deltas: not JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise ReviewInputError("deltas: expected a mapping of delta fields (action, counts, order, negative ...)")
    try:
        deltas = ShotDeltas.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "deltas"
        raise ReviewInputError(f"deltas.{where}: {first['msg']}") from None
    return deltas.model_dump(exclude_defaults=True)
