"""Blind review: takes labelled A, B, C ... in an order shuffled per reviewer, models hidden.

A shot is reviewed blind when its takes come from more than one contender (target or backend):
then the model, backend, target and prompt are hidden, and each reviewer sees the takes under
letters in their own order. The order is a pure function of (reviewer, shot, take numbers), so a
reviewer sees the same letters on every visit and in every process; two reviewers usually see
different orders. Adding a take (a regeneration) may move the letters: scores are stored by take
number, never by letter, so nothing is mixed up. Only the report unblinds.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Sequence

LABELS = string.ascii_uppercase


def label(index: int) -> str:
    """A, B, ... Z, then AA, AB ..."""
    return LABELS[index] if index < len(LABELS) else label(index // len(LABELS) - 1) + LABELS[index % len(LABELS)]


def blind_order(reviewer: str, shot_id: str, takes: Sequence[int]) -> list[tuple[str, int]]:
    """``[(letter, take number)]`` in the order this reviewer sees the shot's takes."""

    def key(take: int) -> str:
        return hashlib.sha256(f"{reviewer}\x00{shot_id}\x00{take}".encode()).hexdigest()

    return [(label(i), take) for i, take in enumerate(sorted(takes, key=key))]


def open_order(takes: Sequence[int]) -> list[tuple[str, int]]:
    """Unblinded: takes in number order, labelled by number."""
    return [(f"take {take}", take) for take in sorted(takes)]
