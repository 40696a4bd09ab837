"""Approved stills: what a motion group with ``use: approved`` animates (``composer.campaign.chain``).

A take is approved when at least one reviewer's verdict on it is ``approve`` and nobody's is
``reject`` or ``regenerate``. A still (a ledger id, ``<shot>`` or ``<shot>@<contender>``) is
animated from its latest approved take's image, as the folder holds it now: the very file that was
reviewed, so the clip's first frame is byte-identical to what was approved.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from composer.campaign.ledger import LEDGER_FILE
from composer.review.records import Take
from composer.review.store import ReviewStore
from composer.review.takes import folder_kind


def approved_takes(store: ReviewStore) -> list[Take]:
    """Every approved take of the folder, in take order per shot."""
    verdicts: dict[tuple[str, int], set[str]] = defaultdict(set)
    for review in store.reviews():
        if review.verdict is not None:
            verdicts[(review.shot_id, review.take)].add(review.verdict)
    approved = {key for key, given in verdicts.items() if given == {"approve"}}
    return [take for card in store.shots() for take in card.takes if (take.shot_id, take.take) in approved]


def approved_frames(folder: Path) -> dict[str, Path]:
    """Still ledger id -> the image of its latest approved take (only takes whose image is there)."""
    if not (folder / LEDGER_FILE).is_file() or folder_kind(folder) != "campaign":
        return {}
    with ReviewStore.open(folder) as store:
        takes = approved_takes(store)
    frames: dict[str, Path] = {}
    for take in sorted(takes, key=lambda t: t.take):
        if take.image is not None:
            frames[take.source] = take.image
    return frames
