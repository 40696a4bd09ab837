"""``compose frame list|history``: an asset's frames, where each came from, which shots used it.

A frame's *uses* are read from the output folders searched: a campaign ledger records, for every
shot it sent, each attached frame's path and SHA-256 (``Entry.frames``, ledger schema 3); a
``compose shot --generate`` record does the same (``GenerationRecord.frames``). A shot sent with
the frame's current content used *this version* (matched by SHA-256, so a copy such as an
exported brief's ``frames/`` counts too); one sent with the same path but other content used an
*earlier version* (the shot is stale: ``compose campaign status`` says so).

Which folders: those given (``--campaign DIR``), else the folders the frames were promoted from
and every folder in the current directory (or the directory itself) holding a ledger or
generation records. The answer always names the folders searched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from composer.attachments import entry_path, entry_role
from composer.campaign.ledger import LEDGER_FILE, Ledger
from composer.campaign.versions import Digests
from composer.errors import ComposerError
from composer.generate.record import RECORD_SUFFIX, load_record
from composer.loaded import Loaded
from composer.models import FrameProvenance, ReferenceFrame
from composer.paths import is_inside, same_file


@dataclass(frozen=True)
class FrameInfo:
    """One entry of an asset's ``reference_frames``."""

    index: int
    """1-based, in the file's order (the order a brief attaches them in)."""
    role: str
    written: str
    """The path as the asset file gives it."""
    path: Path
    """Where it is (absolute, not resolved: a missing frame still has a path)."""
    note: str | None
    provenance: FrameProvenance | None
    sha256: str | None
    """Its content's SHA-256 now; None when the file is missing or unreadable."""

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "role": self.role, "path": self.written, "file": str(self.path),
                "note": self.note, "sha256": self.sha256, "origin": came_from(self),
                "provenance": self.provenance.model_dump(mode="json") if self.provenance else None}


@dataclass(frozen=True)
class Use:
    """A shot sent with a frame."""

    folder: Path
    shot: str
    """The ledger id, or the record's stem."""
    state: str
    """The ledger state (``done``, ``failed`` ...) or the record status (``succeeded`` ...)."""
    version: Literal["this", "earlier"]
    """Sent with the frame's current content, or with what the file held before."""

    def to_json(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "shot": self.shot, "state": self.state, "version": self.version}


def frames_of(asset: Loaded[Any]) -> list[FrameInfo]:
    """Every reference frame of ``asset``, missing ones included."""
    digests = Digests()
    found = []
    for index, entry in enumerate(asset.model.reference_frames, start=1):
        path = asset.path.parent / entry_path(entry)
        framed = entry if isinstance(entry, ReferenceFrame) else None
        found.append(FrameInfo(index, entry_role(entry, asset.kind), entry_path(entry), path,
                               framed.note if framed else None, framed.provenance if framed else None,
                               digests(str(path))))
    return found


def came_from(frame: FrameInfo) -> str:
    """Where the frame came from, in a line."""
    p = frame.provenance
    if p is None:
        return "placed in the library by hand (no provenance recorded)"
    if p.kind == "library":
        return f"promoted {_date(p)} from {p.source} (a file in the library)"
    what = "campaign shot" if p.kind == "campaign" else "`compose shot --generate` result"
    take = f" take {p.take}" if p.take else ""
    review = f", {p.verdict}" if p.verdict else ", not reviewed"
    forced = " (promoted with --force)" if p.forced else ""
    return f"promoted {_date(p)} from {what} {p.shot}{take} in {p.folder}{review}{forced}"


def detail_lines(frame: FrameInfo) -> list[str]:
    """The provenance, a field a line (``compose frame history``)."""
    p = frame.provenance
    if p is None:
        return []
    lines = [f"source: {p.source} (sha256 {p.sha256})"]
    if p.brief:
        known = f"sha256 {p.brief_sha256}" if p.brief_sha256 else "no longer the brief sent"
        lines.append(f"brief: {p.brief} ({known})")
    if p.prompt_sha256:
        lines.append(f"prompt sent: sha256 {p.prompt_sha256}")
    if p.model or p.backend:
        target = f" (target {p.target})" if p.target else ""
        task = f", task {p.task_id}" if p.task_id else ""
        lines.append(f"model: {p.model or '?'} on {p.backend or '?'}{target}{task}")
    if p.kind != "library":
        given = ", ".join(f"{who}: {verdict}" for who, verdict in sorted(p.reviewers.items()))
        lines.append(f"review: {p.verdict or 'no verdict'}" + (f" ({given})" if given else ""))
    lines.append(f"promoted: {p.promoted_at.isoformat()}" + (" with --force" if p.forced else ""))
    return lines


def _date(p: FrameProvenance) -> str:
    return p.promoted_at.date().isoformat()


def default_folders(frames: list[FrameInfo], cwd: Path) -> list[Path]:
    """The folders searched when none are given: the frames' own, then the current directory's."""
    folders = [Path(f.provenance.folder) for f in frames if f.provenance and f.provenance.folder]
    here = [cwd, *sorted(p for p in _subdirs(cwd))]
    folders += [d for d in here if _is_output_folder(d)]
    unique: dict[Path, Path] = {}
    for folder in folders:
        if folder.is_dir():
            unique.setdefault(folder.resolve(), folder)
    return list(unique.values())


def _subdirs(folder: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(folder) if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return []


def _is_output_folder(folder: Path) -> bool:
    return (folder / LEDGER_FILE).is_file() or any(folder.glob(f"*{RECORD_SUFFIX}"))


def uses(frames: list[FrameInfo], folders: list[Path], library_root: Path) -> dict[int, list[Use]]:
    """Frame index -> the shots in ``folders`` sent with it."""
    found: dict[int, list[Use]] = {f.index: [] for f in frames}
    for folder in folders:
        for shot, state, sent in _sent(folder):
            for frame in frames:
                version = _version(frame, sent, library_root)
                if version is not None:
                    found[frame.index].append(Use(folder, shot, state, version))
    return found


def _version(frame: FrameInfo, sent: list[tuple[str, str]], root: Path) -> Literal["this", "earlier"] | None:
    """Which version of ``frame`` a shot sent: by path (its content then decides), or by content for a
    copy outside the library (an exported brief's ``frames/``); another library frame that happens to
    hold the same bytes is not this one."""
    versions = [digest for path, digest in sent if same_file(Path(path), frame.path)]
    if versions:
        return "this" if frame.sha256 in versions else "earlier"
    copies = [path for path, digest in sent if digest == frame.sha256 and not is_inside(Path(path), root)]
    return "this" if frame.sha256 is not None and copies else None


def _sent(folder: Path) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(shot, state, [(frame path, sha256)]) for every shot the folder records frames for."""
    sent: list[tuple[str, str, list[tuple[str, str]]]] = []
    if (folder / LEDGER_FILE).is_file():
        try:
            with Ledger(folder, create=False) as ledger:
                entries = ledger.entries()
        except ComposerError:
            entries = {}
        sent += [(e.id, e.state, [(f.path, f.sha256) for f in e.frames]) for e in entries.values() if e.frames]
    for path in sorted(folder.glob(f"*{RECORD_SUFFIX}")):
        try:
            record = load_record(path)
        except ComposerError:
            continue
        frames = [(f.get("path", ""), f.get("sha256", "")) for f in record.frames]
        if frames:
            sent.append((path.name.removesuffix(RECORD_SUFFIX), record.status, frames))
    return sent
