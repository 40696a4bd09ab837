"""The review tables in a folder's ``ledger.sqlite``, their version, and the migrations between versions.

``meta.review_schema`` holds the version. A campaign ledger from before reviews has none ("0"):
opening it for review adds every table. Each later version's statements only add (tables,
columns), so a migration never loses a score; all of them run in the caller's transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from composer.review.errors import ReviewError

REVIEW_SCHEMA = "2"

_SCHEMA_1 = """
CREATE TABLE IF NOT EXISTS review_shots (
    id TEXT PRIMARY KEY, grp TEXT NOT NULL, cast_label TEXT NOT NULL, scene TEXT NOT NULL,
    variant TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS review_takes (
    shot_id TEXT NOT NULL, take INTEGER NOT NULL, key TEXT NOT NULL UNIQUE, source TEXT NOT NULL,
    target TEXT, backend TEXT, model TEXT, files TEXT NOT NULL, credits REAL, usd REAL, sent_hash TEXT,
    brief TEXT, parent INTEGER, reason TEXT NOT NULL, created_at REAL NOT NULL, PRIMARY KEY (shot_id, take));
CREATE TABLE IF NOT EXISTS review_scores (
    shot_id TEXT NOT NULL, take INTEGER NOT NULL, reviewer TEXT NOT NULL, dimension TEXT NOT NULL,
    score INTEGER NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY (shot_id, take, reviewer, dimension));
CREATE TABLE IF NOT EXISTS review_verdicts (
    shot_id TEXT NOT NULL, take INTEGER NOT NULL, reviewer TEXT NOT NULL, verdict TEXT,
    note TEXT NOT NULL DEFAULT '', deltas TEXT NOT NULL DEFAULT '{}', updated_at REAL NOT NULL,
    PRIMARY KEY (shot_id, take, reviewer));
CREATE TABLE IF NOT EXISTS review_resolutions (
    shot_id TEXT NOT NULL, take INTEGER NOT NULL, dimension TEXT NOT NULL, resolution TEXT NOT NULL,
    resolved_by TEXT NOT NULL, scores TEXT NOT NULL, created_at REAL NOT NULL,
    PRIMARY KEY (shot_id, take, dimension));
CREATE TABLE IF NOT EXISTS review_reruns (
    id INTEGER PRIMARY KEY AUTOINCREMENT, shot_id TEXT NOT NULL, take INTEGER NOT NULL, source TEXT NOT NULL,
    requested_by TEXT NOT NULL, origin TEXT NOT NULL, reason TEXT NOT NULL, deltas TEXT NOT NULL,
    created_at REAL NOT NULL, done_take INTEGER);
"""
_SCHEMA_2 = """
CREATE TABLE IF NOT EXISTS review_checks (
    shot_id TEXT NOT NULL, take INTEGER NOT NULL, reviewer TEXT NOT NULL, check_id TEXT NOT NULL,
    kind TEXT NOT NULL, label TEXT NOT NULL, answer INTEGER NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (shot_id, take, reviewer, check_id));
"""
MIGRATIONS = {"1": _SCHEMA_1, "2": _SCHEMA_2}
"""Review schema version -> the statements that bring the previous version to it ("" -> "1": the
review tables added to a campaign ledger from before reviews; "1" -> "2": instruction-check answers)."""


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the review tables to ``REVIEW_SCHEMA``, one version at a time (inside a transaction)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'review_schema'").fetchone()
    version = row[0] if row else "0"
    if version not in ("0", *MIGRATIONS):
        raise ReviewError(f"{path}: review schema {version!r}, this composer reads {REVIEW_SCHEMA!r}")
    for target, script in MIGRATIONS.items():
        if int(target) > int(version):
            for statement in script.split(";"):
                if statement.strip():
                    db.execute(statement)
    db.execute("INSERT OR REPLACE INTO meta VALUES ('review_schema', ?)", (REVIEW_SCHEMA,))
