"""One shot's row of the campaign ledger as the lifecycle's ``JobStore``.

Every call is one committed SQLite transaction, so what the driver has been told survives the
process being killed: ``submitting`` before the create request, the task id the moment the
provider accepts it, the files (with their hashes and the QC report) once they are on disk.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from composer.backends.types import Cost, GenerationResult, Submission
from composer.campaign.errors import LedgerError
from composer.campaign.export import BRIEFS_DIR
from composer.campaign.ledger import Ledger
from composer.campaign.versions import FrameVersion
from composer.generate.inspection import Inspection
from composer.generate.lifecycle import Stop, StopStatus, StoreError


def _recording(method: Callable[..., None]) -> Callable[..., None]:
    """A ledger write whose failure (a full disk) is a ``StoreError``, not an error of the whole run."""
    @functools.wraps(method)
    def write(self: LedgerStore, *args: Any) -> None:
        try:
            method(self, *args)
        except (sqlite3.Error, LedgerError) as exc:
            full = isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)
            raise StoreError(f"{self.ledger.path}: cannot record shot {self.shot_id} ({exc})", no_space=full) from None
    return write


class LedgerStore:
    def __init__(self, ledger: Ledger, shot_id: str, estimate: Cost, *, sent_hash: str = "",
                 backend: str = "", frames: tuple[FrameVersion, ...] = ()) -> None:
        self.ledger = ledger
        self.shot_id = shot_id
        self.estimate = estimate
        """The plan's estimate: the recorded cost when the provider reports none."""
        self.sent_hash = sent_hash
        """The digest of the brief being sent (for a new submission)."""
        self.backend = backend
        self.frames = frames
        """The frame versions the brief attaches (for a new submission)."""

    @property
    def where(self) -> str:
        return str(self.ledger.path)

    @property
    def brief(self) -> str:
        return str(self.ledger.folder / BRIEFS_DIR / f"{self.shot_id}.txt")

    @_recording
    def submitting(self) -> None:
        self.ledger.submitting(self.shot_id, self.sent_hash, self.backend, self.frames)

    @_recording
    def submitted(self, submission: Submission) -> None:
        self.ledger.submitted(self.shot_id, submission.task_id, submission.to_json(), submission.backend)

    @_recording
    def succeeded(self, result: GenerationResult, inspection: Inspection | None) -> None:
        credits = result.cost.credits if result.cost.credits is not None else self.estimate.credits
        usd = result.cost.usd if result.cost.usd is not None else self.estimate.usd
        self.ledger.done(self.shot_id, file_records(result, self.ledger.folder), credits, usd,
                         qc=inspection.report if inspection else None,
                         needs_review=inspection.needs_review if inspection else False)

    @_recording
    def stopped(self, stop: Stop) -> None:
        if stop.status == "incomplete":  # paid for: it stays submitted and the next run collects it
            self.ledger.note(self.shot_id, stop.message)
        elif stop.status == "uncertain":
            self.ledger.uncertain(self.shot_id, stop.message)
        else:
            self.ledger.failed(self.shot_id, stop.message)

    def next_action(self, status: StopStatus, task_id: str | None) -> str:
        if status == "incomplete":
            return f"the next `compose campaign run` collects task {task_id} without paying again"
        if status == "uncertain":
            return ("check the provider's dashboard for it; `compose campaign run --retry-uncertain` "
                    "sends it again")
        return "the next `compose campaign run` sends it again"


def file_records(result: GenerationResult, folder: Path) -> list[dict[str, str]]:
    """``[{"path", "sha256"}]`` for the result's files, paths relative to the output folder."""
    return [{"path": str(path.relative_to(folder) if path.is_relative_to(folder) else path), "sha256": digest}
            for path, digest in zip(result.files, result.sha256, strict=True)]
