"""What a campaign run did: live counters for a progress display, and the one-line error
for a run that left shots undone."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from composer.campaign.errors import CampaignError


@dataclass
class RunStats:
    """Live counters for a progress display: ``on_update`` receives this object after every change."""

    total: int = 0
    """Shots this run works on (collect or submit)."""
    done: int = 0
    failed: int = 0
    running: int = 0
    not_started: int = 0
    """Left unstarted because of the budget or an error every request would hit."""
    skipped: int = 0
    """Already done (and not stale, or stale and not asked to regenerate)."""
    stale: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    credits: float = 0.0
    """Credits spent or committed in this folder, every run included."""
    started: float = field(default_factory=time.monotonic)
    stop_reason: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    """Shot id -> why it did not finish in this run."""
    to_collect: int = 0
    """Accepted (paid for) but not collected in this run: the next run collects them."""
    no_space: bool = False
    """The disk filled up: the run stopped starting tasks."""
    waiting: dict[str, str] = field(default_factory=dict)
    """Motion shot id -> why it waits for its still (not approved, or not done, yet): not sent."""
    _settled_uncertain: int = 0

    @property
    def remaining(self) -> int:
        return max(self.total - self.done - self.failed - self.not_started - self._settled_uncertain, 0)


def incomplete(stats: RunStats, folder: Path) -> CampaignError | None:
    """The one-line error for a run that left shots undone, or None when every shot is done."""
    if stats.no_space:
        return CampaignError(f"no space left on {folder}: {stats.to_collect} shot(s) still to collect"
                             + (f", {stats.not_started} not started" if stats.not_started else "")
                             + "; free space and run again")
    parts = []
    if stats.failed:
        parts.append(f"{stats.failed} failed")
    if stats.not_started:
        parts.append(f"{stats.not_started} not started ({stats.stop_reason})")
    if stats.uncertain:
        parts.append(
            f"{len(stats.uncertain)} uncertain (the provider may have accepted them; "
            "--retry-uncertain sends them again)"
        )
    if stats.blocked:
        parts.append(f"{len(stats.blocked)} blocked by lint errors")
    if not parts:
        return None
    return CampaignError(f"campaign incomplete: {', '.join(parts)}; see `compose campaign status {folder}`")
