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
               note="...", deltas={"counts": ["4 candles"]},
               checks={"count:candle": "+1", "avoid:red-anywhere-in-frame": "yes"})
                                                     # one transaction; a value of None removes it
    store.checks(shot_id), store.take_checks(take)   # -> list[Check]: the brief's instruction checks
                                                     #    (id, kind count|order|avoid|include|palette, label)
    store.answers(shot_id=None)                      # -> list[CheckAnswer] (.honoured)
    store.scores(shot_id=None)                       # -> list[Score]
    store.reviews(shot_id=None)                      # -> list[Review] (verdict, note, deltas per reviewer, take)
    store.divergences(shot_id=None)                  # -> list[Divergence] not yet resolved, above threshold
    store.resolve(shot_id, take, dimension, resolution, by, rerun=False)
    store.queue_rerun(shot_id, take, by, reason, deltas=None)   # "re-run" from the reconcile page
    store.pending_reruns()                           # -> list[Rerun] not yet answered by a new take
    store.answered_reruns()                          # -> list[Rerun] answered (their edits stay in the brief)
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from composer.campaign.ledger import Ledger
from composer.library import Library
from composer.models import Rubric
from composer.review import blind, reruns
from composer.review.checks import Check, CheckSource, honoured, parse_answer
from composer.review.errors import ReviewError, ReviewInputError
from composer.review.findings import FindingsSource
from composer.review.inputs import check_deltas, check_reviewer, check_score, check_text, check_verdict
from composer.review.records import (
    VERDICTS,
    CheckAnswer,
    Divergence,
    LabelledTake,
    Rerun,
    Resolution,
    Review,
    Score,
    ShotCard,
    ShotView,
    Take,
    shown_briefs,
)
from composer.review.schema import migrate
from composer.review.takes import add_take, campaign_rubric, folder_kind, found_in, takes_from_rows


@dataclass(frozen=True)
class Saving:
    """One checked save (``ReviewStore.prepare``), written by ``save_all``."""

    reviewer: str
    take: Take
    scores: dict[str, int | None]
    answers: list[tuple[Check, int | bool | None]]
    has_verdict: bool
    """Whether the verdict row is written (a verdict, a note or delta edits were given)."""
    verdict: str | None
    note: str
    deltas: dict[str, Any]


class ReviewStore:
    """The reviews of one folder. Thread-safe: one connection, one lock, one transaction per call."""

    def __init__(self, folder: Path, rubric: Rubric, library: Library | None = None) -> None:
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
            with self._tx():
                migrate(self.db, folder / "ledger.sqlite")
        except sqlite3.DatabaseError as exc:
            raise ReviewError(f"{folder / 'ledger.sqlite'}: not a usable ledger ({exc})") from None
        self.instructions = CheckSource(folder, library)
        """Where each shot's instruction checks come from (its ``problem`` says why there are none)."""
        self.findings = FindingsSource(folder)
        """Each take's pixel QC and its brief's lint findings, as stored."""
        self._seen: int | None = None
        """The ``data_version`` of the last ``refresh`` of a campaign folder."""
        self.refresh()

    @classmethod
    def open(cls, folder: Path, *, rubric: Rubric | None = None, library: Library | None = None) -> ReviewStore:
        """The folder's store, scoring on ``rubric``, else the campaign's rubric, else the default."""
        return cls(folder, rubric or campaign_rubric(folder, library), library)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        """Number every image the folder received since the last call into a take; returns how many.

        A campaign folder's takes come from its ledger alone: when no other connection has committed
        since the last look (SQLite's ``data_version``), nothing is new and the ledger is not read
        (the grid asks on every page; a 1,000-shot ledger is most of a page's time)."""
        version = self._read("PRAGMA data_version")[0][0]
        if version == self._seen:
            return 0
        campaign = folder_kind(self.folder) == "campaign"  # record files change without a commit
        found = list(found_in(self.folder))
        known = {row[0] for row in self._read("SELECT key FROM review_takes")}
        new = [f for f in found if f.key not in known]
        if new:
            with self._tx():
                for item in new:
                    add_take(self.db, item)
        self._seen = version if campaign and found else None  # an empty ledger: records may yet come
        return len(new)

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
        found = self._read(f"SELECT * FROM review_takes WHERE shot_id IN ({marks}) ORDER BY take", tuple(ids))
        for take in takes_from_rows(self.folder, found):
            takes[take.shot_id].append(take)
        return [ShotCard(r["id"], r["grp"], r["cast_label"], r["scene"], r["variant"], tuple(takes[r["id"]]))
                for r in rows]

    def shot(self, shot_id: str) -> ShotCard:
        rows = self._read("SELECT * FROM review_takes WHERE shot_id = ? ORDER BY take", (shot_id,))
        meta = self._read("SELECT * FROM review_shots WHERE id = ?", (shot_id,))
        if not meta:
            raise ReviewInputError(f"shot: unknown shot '{shot_id}' in {self.folder}")
        r = meta[0]
        return ShotCard(r["id"], r["grp"], r["cast_label"], r["scene"], r["variant"],
                        tuple(takes_from_rows(self.folder, rows)))

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
        return ShotView(card, reviewer, card.blind, tuple(takes), () if card.blind else shown_briefs(card))

    # -- saving -----------------------------------------------------------------------------------
    def _check_take(self, shot_id: str, take: int) -> Take:
        card = self.shot(shot_id)
        found = card.take(take) if isinstance(take, int) and not isinstance(take, bool) else None
        if found is None:
            raise ReviewInputError(f"take: shot '{shot_id}' has no take {take!r} (it has "
                                   f"{', '.join(str(t.take) for t in card.takes) or 'none'})")
        return found

    def save(self, reviewer: str, shot_id: str, take: int, *, scores: Mapping[str, object | None] | None = None,
             verdict: str | None = None, note: str | None = None, deltas: dict[str, Any] | str | None = None,
             checks: Mapping[str, object | None] | None = None) -> None:
        """Save one reviewer's scores, check answers, verdict, note and delta edits for one take, all
        or nothing.

        A score (or answer) of None removes it; ``verdict`` None with a note keeps the note alone; a
        ``regenerate`` verdict queues the take's source for ``campaign run --regenerate``."""
        self.save_all([self.prepare(reviewer, shot_id, take, scores=scores, verdict=verdict, note=note,
                                    deltas=deltas, checks=checks)])

    def prepare(self, reviewer: str, shot_id: str, take: int, *, scores: Mapping[str, object | None] | None = None,
                verdict: str | None = None, note: str | None = None, deltas: dict[str, Any] | str | None = None,
                checks: Mapping[str, object | None] | None = None) -> Saving:
        """Check one save without writing it (``ReviewInputError`` names the field): for ``save_all``."""
        found = self._check_take(shot_id, take)
        return Saving(
            reviewer=check_reviewer(reviewer), take=found,
            scores={d: None if v is None or v == "" else check_score(self.rubric, d, v)
                    for d, v in (scores or {}).items()},
            answers=self._check_answers(found, checks or {}), has_verdict=(verdict, note, deltas) != (None,) * 3,
            verdict=check_verdict(verdict), note=check_text(note, "note"), deltas=check_deltas(deltas),
        )  # fmt: skip

    def save_all(self, savings: list[Saving]) -> None:
        """Write checked saves in one transaction: every one of them, or (on any failure) none."""
        now = time.time()
        with self._tx():
            for item in savings:
                self._write(item, now)

    def _write(self, item: Saving, now: float) -> None:
        key = (item.take.shot_id, item.take.take, item.reviewer)
        for dimension, value in item.scores.items():
            if value is None:
                self.db.execute("DELETE FROM review_scores WHERE shot_id = ? AND take = ? AND reviewer = ? "
                                "AND dimension = ?", (*key, dimension))
            else:
                self.db.execute("INSERT OR REPLACE INTO review_scores VALUES (?, ?, ?, ?, ?, ?)",
                                (*key, dimension, value, now))
        for check, answer in item.answers:
            if answer is None:
                self.db.execute("DELETE FROM review_checks WHERE shot_id = ? AND take = ? AND reviewer = ? "
                                "AND check_id = ?", (*key, check.id))
            else:
                self.db.execute("INSERT OR REPLACE INTO review_checks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                (*key, check.id, check.kind, check.label, int(answer), now))
        if item.has_verdict:
            self.db.execute("INSERT OR REPLACE INTO review_verdicts VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (*key, item.verdict, item.note, json.dumps(item.deltas), now))
            reruns.sync_verdict(self.db, item.take, item.reviewer, item.verdict, item.note, item.deltas, now)

    def _check_answers(self, take: Take, given: Mapping[str, object | None]) -> list[tuple[Check, int | bool | None]]:
        known = {c.id: c for c in self.take_checks(take)}
        answers: list[tuple[Check, int | bool | None]] = []
        for check_id, value in given.items():
            check = known.get(check_id)
            if check is None:
                raise ReviewInputError(f"check: shot '{take.shot_id}' has no instruction check '{check_id}'")
            answers.append((check, None if value is None or value == "" else parse_answer(check, value)))
        return answers

    def checks(self, shot_id: str) -> list[Check]:
        """The shot's instruction checks (from its first take's brief); [] when they cannot be made."""
        card = self.shot(shot_id)
        return self.take_checks(card.takes[0]) if card.takes else []

    def take_checks(self, take: Take) -> list[Check]:
        """The checks of the brief ``take`` was sent with (a regeneration's delta edits included)."""
        return self.instructions.checks(take.source, reruns.edits_of(self.db, take))

    def answers(self, shot_id: str | None = None) -> list[CheckAnswer]:
        rows = self._read("SELECT * FROM review_checks" + (" WHERE shot_id = ?" if shot_id else "") +
                          " ORDER BY shot_id, take, reviewer", (shot_id,) if shot_id else ())
        return [CheckAnswer(r["shot_id"], r["take"], r["reviewer"], r["check_id"], r["kind"], r["label"],
                            r["answer"], honoured(r["kind"], r["answer"])) for r in rows]

    def queue_rerun(self, shot_id: str, take: int, by: str, reason: str,
                    deltas: dict[str, Any] | str | None = None) -> None:
        """Queue a take's source for regeneration (the reconcile page's "re-run")."""
        by = check_reviewer(by)
        found = self._check_take(shot_id, take)
        reason = check_text(reason, "reason") or f"re-run from reconcile by {by}"
        edits = check_deltas(deltas)
        with self._tx():
            reruns.queue(self.db, found, by, "reconcile", reason, edits, time.time())

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
        return [Resolution(r["shot_id"], r["take"], r["dimension"], json.loads(r["scores"]), r["resolution"],
                           r["resolved_by"], r["created_at"])
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
        with self._lock:
            return reruns.pending(self.db)

    def answered_reruns(self) -> list[Rerun]:
        """Re-runs a new take has answered (their edits stay in the source's brief), oldest first."""
        with self._lock:
            return reruns.answered(self.db)
