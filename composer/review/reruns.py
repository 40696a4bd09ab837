"""Queued regenerations (``review_reruns``): asked for by a regenerate verdict or a reconcile "re-run".

A re-run names a take and its *source* (the ledger id that made it). It stays pending until a
new take of that source is numbered (``composer.review.takes.add_take`` writes ``done_take``);
``compose campaign run --regenerate`` sends the sources of the pending ones. Its delta edits are
kept after it is answered: the brief of every later take of that source is the campaign's brief
with every answered re-run's edits on top, so a regenerated shot is never "stale".
All functions run on the store's connection, inside the caller's transaction where they write.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from composer.review.records import Rerun, Take

_INSERT = ("INSERT INTO review_reruns (shot_id, take, source, requested_by, origin, reason, deltas, created_at)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


def queue(db: sqlite3.Connection, take: Take, by: str, origin: str, reason: str, deltas: dict[str, Any],
          now: float) -> None:
    """Ask for ``take``'s source to be generated again, as a new take of its shot."""
    db.execute(_INSERT, (take.shot_id, take.take, take.source, by, origin, reason, json.dumps(deltas), now))


def sync_verdict(db: sqlite3.Connection, take: Take, reviewer: str, verdict: str | None, note: str,
                 deltas: dict[str, Any], now: float) -> None:
    """A regenerate verdict is a queued re-run; changing the verdict withdraws it (until generated)."""
    db.execute("DELETE FROM review_reruns WHERE shot_id = ? AND take = ? AND requested_by = ? AND "
               "origin = 'verdict' AND done_take IS NULL", (take.shot_id, take.take, reviewer))
    if verdict == "regenerate":
        queue(db, take, reviewer, "verdict", note or f"{reviewer} asked to regenerate", deltas, now)


def _rerun(row: sqlite3.Row) -> Rerun:
    return Rerun(id=row["id"], shot_id=row["shot_id"], take=row["take"], source=row["source"],
                 requested_by=row["requested_by"], origin=row["origin"], reason=row["reason"],
                 deltas=json.loads(row["deltas"]), created_at=row["created_at"], done_take=row["done_take"])


def pending(db: sqlite3.Connection) -> list[Rerun]:
    """Queued re-runs no new take has answered yet, oldest first."""
    return [_rerun(r) for r in db.execute("SELECT * FROM review_reruns WHERE done_take IS NULL ORDER BY id")]


def answered(db: sqlite3.Connection) -> list[Rerun]:
    """Re-runs a new take has answered, oldest first: their edits are in every later take's brief."""
    return [_rerun(r) for r in db.execute("SELECT * FROM review_reruns WHERE done_take IS NOT NULL ORDER BY id")]


def edits_of(db: sqlite3.Connection, take: Take) -> tuple[dict[str, Any], ...]:
    """The delta edits ``take`` was made with: those of every re-run of its source that it or an
    earlier take answered, oldest first (``composer.review.regenerate`` applies them the same way)."""
    rows = db.execute("SELECT deltas FROM review_reruns WHERE shot_id = ? AND source = ? AND done_take IS NOT NULL "
                      "AND done_take <= ? ORDER BY id", (take.shot_id, take.source, take.take))
    return tuple(edits for edits in (json.loads(row[0]) for row in rows) if edits)
