"""What a campaign folder holds: done, running, failed, uncertain, stale, and what it cost.

Read from the ledger alone (no lock needed: SQLite's WAL lets a reader in while a run writes), so
``status`` works during a run and long after, without the campaign file or the library.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from composer.campaign.expand import legacy_shot_id
from composer.campaign.ledger import LOCK_FILE, STATES, Entry, Ledger
from composer.campaign.versions import Digests, changed
from composer.generate.inspection import error_findings, summarise


@dataclass
class GroupStatus:
    shots: int = 0
    states: Counter[str] = field(default_factory=Counter)
    credits: float = 0.0
    usd: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"shots": self.shots, **{s: self.states[s] for s in STATES}, "credits": self.credits,
                "usd": round(self.usd, 4)}


@dataclass
class Status:
    folder: Path
    campaign: str | None
    running: str | None
    """Who holds the folder's lock (a run in progress), or None."""
    entries: list[Entry]
    tasks: int
    """Provider tasks ever created for this folder."""
    repeated: dict[str, int]
    """Shot id -> tasks created for it, where more than one (a retry after a failed or stale attempt)."""
    groups: dict[str, GroupStatus] = field(default_factory=dict)
    states: Counter[str] = field(default_factory=Counter)
    retired: list[Entry] = field(default_factory=list)
    """Shots the campaign no longer has (their rows and files are kept: they may have been paid for)."""
    _frames_changed: dict[str, list[str]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.retired = [e for e in self.entries if not e.in_plan]
        self.entries = [e for e in self.entries if e.in_plan]
        for entry in self.entries:
            group = self.groups.setdefault(entry.group, GroupStatus())
            state = "blocked" if entry.blocked and entry.state == "composed" else entry.state
            group.shots += 1
            group.states[state] += 1
            self.states[state] += 1
            if entry.state == "done":
                group.credits += entry.credits or 0.0
                group.usd += entry.usd or 0.0

    @property
    def spent_credits(self) -> float:
        """Every done shot's cost, shots since dropped from the campaign included."""
        return sum(e.credits or 0.0 for e in [*self.entries, *self.retired] if e.state == "done")

    @property
    def spent_usd(self) -> float:
        return sum(e.usd or 0.0 for e in [*self.entries, *self.retired] if e.state == "done")

    @property
    def committed_credits(self) -> float:
        """Accepted but not yet collected (or uncertain): billed or likely to be."""
        return sum(e.est_credits or 0.0 for e in [*self.entries, *self.retired]
                   if e.state in ("submitted", "uncertain"))

    def stale(self) -> list[Entry]:
        """Done shots whose brief changed since they were generated, or one of whose frames did."""
        changed_frames = self.frames_changed()
        return [e for e in self.entries if e.state == "done" and (e.stale or e.id in changed_frames)]

    def frames_changed(self) -> dict[str, list[str]]:
        """Done shot id -> the frames it was generated with whose files have changed (or gone) since."""
        if self._frames_changed is None:
            digests = Digests()
            found = {e.id: changed(e.frames, digests) for e in self.entries if e.state == "done"}
            self._frames_changed = {shot: paths for shot, paths in found.items() if paths}
        return self._frames_changed

    def needs_review(self) -> list[Entry]:
        """Done shots pixel QC marked for a person to look at (an error finding, or QC could not run)."""
        return [e for e in self.entries if e.state == "done" and e.needs_review]

    def qc_counts(self) -> dict[str, int]:
        """Done shots by QC outcome: ``checked``, ``needs_review``, ``warnings`` (no error), ``unchecked``."""
        done = [e for e in self.entries if e.state == "done"]
        summaries = [summarise(e.qc, e.needs_review) for e in done]
        return {"checked": sum(s is not None for s in summaries),
                "needs_review": sum(s is not None and s.needs_review for s in summaries),
                "warnings": sum(s is not None and s.level == "warning" for s in summaries),
                "unchecked": sum(s is None for s in summaries)}

    def problems(self) -> list[Entry]:
        """Failed, uncertain, submitted with an error, and, when no run is in progress, the shots a
        stopped run left ``submitting``: their create may have been accepted."""
        return [e for e in self.entries if e.state in ("failed", "uncertain") or (e.state == "submitted" and e.error)
                or (e.state == "submitting" and not self.running)]

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "campaign": self.campaign,
            "running": self.running,
            "shots": len(self.entries),
            "states": {s: self.states[s] for s in (*STATES, "blocked")},
            "stale": [e.id for e in self.stale()],
            "frames_changed": self.frames_changed(),
            "credits_spent": self.spent_credits,
            "usd_spent": round(self.spent_usd, 4),
            "credits_committed": self.committed_credits,
            "tasks_created": self.tasks,
            "no_longer_in_campaign": [e.id for e in self.retired],
            "groups": {g: s.as_dict() for g, s in self.groups.items()},
            "problems": [{"id": e.id, "state": e.state, "task_id": e.task_id, "error": e.error}
                         for e in self.problems()],
            "qc": {**self.qc_counts(), "needs_review_ids": [e.id for e in self.needs_review()]},
        }


def read_status(folder: Path) -> Status:
    with Ledger(folder, create=False) as ledger:
        entries = list(ledger.entries().values())
        tasks = ledger.tasks()
        campaign = ledger.meta("campaign")
    per_shot = Counter(shot for _, shot in tasks)
    repeated = {shot: n for shot, n in per_shot.items() if n > 1}
    return Status(folder, campaign, lock_holder(folder), entries, len(tasks), repeated)


def lock_holder(folder: Path) -> str | None:
    """The description a running campaign wrote into the lock file, or None when nobody holds it."""
    path = folder / LOCK_FILE
    if not path.is_file():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.read(fd, 200).decode("utf-8", "replace").strip() or "another process"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def status_text(status: Status) -> str:
    """The human summary ``compose campaign status`` prints."""
    s = status.states
    lines = [
        f"campaign: {status.campaign or 'unknown'}",
        f"folder:   {status.folder} ({status.running + ' is running' if status.running else 'no run in progress'})",
        f"{len(status.entries):,} shots: {s['done']:,} done, {s['submitted'] + s['submitting']:,} "
        f"{'running' if status.running else 'submitted (collected by the next run)'}, {s['failed']:,} failed, "
        f"{s['uncertain']:,} uncertain, {s['composed']:,} not started, {s['blocked']:,} blocked; "
        f"{len(status.stale()):,} stale",
        f"spent: {status.spent_credits:,g} credits (${status.spent_usd:,.2f}); committed: "
        f"{status.committed_credits:,g} credits; provider tasks created: {status.tasks:,}",
        "",
        f"{'group':<16} {'shots':>6} {'done':>6} {'running':>8} {'failed':>7} {'uncertain':>9} {'todo':>6} "
        f"{'credits':>9}",
    ]
    for name, g in status.groups.items():
        running = g.states["submitted"] + g.states["submitting"]
        lines.append(f"{name:<16} {g.shots:>6} {g.states['done']:>6} {running:>8} {g.states['failed']:>7} "
                     f"{g.states['uncertain']:>9} {g.states['composed'] + g.states['blocked']:>6} {g.credits:>9,g}")
    qc = status.qc_counts()
    if qc["checked"]:
        lines.append(f"pixel QC: {qc['checked']:,} checked, {qc['needs_review']:,} need review, "
                     f"{qc['warnings']:,} with warnings only" + (f", {qc['unchecked']:,} not checked"
                                                                 if qc["unchecked"] else ""))
    if status.retired:
        lines.append(f"{len(status.retired):,} shot(s) no longer in the campaign (kept, with their files; "
                     "their cost is in the total)")
    problems = status.problems()
    if problems:
        lines += ["", "problems:"]
        lines += [f"  {e.id} [{e.state}{' task ' + e.task_id if e.task_id else ''}]: {e.error or interrupted(e)}"
                  for e in problems]
    review = status.needs_review()
    if review:
        lines += ["", "needs review (pixel QC; files kept, `compose qc DIR` for the findings):"]
        lines += [f"  {e.id}: {_qc_line(e)}" for e in review[:20]]
        lines += [f"  ... and {len(review) - 20} more"] if len(review) > 20 else []
    stale = status.stale()
    if stale:
        lines += ["", f"stale (brief or frames changed since generated; `run --regenerate-stale` makes them "
                      f"again): {', '.join(e.id for e in stale[:20])}{' ...' if len(stale) > 20 else ''}"]
    frames = status.frames_changed()
    for shot_id in list(frames)[:20]:
        lines.append(f"  {shot_id}: frame changed since: {', '.join(frames[shot_id])}")
    return "\n".join(lines)


def interrupted(entry: Entry) -> str:
    """What to tell about a shot a stopped run left mid-create."""
    sent = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(entry.updated_at))
    return (f"the run stopped while its create request (sent {sent}) was in flight; the provider may have "
            "accepted it: check its dashboard for this shot")


def _qc_line(entry: Entry) -> str:
    summary = summarise(entry.qc, entry.needs_review)
    if summary is None or summary.failed:
        return summary.failed if summary and summary.failed else "marked for review"
    first = next((message for _, _, message in error_findings(entry.qc)), "")
    return f"{summary.badge}" + (f": {first}" if first else "")


def recheck(status: Status, planned: dict[str, str]) -> Status:
    """The status with staleness judged against a fresh plan (shot id -> brief hash), not the last run's.

    A row stored under a shot's id from before ids had words is read as that shot (the next run renames it).
    """
    by_digest = {shot_id.rsplit("-", 1)[-1]: shot_id for shot_id in planned}

    def current(e: Entry) -> str:
        now = by_digest.get(e.id.rsplit("-", 1)[-1], e.id)
        return now if e.id not in planned and legacy_shot_id(now, e.group) == e.id else e.id

    entries = [replace(e, id=i, brief_hash=planned.get(i, e.brief_hash), in_plan=i in planned)
               for e in [*status.entries, *status.retired] for i in [current(e)]]
    return Status(status.folder, status.campaign, status.running, entries, status.tasks, status.repeated)
