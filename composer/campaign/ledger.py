"""The ledger: what happened to every shot of a campaign output folder, in SQLite.

Each shot moves ``composed -> submitting -> submitted -> done`` (or ``failed``, or ``uncertain``
when a create request may have been accepted but its reply never arrived). The provider's task id
is committed the moment the provider returns it, before polling starts, and every provider task
ever created is kept in ``tasks``: a run that was interrupted, even by SIGKILL, resumes by polling
the tasks it already paid for instead of creating them again.

The schema is versioned (``meta.schema``); ``MIGRATIONS`` upgrades an older ledger in place when
it is opened.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a committed row survives the process being
killed (it is in the OS's hands), though not necessarily a power cut; ``status`` can read while a
run writes. A second run on the same folder is refused by ``FolderLock`` (an advisory ``flock``
the kernel releases when its holder dies, so a killed run never leaves a stale lock behind).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from composer.campaign.errors import LedgerError
from composer.campaign.versions import FrameVersion
from composer.generate.lock import Busy, FileLock

LEDGER_FILE = "ledger.sqlite"
LOCK_FILE = ".campaign.lock"
SCHEMA_VERSION = 4
"""The schema this composer writes. A ledger of an older version is migrated when a run opens it."""

State = Literal["composed", "submitting", "submitted", "done", "failed", "uncertain"]
STATES: tuple[State, ...] = ("composed", "submitting", "submitted", "done", "failed", "uncertain")

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shots (
    id TEXT PRIMARY KEY,
    grp TEXT NOT NULL,
    cast_label TEXT NOT NULL,
    scene TEXT NOT NULL,
    variant TEXT NOT NULL DEFAULT '',
    take INTEGER NOT NULL DEFAULT 1,
    state TEXT NOT NULL,
    brief_hash TEXT NOT NULL,
    sent_hash TEXT,
    backend TEXT,
    task_id TEXT,
    submission TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    est_credits REAL,
    credits REAL,
    usd REAL,
    files TEXT,
    error TEXT,
    blocked TEXT,
    in_plan INTEGER NOT NULL DEFAULT 1,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    task_id TEXT PRIMARY KEY,
    shot_id TEXT NOT NULL,
    backend TEXT NOT NULL,
    created_at REAL NOT NULL
);
"""
"""The first schema; every later version is reached through ``MIGRATIONS``, new ledgers included, so
every migration runs on every fresh ledger in the tests."""

MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: (
        # The post-download inspector (pixel QC): its JSON report, and whether a person must look.
        "ALTER TABLE shots ADD COLUMN qc TEXT",
        "ALTER TABLE shots ADD COLUMN needs_review INTEGER NOT NULL DEFAULT 0",
    ),
    3: (
        # The frame versions a shot was sent with: ``[{"path", "sha256"}]`` of each attached frame.
        "ALTER TABLE shots ADD COLUMN frames TEXT",
    ),
    4: (
        # The brief's lint findings when last planned (``[{"severity", "rule", "message"}]``): the
        # review app shows them beside the image.
        "ALTER TABLE shots ADD COLUMN lint TEXT",
    ),
}
"""Version -> the statements that take a ledger from the version before to it. To add a table or a
column: add version ``SCHEMA_VERSION + 1`` here and raise ``SCHEMA_VERSION``."""


PROMPT_REF = "\x00job.prompt"
"""Stored in place of the request's copy of the prompt. A submission holds the prompt twice (the
job's, and the request as sent), and a 10,000-shot campaign's ledger was mostly prompts."""


def pack_submission(submission: dict[str, Any]) -> str:
    """``Submission.to_json()`` as stored: the prompt once (rows stored before this still read back)."""
    prompt = submission.get("job", {}).get("prompt")
    if isinstance(prompt, str) and isinstance(submission.get("request"), dict):
        submission = {**submission, "request": _swap(submission["request"], prompt, PROMPT_REF)}
    return json.dumps(submission)


def unpack_submission(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    prompt = data.get("job", {}).get("prompt")
    if isinstance(prompt, str) and isinstance(data.get("request"), dict):
        data["request"] = _swap(data["request"], PROMPT_REF, prompt)
    return data


def _swap(value: Any, old: str, new: str) -> Any:
    """``value`` with every string equal to ``old``, at any depth, replaced by ``new``."""
    if isinstance(value, str):
        return new if value == old else value
    if isinstance(value, dict):
        return {key: _swap(item, old, new) for key, item in value.items()}
    if isinstance(value, list):
        return [_swap(item, old, new) for item in value]
    return value


@dataclass(frozen=True)
class Entry:
    """One shot's row in the ledger."""

    id: str
    group: str
    cast: str
    scene: str
    variant: str
    take: int
    state: State
    brief_hash: str
    """The brief's digest when it was last planned."""
    sent_hash: str | None
    """The digest of the brief that was actually sent: differs from the current plan's when stale."""
    backend: str | None
    task_id: str | None
    submission: dict[str, Any] | None
    attempts: int
    est_credits: float | None
    credits: float | None
    usd: float | None
    files: list[dict[str, str]]
    """``[{"path": relative path, "sha256": digest}]`` for a done shot."""
    error: str | None
    blocked: str | None
    """The brief's lint errors when it was last planned: a blocked shot is never generated."""
    in_plan: bool
    """False once the campaign no longer has the shot (its row and files are kept: they were paid for)."""
    updated_at: float
    qc: dict[str, Any] | None = None
    """The post-download inspector's report, when one ran."""
    needs_review: bool = False
    """The inspector asked for a person to look at the result."""
    lint: tuple[dict[str, str], ...] = ()
    """The brief's lint findings when it was last planned (``severity``, ``rule``, ``message``);
    empty for a shot planned before ledger schema 4 kept them."""
    frames: tuple[FrameVersion, ...] = ()
    """The reference frames (path and SHA-256, in request order) the shot was last sent with; empty
    for a shot sent before ledger schema 3 recorded them, or never sent."""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Entry:
        return cls(
            id=row["id"], group=row["grp"], cast=row["cast_label"], scene=row["scene"], variant=row["variant"],
            take=row["take"], state=row["state"], brief_hash=row["brief_hash"], sent_hash=row["sent_hash"],
            backend=row["backend"], task_id=row["task_id"],
            submission=unpack_submission(row["submission"]) if row["submission"] else None,
            attempts=row["attempts"], est_credits=row["est_credits"], credits=row["credits"], usd=row["usd"],
            files=json.loads(row["files"]) if row["files"] else [], error=row["error"], blocked=row["blocked"],
            in_plan=bool(row["in_plan"]), updated_at=row["updated_at"],
            qc=json.loads(row["qc"]) if row["qc"] else None, needs_review=bool(row["needs_review"]),
            frames=tuple(FrameVersion(**f) for f in json.loads(row["frames"])) if row["frames"] else (),
            lint=tuple(json.loads(row["lint"])) if row["lint"] else (),
        )  # fmt: skip

    @property
    def stale(self) -> bool:
        """Done (or paid for) with a brief other than the one the campaign now plans."""
        return self.sent_hash is not None and self.sent_hash != self.brief_hash


class Ledger:
    """The ledger of one output folder. Every change is its own committed transaction."""

    def __init__(self, folder: Path, *, create: bool = True) -> None:
        self.folder = folder
        self.path = folder / LEDGER_FILE
        if not create and not self.path.is_file():
            raise LedgerError(f"{folder} has no campaign ledger ({LEDGER_FILE}); run `compose campaign run` first")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            if create:
                self.db.executescript(_SCHEMA_V1)
                self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', '1')")
            version = self.meta("schema")
            if version is not None and version.isdigit() and int(version) < SCHEMA_VERSION:
                self._migrate(int(version))  # readers too: `status` on an old folder just works
                version = self.meta("schema")
        except (sqlite3.DatabaseError, OSError) as exc:
            raise LedgerError(f"{self.path}: not a usable campaign ledger ({exc})") from None
        if version != str(SCHEMA_VERSION):
            raise LedgerError(f"{self.path}: ledger schema {version!r}, this composer reads up to "
                              f"{SCHEMA_VERSION} (a newer composer wrote it?)")

    def _migrate(self, version: int) -> None:
        """Bring the ledger from ``version`` to ``SCHEMA_VERSION``, one committed step per version."""
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._tx():
                for statement in MIGRATIONS[target]:
                    self.db.execute(statement)
                self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(target),))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta -----------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, **values: str) -> None:
        with self._tx():
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))

    # -- reading --------------------------------------------------------------------------------
    def entries(self) -> dict[str, Entry]:
        rows = self.db.execute("SELECT * FROM shots ORDER BY rowid").fetchall()
        return {row["id"]: Entry.from_row(row) for row in rows}

    def get(self, shot_id: str) -> Entry | None:
        row = self.db.execute("SELECT * FROM shots WHERE id = ?", (shot_id,)).fetchone()
        return None if row is None else Entry.from_row(row)

    def tasks(self) -> list[tuple[str, str]]:
        """Every (task id, shot id) the provider ever accepted for this folder, in order."""
        return [(r[0], r[1]) for r in self.db.execute("SELECT task_id, shot_id FROM tasks ORDER BY rowid")]

    def counts(self) -> dict[str, int]:
        found = dict(self.db.execute("SELECT state, COUNT(*) FROM shots GROUP BY state").fetchall())
        return {state: int(found.get(state, 0)) for state in STATES}

    def spent_credits(self) -> float:
        """Credits paid or committed: done shots at their cost, submitted and uncertain ones at their estimate."""
        row = self.db.execute(
            "SELECT COALESCE(SUM(CASE WHEN state = 'done' THEN COALESCE(credits, est_credits, 0) "
            "WHEN state IN ('submitted', 'uncertain') THEN COALESCE(est_credits, 0) ELSE 0 END), 0) FROM shots"
        ).fetchone()
        return float(row[0])

    # -- writing --------------------------------------------------------------------------------
    def plan(self, rows: list[dict[str, Any]]) -> None:
        """Record planned shots (``id, group, cast, scene, variant, take, brief_hash, credits, blocked``,
        optionally ``lint``): new ones as ``composed``; known ones keep their state and get their
        current labels and hash; shots the plan no longer has are marked out of it."""
        now = time.time()
        with self._tx():
            self.db.execute("UPDATE shots SET in_plan = 0")
            self.db.executemany(
                "INSERT INTO shots (id, grp, cast_label, scene, variant, take, state, brief_hash, est_credits,"
                " blocked, lint, updated_at) VALUES (:id, :group, :cast, :scene, :variant, :take, 'composed',"
                " :brief_hash, :credits, :blocked, :lint, :now) ON CONFLICT(id) DO UPDATE SET grp = excluded.grp,"
                " cast_label = excluded.cast_label, scene = excluded.scene, variant = excluded.variant,"
                " take = excluded.take, brief_hash = excluded.brief_hash, est_credits = excluded.est_credits,"
                " blocked = excluded.blocked, lint = excluded.lint, in_plan = 1",
                [{"lint": None, **row, "now": now} for row in rows],
            )

    def rename(self, ids: dict[str, str]) -> int:
        """Give rows stored under an old id (key) their new one (value), with their tasks, unless a
        row already has the new id; return how many were renamed. One transaction."""
        with self._tx():
            known = {row[0] for row in self.db.execute("SELECT id FROM shots")}
            pairs = [(new, old) for old, new in ids.items() if old in known and new not in known and old != new]
            self.db.executemany("UPDATE shots SET id = ? WHERE id = ?", pairs)
            self.db.executemany("UPDATE tasks SET shot_id = ? WHERE shot_id = ?", pairs)
        return len(pairs)

    def submitting(self, shot_id: str, sent_hash: str, backend: str,
                   frames: tuple[FrameVersion, ...] = ()) -> None:
        """About to send: the brief's digest, and the frame versions it attaches."""
        self._set(shot_id, state="submitting", sent_hash=sent_hash, backend=backend, error=None,
                  task_id=None, submission=None, frames=json.dumps([f.as_dict() for f in frames]),
                  attempts_inc=True)

    def submitted(self, shot_id: str, task_id: str | None, submission: dict[str, Any], backend: str) -> None:
        """The provider accepted the task: commit its id before anyone starts polling."""
        with self._tx():
            if task_id is not None:
                self.db.execute("INSERT OR IGNORE INTO tasks VALUES (?, ?, ?, ?)", (task_id, shot_id, backend,
                                                                                    time.time()))
            self._set(shot_id, state="submitted", task_id=task_id, submission=pack_submission(submission))

    def note(self, shot_id: str, error: str) -> None:
        """Keep the state, record why the last attempt stopped (e.g. a poll timeout to resume)."""
        self._set(shot_id, error=error)

    def done(self, shot_id: str, files: list[dict[str, str]], credits: float | None, usd: float | None, *,
             qc: dict[str, Any] | None = None, needs_review: bool = False) -> None:
        self._set(shot_id, state="done", files=json.dumps(files), credits=credits, usd=usd, error=None,
                  qc=json.dumps(qc) if qc is not None else None, needs_review=int(needs_review))

    def failed(self, shot_id: str, error: str) -> None:
        self._set(shot_id, state="failed", error=error)

    def uncertain(self, shot_id: str, error: str) -> None:
        self._set(shot_id, state="uncertain", error=error)

    def reset(self, shot_id: str) -> None:
        """Forget a stale or failed shot's attempt so it can be generated again."""
        self._set(shot_id, state="composed", task_id=None, submission=None, files=None, credits=None,
                  usd=None, sent_hash=None, qc=None, needs_review=0, frames=None)

    def _set(self, shot_id: str, *, attempts_inc: bool = False, **fields: Any) -> None:
        """One UPDATE: outside ``_tx`` it is a transaction of its own (the connection autocommits)."""
        sets = [f"{key} = :{key}" for key in fields] + ["updated_at = :_now"]
        if attempts_inc:
            sets.append("attempts = attempts + 1")
        cursor = self.db.execute(f"UPDATE shots SET {', '.join(sets)} WHERE id = :_id",
                                 {**fields, "_now": time.time(), "_id": shot_id})
        if cursor.rowcount != 1:
            raise LedgerError(f"{self.path}: no shot '{shot_id}' in the ledger")

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> None:
            self.db.execute("BEGIN IMMEDIATE")

        def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                     tb: TracebackType | None) -> None:
            self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")

    def _tx(self) -> Ledger._Tx:
        return Ledger._Tx(self.db)


# -- the folder lock -----------------------------------------------------------------------------
class FolderLock:
    """An exclusive lock on a campaign output folder, refused (not waited for) when taken."""

    def __init__(self, folder: Path, *, purpose: str = "campaign run") -> None:
        self.folder = folder
        self.path = folder / LOCK_FILE
        self._lock = FileLock(self.path, f"a {purpose}")

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except Busy as busy:
            raise LedgerError(f"{self.folder} is in use by {busy.holder}; wait for it to finish (or stop it) "
                              "and run again") from None

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
