"""Motion chains: a group whose first frames are another group's stills (``from:`` / ``use:``).

``from: stills`` makes one motion shot per shot of the group ``stills`` (per take, with the
group's ``images``; ``composer.campaign.expand``): the same cast, scene, brand and style as the
still, the still's deltas with the motion group's on top (lists extend, scalars override), the
group's own target (a video target), options and backend. Its id is ``<group>-<the still's
words>-<digest>``, the digest taken from the still's id, so it is as stable as the still's.

Which stills may be animated depends on the output folder, not on the campaign file, so expansion
makes every motion shot *waiting*, and ``resolve`` (given what the folder holds) gives each one
whose still is ready its first frame:

- ``use: done``: the still's image once the ledger has it done;
- ``use: approved`` (the default): the image of the still's latest take approved in review (at
  least one reviewer approved it and none rejected it or asked to regenerate it). The review
  store lives in a layer above campaigns, so the caller passes the approvals in
  (``composer.review.approved.approved_frames``).

A waiting shot is never composed or sent; the plan lists it with its reason and what it would
cost (``Plan.waiting``), and a run says how many wait. The first frame is the still's own file,
uploaded as it is: byte-identical to what was approved. It is part of the motion shot's brief
digest, so approving another take of the still makes the clip stale.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from composer.campaign.expand import Expansion, Shot
from composer.campaign.ledger import LEDGER_FILE, Entry, Ledger

Frames = Mapping[str, Path]
"""Still shot id (a ledger id) -> the image that is its motion shot's first frame."""
Approvals = Callable[[Path], Frames]
"""Reads an output folder's approved stills (``composer.review.approved.approved_frames``)."""
CHAINS_META = "chains"
"""The ledger ``meta`` key holding ``{motion shot id: still id}``: the lineage the contact sheet
and the review app show."""


@dataclass(frozen=True)
class StillFrames:
    """What an output folder holds for motion chains: its done stills and its approved stills."""

    done: Frames = field(default_factory=dict)
    approved: Frames = field(default_factory=dict)
    folder: Path | None = None
    """None: no output folder was read (``campaign plan`` without ``--out``)."""

    def frame(self, still: str, use: str) -> Path | None:
        return (self.approved if use == "approved" else self.done).get(still)

    def reason(self, still: str, use: str) -> str:
        """Why the motion shot of ``still`` waits."""
        if self.folder is None:
            return f"not {use} yet (no output folder read: pass --out DIR)"
        if still not in self.done:
            return "not generated yet"
        return f"not approved yet (compose review {self.folder})"


def done_frames(folder: Path, entries: Mapping[str, Entry]) -> dict[str, Path]:
    """Each done shot's image (its first recorded file) in ``folder``, when the file is there."""
    frames = {}
    for entry in entries.values():
        if entry.state == "done" and entry.files:
            path = folder / entry.files[0]["path"]
            if path.is_file():
                frames[entry.id] = path.resolve()
    return frames


def resolve(expansion: Expansion, frames: StillFrames) -> Expansion:
    """The expansion with every motion shot given its still's image, or the reason it waits."""
    shots = []
    for shot in expansion.shots:
        if shot.still:
            path = frames.frame(shot.still, shot.use)
            shot = replace(shot, first_frame=path, waiting="" if path else frames.reason(shot.still, shot.use))
        shots.append(shot)
    return replace(expansion, shots=shots)


def chain_in_folder(expansion: Expansion, folder: Path, ledger: Ledger, approvals: Approvals | None) -> Expansion:
    """``resolve`` against what ``folder`` holds, recording every still -> motion link in its ledger."""
    frames = StillFrames(done_frames(folder, ledger.entries()), approvals(folder) if approvals else {}, folder)
    resolved = resolve(expansion, frames)
    ledger.set_meta(**{CHAINS_META: json.dumps({s.id: s.still for s in resolved.shots if s.still})})
    return resolved


def chain_for_plan(expansion: Expansion, folder: Path | None, approvals: Approvals | None) -> Expansion:
    """``resolve`` against ``folder`` read only (``campaign plan --out DIR``); no folder: all wait."""
    if folder is None or not (folder / LEDGER_FILE).is_file() or not any(s.still for s in expansion.shots):
        return resolve(expansion, StillFrames(folder=folder))
    with Ledger(folder, create=False) as ledger:
        done = done_frames(folder, ledger.entries())
    return resolve(expansion, StillFrames(done, approvals(folder) if approvals else {}, folder))


def after_run(expansion: Expansion, folder: Path, ledger: Ledger) -> dict[str, str]:
    """Motion shot id -> why it still waits once a run is over (its still may be done by now)."""
    done = done_frames(folder, ledger.entries())
    reasons = {}
    for shot in expansion.shots:
        if shot.waiting:
            reason = shot.waiting
            if shot.still in done and reason == "not generated yet":
                reason = ("generated in this run: approve it in review, then run again" if shot.use == "approved"
                          else "generated in this run: run again to animate it")
            reasons[shot.id] = f"still {shot.still} {reason}"
    return reasons


def lineage(ledger: Ledger) -> dict[str, str]:
    """Motion shot id -> the still id it animates, as the last run recorded."""
    text = ledger.meta(CHAINS_META)
    data = json.loads(text) if text else {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def links(shots: list[Shot]) -> list[dict[str, object]]:
    """Every still -> motion link, ready (with its first frame) or waiting (with why), for JSON."""
    return [{"still": s.still, "motion": s.id, "group": s.group, "status": "waiting" if s.waiting else "ready",
             "first_frame": str(s.first_frame) if s.first_frame else None, "reason": s.waiting}
            for s in shots if s.still]
