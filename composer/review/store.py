"""The review store: scores, verdicts, notes, reconcile resolutions and re-runs, in the folder's ledger.

Everything lives in ``ledger.sqlite`` beside the campaign's own tables (``review_*`` tables, their
schema version in ``meta`` as ``review_schema``). Opening a ledger written before reviews existed
adds the tables: that is the migration. A folder of ``compose shot --generate`` results gets a
ledger of its own for its reviews. SQLite runs in WAL mode; every write is one ``BEGIN IMMEDIATE``
transaction, committed before the call returns, so two reviewers (threads or processes) saving at
once both keep their work, and a server killed with SIGKILL keeps everything it acknowledged.
Scores are keyed by reviewer: nobody's save ever overwrites another reviewer's.

API (what the review web app, the CLI and the campaign runner call)::

    store = ReviewStore.open(folder)                 # rubric: the campaign's, else rubrics/default.yaml
    store.rubric                                     # composer.models.Rubric: dimensions, anchors, threshold
    store.refresh()                                  # pick up takes a running campaign added; -> new takes
    store.groups()                                   # group ids, in campaign order
    store.count(group=None, verdict=None, reviewer=None)
    store.shots(group=None, verdict=None, reviewer=None, offset=0, limit=None)  # -> list[ShotCard]
    store.shot(shot_id)                              # -> ShotCard (every take, unblinded; raises if unknown)
    store.view(shot_id, reviewer)                    # -> ShotView: takes labelled A/B/C in this reviewer's
                                                     #    order, model/backend/target/cost/brief hidden when blind
    store.save(reviewer, shot_id, take, scores={"fidelity": 7, ...}, verdict="regenerate",
               note="...", deltas={"counts": ["4 candles"]})   # one transaction; scores=None leaves them
    store.scores(shot_id=None)                       # -> list[Score]
    store.reviews(shot_id=None)                      # -> list[Review] (verdict, note, deltas per reviewer, take)
    store.divergences(shot_id=None)                  # -> list[Divergence] not yet resolved, above threshold
    store.resolve(shot_id, take, dimension, resolution, by, rerun=False)
    store.queue_rerun(shot_id, take, by, reason, deltas=None)   # "re-run" from the reconcile page
    store.pending_reruns()                           # -> list[Rerun] not yet answered by a new take
    store.resolutions()                              # -> list[Resolution]

Filters: ``verdict`` is ``approve|reject|regenerate|none`` (no verdict from anyone); ``reviewer``
keeps the shots that reviewer has (``"!name"``: has not) scored. Bad input raises
``ReviewInputError`` (one line naming the field); nothing of that call is stored.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import yaml

from composer.campaign.ledger import Ledger
from composer.errors import ComposerError
from composer.library import DEFAULT_RUBRIC, Library
from composer.models import Rubric
from composer.review import blind
from composer.review.errors import ReviewError, ReviewInputError
from composer.review.inputs import check_deltas, check_reviewer, check_score, check_text, check_verdict
from composer.review.records import (
    VERDICTS,
    Divergence,
    LabelledTake,
    Rerun,
    Resolution,
    Review,
    Score,
    ShotCard,
    ShotView,
    Take,
)
from composer.review.takes import Found, folder_kind, found_in, image_path

REVIEW_SCHEMA = "1"

_SCHEMA = """
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


class ReviewStore:
    """The reviews of one folder. Thread-safe: one connection, one lock, one transaction per call."""

    def __init__(self, folder: Path, rubric: Rubric) -> None:
        self.folder = folder
        self.rubric = rubric
        self._lock = threading.RLock()
        if folder_kind(folder) is None:
            raise ReviewError(f"{folder}: nothing to review (no campaign ledger and no `compose shot --generate` "
                              "results); run `compose campaign run` or `compose shot --generate --out` first")
        Ledger(folder).close()  # creates the campaign tables for a folder of shot results
        try:
            self.db = sqlite3.connect(folder / "ledger.sqlite", isolation_level=None, timeout=30.0,
                                      check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ReviewError(f"{folder / 'ledger.sqlite'}: not a usable ledger ({exc})") from None
        self.refresh()

    @classmethod
    def open(cls, folder: Path, *, rubric: Rubric | None = None, library: Library | None = None) -> ReviewStore:
        """The folder's store, scoring on ``rubric``, else the campaign's rubric, else the default."""
        return cls(folder, rubric or campaign_rubric(folder, library))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        with self._tx():
            row = self.db.execute("SELECT value FROM meta WHERE key = 'review_schema'").fetchone()
            if row is not None and row[0] != REVIEW_SCHEMA:
                raise ReviewError(f"{self.folder / 'ledger.sqlite'}: review schema {row[0]!r}, this composer "
                                  f"reads {REVIEW_SCHEMA!r}")
            if row is None:  # a ledger from before reviews: add the review tables
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute("INSERT INTO meta VALUES ('review_schema', ?)", (REVIEW_SCHEMA,))

    @contextmanager
    def _tx(self) -> Iterator[None]:
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def _read(self, sql: str, args: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.db.execute(sql, args).fetchall()

    # -- takes ------------------------------------------------------------------------------------
    def refresh(self) -> int:
        """Number every image the folder received since the last call into a take; returns how many."""
        found = list(found_in(self.folder))
        known = {row[0] for row in self._read("SELECT key FROM review_takes")}
        new = [f for f in found if f.key not in known]
        if not new:
            return 0
        with self._tx():
            for item in new:
                self._add_take(item)
        return len(new)

    def _add_take(self, item: Found) -> None:
        db = self.db
        if db.execute("SELECT 1 FROM review_takes WHERE key = ?", (item.key,)).fetchone():
            return  # another process numbered it first
        seq = db.execute("SELECT COUNT(*) FROM review_shots").fetchone()[0]
        db.execute("INSERT OR IGNORE INTO review_shots VALUES (?, ?, ?, ?, ?, ?)",
                   (item.shot_id, item.group, item.cast, item.scene, item.variant, seq))
        take = db.execute("SELECT COALESCE(MAX(take), 0) + 1 FROM review_takes WHERE shot_id = ?",
                          (item.shot_id,)).fetchone()[0]
        asked = db.execute("SELECT id, take, reason FROM review_reruns WHERE shot_id = ? AND source = ? AND "
                           "done_take IS NULL ORDER BY id", (item.shot_id, item.source)).fetchall()
        earlier = db.execute("SELECT MAX(take) FROM review_takes WHERE shot_id = ? AND source = ?",
                             (item.shot_id, item.source)).fetchone()[0]
        if asked:
            parent, reason = max(r["take"] for r in asked), "; ".join(dict.fromkeys(r["reason"] for r in asked))
            db.executemany("UPDATE review_reruns SET done_take = ? WHERE id = ?", [(take, r["id"]) for r in asked])
        elif earlier is not None:
            parent, reason = earlier, "regenerated: the brief changed"
        else:
            parent, reason = None, "first generation"
        db.execute(
            "INSERT INTO review_takes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (item.shot_id, take, item.key, item.source, item.target, item.backend, item.model,
             json.dumps(list(item.files)), item.credits, item.usd, item.sent_hash, item.brief, parent,
             reason or "regenerated", time.time()),
        )

    def _take(self, row: sqlite3.Row) -> Take:
        files = tuple(json.loads(row["files"]))
        brief = self.folder / row["brief"] if row["brief"] else None
        return Take(
            shot_id=row["shot_id"], take=row["take"], source=row["source"],
            contender=row["target"] or row["backend"] or "unknown", target=row["target"], backend=row["backend"],
            model=row["model"], files=files,
            image=image_path(self.folder, files[0], row["sent_hash"]) if files else None,
            credits=row["credits"], usd=row["usd"], brief=brief if brief and brief.is_file() else None,
            parent=row["parent"], reason=row["reason"], created_at=row["created_at"],
        )  # fmt: skip

    # -- shots ------------------------------------------------------------------------------------
    def groups(self) -> list[str]:
        return [r[0] for r in self._read("SELECT grp FROM review_shots GROUP BY grp ORDER BY MIN(seq)")]

    def _where(self, group: str | None, verdict: str | None, reviewer: str | None) -> tuple[str, list[Any]]:
        clauses, args = [], []
        if group:
            clauses.append("s.grp = ?")
            args.append(group)
        if verdict == "none":
            clauses.append("NOT EXISTS (SELECT 1 FROM review_verdicts v WHERE v.shot_id = s.id AND v.verdict "
                           "IS NOT NULL)")
        elif verdict:
            if verdict not in VERDICTS:
                raise ReviewInputError(f"verdict: '{verdict}' is not one of {', '.join(VERDICTS)}, none")
            clauses.append("EXISTS (SELECT 1 FROM review_verdicts v WHERE v.shot_id = s.id AND v.verdict = ?)")
            args.append(verdict)
        if reviewer:
            negate, name = reviewer.startswith("!"), reviewer.removeprefix("!")
            clauses.append(f"{'NOT ' if negate else ''}EXISTS (SELECT 1 FROM review_scores r WHERE "
                           "r.shot_id = s.id AND r.reviewer = ?)")
            args.append(name)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def count(self, group: str | None = None, verdict: str | None = None, reviewer: str | None = None) -> int:
        where, args = self._where(group, verdict, reviewer)
        return int(self._read(f"SELECT COUNT(*) FROM review_shots s{where}", tuple(args))[0][0])

    def shots(self, group: str | None = None, verdict: str | None = None, reviewer: str | None = None,
              offset: int = 0, limit: int | None = None) -> list[ShotCard]:
        """One page of shot cards, in campaign order."""
        where, args = self._where(group, verdict, reviewer)
        rows = self._read(f"SELECT * FROM review_shots s{where} ORDER BY seq LIMIT ? OFFSET ?",
                          (*args, -1 if limit is None else limit, offset))
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        takes: dict[str, list[Take]] = {i: [] for i in ids}
        marks = ",".join("?" * len(ids))
        for row in self._read(f"SELECT * FROM review_takes WHERE shot_id IN ({marks}) ORDER BY take", tuple(ids)):
            takes[row["shot_id"]].append(self._take(row))
        return [ShotCard(r["id"], r["grp"], r["cast_label"], r["scene"], r["variant"], tuple(takes[r["id"]]))
                for r in rows]

    def shot(self, shot_id: str) -> ShotCard:
        rows = self._read("SELECT * FROM review_takes WHERE shot_id = ? ORDER BY take", (shot_id,))
        meta = self._read("SELECT * FROM review_shots WHERE id = ?", (shot_id,))
        if not meta:
            raise ReviewInputError(f"shot: unknown shot '{shot_id}' in {self.folder}")
        r = meta[0]
        return ShotCard(r["id"], r["grp"], r["cast_label"], r["scene"], r["variant"],
                        tuple(self._take(row) for row in rows))

    def view(self, shot_id: str, reviewer: str) -> ShotView:
        """The shot as ``reviewer`` sees it: blind (letters, shuffled, models hidden) or open."""
        reviewer = check_reviewer(reviewer)
        card = self.shot(shot_id)
        numbers = [t.take for t in card.takes]
        order = blind.blind_order(reviewer, shot_id, numbers) if card.blind else blind.open_order(numbers)
        takes = []
        for letter, number in order:
            t = card.take(number)
            assert t is not None
            shown = not card.blind
            takes.append(LabelledTake(
                label=letter, take=number, image=t.image, target=t.target if shown else None,
                backend=t.backend if shown else None, model=t.model if shown else None,
                credits=t.credits if shown else None, usd=t.usd if shown else None, parent=t.parent,
                reason=t.reason,
            ))  # fmt: skip
        brief = None if card.blind else next((t.brief for t in card.takes if t.brief), None)
        return ShotView(card, reviewer, card.blind, tuple(takes), brief)

    # -- saving -----------------------------------------------------------------------------------
    def _check_take(self, shot_id: str, take: int) -> Take:
        card = self.shot(shot_id)
        found = card.take(take) if isinstance(take, int) and not isinstance(take, bool) else None
        if found is None:
            raise ReviewInputError(f"take: shot '{shot_id}' has no take {take!r} (it has "
                                   f"{', '.join(str(t.take) for t in card.takes) or 'none'})")
        return found

    def save(self, reviewer: str, shot_id: str, take: int, *, scores: Mapping[str, object | None] | None = None,
             verdict: str | None = None, note: str | None = None, deltas: dict[str, Any] | str | None = None
             ) -> None:
        """Save one reviewer's scores, verdict, note and delta edits for one take, all or nothing.

        A score of None removes that dimension's score; ``verdict`` None with a note keeps the note
        alone; a ``regenerate`` verdict queues the take's source for ``campaign run --regenerate``."""
        reviewer = check_reviewer(reviewer)
        found = self._check_take(shot_id, take)
        checked = {d: None if v is None or v == "" else check_score(self.rubric, d, v)
                   for d, v in (scores or {}).items()}
        chosen = check_verdict(verdict)
        text = check_text(note, "note")
        edits = check_deltas(deltas)
        now = time.time()
        with self._tx():
            for dimension, value in checked.items():
                if value is None:
                    self.db.execute("DELETE FROM review_scores WHERE shot_id = ? AND take = ? AND reviewer = ? "
                                    "AND dimension = ?", (shot_id, take, reviewer, dimension))
                else:
                    self.db.execute("INSERT OR REPLACE INTO review_scores VALUES (?, ?, ?, ?, ?, ?)",
                                    (shot_id, take, reviewer, dimension, value, now))
            if verdict is not None or note is not None or deltas is not None:
                self.db.execute("INSERT OR REPLACE INTO review_verdicts VALUES (?, ?, ?, ?, ?, ?, ?)",
                                (shot_id, take, reviewer, chosen, text, json.dumps(edits), now))
                self._sync_verdict_rerun(found, reviewer, chosen, text, edits, now)

    def _sync_verdict_rerun(self, take: Take, reviewer: str, verdict: str | None, note: str,
                            deltas: dict[str, Any], now: float) -> None:
        """A regenerate verdict is a queued re-run; changing the verdict withdraws it (until generated)."""
        self.db.execute("DELETE FROM review_reruns WHERE shot_id = ? AND take = ? AND requested_by = ? AND "
                        "origin = 'verdict' AND done_take IS NULL", (take.shot_id, take.take, reviewer))
        if verdict == "regenerate":
            self.db.execute(
                "INSERT INTO review_reruns (shot_id, take, source, requested_by, origin, reason, deltas, created_at)"
                " VALUES (?, ?, ?, ?, 'verdict', ?, ?, ?)",
                (take.shot_id, take.take, take.source, reviewer, note or f"{reviewer} asked to regenerate",
                 json.dumps(deltas), now))

    def queue_rerun(self, shot_id: str, take: int, by: str, reason: str,
                    deltas: dict[str, Any] | str | None = None) -> None:
        """Queue a take's source for regeneration (the reconcile page's "re-run")."""
        by = check_reviewer(by)
        found = self._check_take(shot_id, take)
        reason = check_text(reason, "reason") or f"re-run from reconcile by {by}"
        edits = check_deltas(deltas)
        with self._tx():
            self.db.execute(
                "INSERT INTO review_reruns (shot_id, take, source, requested_by, origin, reason, deltas, created_at)"
                " VALUES (?, ?, ?, ?, 'reconcile', ?, ?, ?)",
                (shot_id, take, found.source, by, reason, json.dumps(edits), time.time()))

    def resolve(self, shot_id: str, take: int, dimension: str, resolution: str, by: str, *,
                rerun: bool = False) -> None:
        """Write the resolution of a divergence; with ``rerun``, also queue the take for regeneration."""
        by = check_reviewer(by)
        self._check_take(shot_id, take)
        if dimension not in self.rubric.dimension_ids():
            raise ReviewInputError(f"dimension: unknown dimension '{dimension}'")
        text = check_text(resolution, "resolution")
        if not text:
            raise ReviewInputError("resolution: write what was decided")
        scores = {s.reviewer: s.score for s in self.scores(shot_id) if s.take == take and s.dimension == dimension}
        with self._tx():
            self.db.execute("INSERT OR REPLACE INTO review_resolutions VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (shot_id, take, dimension, text, by, json.dumps(scores), time.time()))
        if rerun:
            self.queue_rerun(shot_id, take, by, f"reconcile ({dimension}): {text}")

    # -- reading reviews --------------------------------------------------------------------------
    def scores(self, shot_id: str | None = None) -> list[Score]:
        rows = self._read("SELECT * FROM review_scores" + (" WHERE shot_id = ?" if shot_id else "") +
                          " ORDER BY shot_id, take, reviewer", (shot_id,) if shot_id else ())
        return [Score(r["shot_id"], r["take"], r["reviewer"], r["dimension"], r["score"], r["updated_at"])
                for r in rows]

    def reviews(self, shot_id: str | None = None) -> list[Review]:
        rows = self._read("SELECT * FROM review_verdicts" + (" WHERE shot_id = ?" if shot_id else "") +
                          " ORDER BY shot_id, take, reviewer", (shot_id,) if shot_id else ())
        return [Review(r["shot_id"], r["take"], r["reviewer"], r["verdict"], r["note"], json.loads(r["deltas"]),
                       r["updated_at"]) for r in rows]

    def resolutions(self) -> list[Resolution]:
        return [Resolution(r["shot_id"], r["take"], r["dimension"], r["resolution"], r["resolved_by"],
                           json.loads(r["scores"]), r["created_at"])
                for r in self._read("SELECT * FROM review_resolutions ORDER BY created_at")]

    def divergences(self, shot_id: str | None = None) -> list[Divergence]:
        """Every (shot, take, dimension) where reviewers differ by more than the threshold, unresolved."""
        resolved = {(r.shot_id, r.take, r.dimension) for r in self.resolutions()}
        by_key: dict[tuple[str, int, str], dict[str, int]] = {}
        for s in self.scores(shot_id):
            by_key.setdefault((s.shot_id, s.take, s.dimension), {})[s.reviewer] = s.score
        notes = {(r.shot_id, r.take, r.reviewer): r.note for r in self.reviews(shot_id) if r.note}
        order = {d: i for i, d in enumerate(self.rubric.dimension_ids())}
        found = []
        for (shot, take, dimension), scores in by_key.items():
            if (shot, take, dimension) in resolved or len(scores) < 2:
                continue
            if max(scores.values()) - min(scores.values()) > self.rubric.divergence_threshold:
                found.append(Divergence(shot, take, dimension, scores,
                                        {r: notes[(shot, take, r)] for r in scores if (shot, take, r) in notes}))
        return sorted(found, key=lambda d: (d.shot_id, d.take, order.get(d.dimension, 99)))

    def pending_reruns(self) -> list[Rerun]:
        """Queued re-runs no new take has answered yet, oldest first."""
        return [Rerun(r["id"], r["shot_id"], r["take"], r["source"], r["requested_by"], r["origin"], r["reason"],
                      json.loads(r["deltas"]), r["created_at"], r["done_take"])
                for r in self._read("SELECT * FROM review_reruns WHERE done_take IS NULL ORDER BY id")]


def campaign_rubric(folder: Path, library: Library | None = None) -> Rubric:
    """The rubric the folder's campaign names (``rubric:``), else the default, from its library."""
    rubric_id = DEFAULT_RUBRIC
    root: Path | None = None
    try:
        with Ledger(folder, create=False) as ledger:
            campaign, root_text = ledger.meta("campaign"), ledger.meta("library")
        root = Path(root_text) if root_text else None
        data = yaml.safe_load(Path(campaign).read_text(encoding="utf-8")) if campaign else None
        if isinstance(data, dict) and isinstance(data.get("rubric"), str):
            rubric_id = data["rubric"]
    except (ComposerError, OSError, yaml.YAMLError):
        pass  # a folder of shot results, or a campaign file since moved: the default rubric
    lib = library or (Library(root) if root is not None and root.is_dir() else Library.find())
    return lib.rubric(rubric_id).model
