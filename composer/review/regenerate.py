"""``compose campaign run --regenerate``: a review's queued re-runs as a campaign run's work.

A regenerate verdict, or "re-run" on the reconcile page, queues a take's *source* (its ledger id)
with the reviewer's delta edits (``composer.review.reruns``). ``reviewed`` turns them into what
the campaign runner understands, so the runner knows nothing of reviews:

- the expansion with every *answered* re-run's edits on top of its shot's deltas (always: a take
  made from an edited brief stays the shot's brief, so it is not reported stale afterwards), and,
  when regenerating, every *pending* one's too;
- ``sources``: the ledger ids the run generates again (``RunSettings.regenerate``). The runner's
  never-pay-twice rules decide the rest: a source whose new task was already accepted is
  collected, never sent again; one whose create may have been accepted is left ``uncertain``.

The store is refreshed first, so a take a killed run downloaded answers its re-run before anything
is chosen: a second ``--regenerate`` pays for nothing. ``lineage`` reads back, after the run, the
takes that answered (take 2 of shot X, from take 1, why).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from composer.campaign.expand import Expansion, Shot
from composer.campaign.ledger import LEDGER_FILE, Ledger
from composer.library import Library
from composer.review.records import Rerun, Take
from composer.review.store import ReviewStore
from composer.shot import apply_deltas


@dataclass(frozen=True)
class Regeneration:
    expansion: Expansion
    """The campaign's shots with the review's delta edits applied."""
    sources: frozenset[str]
    """Ledger ids to generate again as a new take (empty unless regenerating)."""
    pending: tuple[Rerun, ...]
    """The queued re-runs this run answers (regenerating), oldest first."""
    dropped: tuple[str, ...]
    """Sources of queued re-runs the campaign no longer has (nothing to regenerate them from)."""


def has_reviews(folder: Path) -> bool:
    """Whether the folder's ledger has review tables (someone opened it for review)."""
    if not (folder / LEDGER_FILE).is_file():
        return False
    with Ledger(folder, create=False) as ledger:
        return ledger.meta("review_schema") is not None


def reviewed(expansion: Expansion, folder: Path, *, regenerate: bool, library: Library | None = None
             ) -> Regeneration:
    """The expansion a run of ``folder`` works on, and (``regenerate``) the sources to send again."""
    if not has_reviews(folder):
        return Regeneration(expansion, frozenset(), (), ())
    with ReviewStore.open(folder, library=library) as store:  # refreshes: new takes answer their re-runs
        answered, pending = store.answered_reruns(), store.pending_reruns() if regenerate else []
    edits: dict[str, list[dict[str, Any]]] = {}
    for rerun in sorted([*answered, *pending], key=lambda r: r.id):
        if rerun.deltas:
            edits.setdefault(rerun.source, []).append(rerun.deltas)
    shots = [_edited(shot, edits[shot.id]) if shot.id in edits else shot for shot in expansion.shots]
    planned = {shot.id for shot in expansion.shots}
    return Regeneration(
        expansion=replace(expansion, shots=shots),
        sources=frozenset(r.source for r in pending if r.source in planned),
        pending=tuple(pending),
        dropped=tuple(sorted({r.source for r in pending} - planned)),
    )


def _edited(shot: Shot, edits: Iterable[dict[str, Any]]) -> Shot:
    deltas = shot.spec.deltas
    for edit in edits:
        deltas = apply_deltas(deltas, edit)
    return replace(shot, spec=shot.spec.model_copy(update={"deltas": deltas}))


def lineage(folder: Path, pending: Iterable[Rerun], library: Library | None = None) -> list[Take]:
    """The takes that answered ``pending`` (numbered now, with their parent and reason)."""
    ids = {r.id for r in pending}
    if not ids:
        return []
    with ReviewStore.open(folder, library=library) as store:
        done = {(r.shot_id, r.done_take or 0) for r in store.answered_reruns() if r.id in ids}
        takes = [store.shot(shot_id).take(number) for shot_id, number in sorted(done)]
    return [t for t in takes if t is not None]
