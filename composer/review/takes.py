"""What a folder holds for review: shot cards and their takes, read from the ledger or from records.

A *shot* (a card on the review grid) is one brief; a *take* is one image made for it, numbered
1, 2, 3 ... in the order the folder received them and never renumbered. A bake-off shot has one
take per contender (target or backend) per generation; a regenerated shot gains a take.

Two kinds of folder are reviewable:

- a campaign output folder: every ``done`` row of ``ledger.sqlite``. Ledger ids of a bake-off group
  are ``<shot id>@<contender>``; the part before ``@`` is the card;
- a folder of ``compose shot --generate`` results: every succeeded ``<stem>.generation.json``
  (the card is the stem).

``Found`` is one image source as seen now; ``composer.review.store`` numbers it into a take once,
keyed by ``Found.key``, so the same image is never two takes and a new attempt always is one.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from composer.campaign.expand import CONTENDER_SEPARATOR
from composer.campaign.export import BRIEFS_DIR, IMAGES_DIR, SUPERSEDED_DIR, sent_brief, superseded_name
from composer.campaign.ledger import LEDGER_FILE, Entry, Ledger
from composer.errors import ComposerError
from composer.library import DEFAULT_RUBRIC, Library
from composer.models import Rubric
from composer.review.records import Take

RECORD_SUFFIX = ".generation.json"
"""The suffix of ``compose shot --generate`` records (``composer.generate.RECORD_SUFFIX``)."""


def card_id(ledger_id: str) -> str:
    """The shot (card) a ledger row belongs to: its id without the ``@contender`` suffix."""
    return ledger_id.partition(CONTENDER_SEPARATOR)[0]


@dataclass(frozen=True)
class Found:
    """One generated image source (a ledger row's current attempt, or a record), before numbering."""

    key: str
    """Identifies this attempt: ledger id plus task id (or brief digest and send count), or record file plus task id."""
    shot_id: str
    group: str
    cast: str
    scene: str
    variant: str
    source: str
    """The ledger id or the record's file name."""
    target: str | None
    backend: str | None
    model: str | None
    files: tuple[str, ...]
    """Paths relative to the folder."""
    credits: float | None
    usd: float | None
    sent_hash: str | None
    brief: str | None
    """The brief for people as the take was sent (``briefs/sent/<id>--<digest>.md``, else ``briefs/<id>.md``;
    or the record's ``.md``), relative to the folder."""

    @property
    def contender(self) -> str:
        """What a blind review hides and a bake-off compares: the target, else the backend."""
        return self.target or self.backend or "unknown"


def folder_kind(folder: Path) -> str | None:
    """``campaign`` (a ledger with shots), ``shots`` (generation records), or None."""
    has_ledger = (folder / LEDGER_FILE).is_file()
    if has_ledger:
        with Ledger(folder, create=False) as ledger:
            if any(ledger.counts().values()):
                return "campaign"
    if folder.is_dir() and any(folder.glob(f"*{RECORD_SUFFIX}")):
        return "shots"
    return "campaign" if has_ledger else None


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


def found_in(folder: Path) -> Iterator[Found]:
    """Every image the folder holds now, in the order it was made."""
    kind = folder_kind(folder)
    if kind == "campaign":
        with Ledger(folder, create=False) as ledger:
            entries = sorted(ledger.entries().values(), key=lambda e: e.updated_at)
        yield from (_from_entry(folder, e) for e in entries if e.state == "done" and e.files)
    elif kind == "shots":
        yield from _from_records(folder)


def _from_entry(folder: Path, entry: Entry) -> Found:
    job: dict[str, Any] = (entry.submission or {}).get("job", {})
    attempt = entry.task_id or _untasked_attempt(entry)
    return Found(
        key=f"{entry.id}#{attempt}", shot_id=card_id(entry.id), group=entry.group, cast=entry.cast,
        scene=entry.scene, variant=entry.variant, source=entry.id, target=job.get("target"),
        backend=entry.backend, model=job.get("model"), files=tuple(f["path"] for f in entry.files),
        credits=entry.credits, usd=entry.usd, sent_hash=entry.sent_hash, brief=_entry_brief(folder, entry),
    )  # fmt: skip


def _untasked_attempt(entry: Entry) -> str:
    """An attempt without a provider task id (OpenAI answers at once): the brief digest, and from the
    second send on the ledger's send count, so a re-run of the same brief is a new take."""
    if entry.sent_hash is None:
        return str(entry.updated_at)
    return entry.sent_hash if entry.attempts <= 1 else f"{entry.sent_hash}.{entry.attempts}"


def _entry_brief(folder: Path, entry: Entry) -> str:
    """The take's own brief as sent (``briefs/sent/``), else the shot's current one (a folder from before)."""
    kept = sent_brief(entry.id, entry.sent_hash)
    return kept if (folder / kept).is_file() else f"{BRIEFS_DIR}/{entry.id}.md"


def _from_records(folder: Path) -> Iterator[Found]:
    records = []
    for path in folder.glob(f"*{RECORD_SUFFIX}"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue  # not ours to judge here: `compose generate --resume` reports a broken record
        if isinstance(data, dict) and data.get("status") == "succeeded" and data.get("files"):
            records.append((str(data.get("updated_at", "")), path, data))
    for _, path, data in sorted(records, key=lambda r: (r[0], r[1].name)):
        stem = path.name[: -len(RECORD_SUFFIX)]
        cost = data.get("cost") or {}
        brief = folder / f"{stem}.md"
        yield Found(
            key=f"{path.name}#{data.get('task_id') or data.get('created_at')}", shot_id=stem, group="shots",
            cast=stem.partition("--")[0], scene=stem.partition("--")[2], variant="", source=path.name,
            target=data.get("target"), backend=data.get("backend"), model=data.get("model"),
            files=tuple(str(f) for f in data["files"]), credits=cost.get("credits"), usd=cost.get("usd"),
            sent_hash=None, brief=brief.name if brief.is_file() else None,
        )  # fmt: skip


def image_path(folder: Path, relative: str, sent_hash: str | None, superseded: int | None) -> Path | None:
    """Where a take's image is now: its recorded path (else where a run making it again has just
    moved it); for an earlier take whose path a later one has taken (``superseded`` not None), the
    ``superseded``-th file a run moved aside for that brief digest (``export.superseded_name``)."""
    path = folder / relative
    aside = folder / IMAGES_DIR / SUPERSEDED_DIR
    if superseded is not None:
        moved = aside / superseded_name(path, sent_hash, superseded)
        return moved if moved.is_file() else None
    if path.is_file():
        return path
    moved_now = [aside / superseded_name(path, sent_hash, n) for n in range(64)]
    return next((m for m in reversed(moved_now) if m.is_file()), None)


# -- numbering takes (the store's review_takes table) ------------------------------------------
def add_take(db: sqlite3.Connection, item: Found) -> None:
    """Number ``item`` as its shot's next take, with its lineage (inside the caller's transaction)."""
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

def takes_from_rows(folder: Path, rows: list[sqlite3.Row]) -> list[Take]:
    """``review_takes`` rows (every take of their shots) as takes, in the rows' order: an earlier
    take whose file a later take of its source has replaced finds its own image, moved aside."""
    latest: dict[str, sqlite3.Row] = {}
    for row in rows:
        known = latest.get(row["source"])
        if known is None or row["take"] > known["take"]:
            latest[row["source"]] = row
    before: Counter[tuple[str, str | None]] = Counter()
    aside: dict[int, int | None] = {}
    for index, row in sorted(enumerate(rows), key=lambda pair: pair[1]["take"]):
        last = latest[row["source"]]
        replaced = row["take"] != last["take"] and json.loads(row["files"])[:1] == json.loads(last["files"])[:1]
        aside[index] = before[(row["source"], row["sent_hash"])] if replaced else None
        if replaced:
            before[(row["source"], row["sent_hash"])] += 1
    return [_take_from_row(folder, row, aside[index]) for index, row in enumerate(rows)]


def _take_from_row(folder: Path, row: sqlite3.Row, superseded: int | None) -> Take:
    files = tuple(json.loads(row["files"]))
    brief = folder / row["brief"] if row["brief"] else None
    return Take(
        shot_id=row["shot_id"], take=row["take"], source=row["source"],
        contender=row["target"] or row["backend"] or "unknown", target=row["target"], backend=row["backend"],
        model=row["model"], files=files,
        image=image_path(folder, files[0], row["sent_hash"], superseded) if files else None,
        credits=row["credits"], usd=row["usd"], brief=brief if brief and brief.is_file() else None,
        parent=row["parent"], reason=row["reason"], created_at=row["created_at"],
    )  # fmt: skip
