"""Storyboard lineage on the shot page: the still a clip was animated from, the clips a still became.

The ledger keeps the chains of the last run (``composer.campaign.chain.lineage``: motion ledger id
-> still ledger id). The review app names both ends by their *card* (the ledger id without its
``@contender``), so a link works in blind mode and names no model. A clip the run planned but has
not made yet (its still waits for approval, say) has no shot page: it is listed as waiting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from composer.campaign.chain import lineage
from composer.campaign.errors import LedgerError
from composer.campaign.ledger import Ledger
from composer.review.errors import ReviewInputError
from composer.review.records import ShotCard
from composer.review.store import ReviewStore
from composer.review.takes import card_id


@dataclass(frozen=True)
class Lineage:
    stills: tuple[str, ...] = ()
    """Shots whose still is this shot's first frame (a motion shot has one)."""
    clips: tuple[str, ...] = ()
    """Motion shots animating this still that have a take to review."""
    waiting: tuple[str, ...] = ()
    """Motion shots planned from this still, not generated yet."""


def shot_lineage(store: ReviewStore, card: ShotCard) -> Lineage:
    """Where ``card`` sits in the folder's storyboard chains (empty when it is in none)."""
    try:
        with Ledger(store.folder, create=False) as ledger:
            links = lineage(ledger)
    except LedgerError:
        return Lineage()
    sources = {t.source for t in card.takes}
    stills = _unique(card_id(links[s]) for s in sorted(sources) if s in links)
    motions = _unique(card_id(m) for m, still in sorted(links.items()) if still in sources)
    made = tuple(m for m in motions if _has_shot(store, m))
    return Lineage(stills, made, tuple(m for m in motions if m not in made))


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def _has_shot(store: ReviewStore, shot_id: str) -> bool:
    try:
        store.shot(shot_id)
    except ReviewInputError:
        return False
    return True
