"""Where an image came from: the provenance a promoted frame records.

An image is one of:

- a ``compose shot --generate`` result: a ``<stem>.generation.json`` beside it lists its file
  name; the record gives the model, backend, target, task id and the prompt sent;
- a campaign result: a folder above it holds a campaign ledger (``ledger.sqlite``) and one of its
  shots made it (its recorded file, or, once reviewed, a take's image moved aside by a later run);
  the ledger row gives the same;
- a file inside the library (drawn by hand, say): nothing is recorded but where it was.

Anything else is refused: a frame's provenance must lead back to something. Where the folder was
reviewed (``compose review``), the take and every reviewer's verdict on it are read from the
review store.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from composer.campaign.export import BRIEFS_DIR
from composer.campaign.ledger import LEDGER_FILE, Entry, Ledger
from composer.errors import ComposerError
from composer.frames_lifecycle.errors import FrameLifecycleError
from composer.generate.record import RECORD_SUFFIX, GenerationRecord, load_record
from composer.library import Library
from composer.paths import is_inside, same_file
from composer.review.records import Take
from composer.review.regenerate import has_reviews
from composer.review.store import ReviewStore

VERDICT_ORDER = ("reject", "regenerate", "approve")
"""The take's verdict is the first of these any reviewer gave."""


def origin_of(image: Path, library: Library) -> dict[str, Any]:
    """The ``FrameProvenance`` fields that say where ``image`` (resolved) came from."""
    record = _record_beside(image)
    if record is not None:
        return _from_record(image, record[0], record[1], library)
    folder = _ledger_folder(image)
    if folder is not None:
        return _from_campaign(image, folder, library)
    if is_inside(image, library.root):
        return {"kind": "library"}
    raise FrameLifecycleError(
        f"{image} is outside any campaign folder and the library {library.root.resolve()}: promote a result of "
        "`compose campaign run` or `compose shot --generate`, or a file inside the library")


def verdict_of(reviewers: dict[str, str]) -> str | None:
    """The take's verdict from each reviewer's (``VERDICT_ORDER``); None when nobody gave one."""
    return next((v for v in VERDICT_ORDER if v in reviewers.values()), None)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record_beside(image: Path) -> tuple[Path, GenerationRecord] | None:
    """The generation record in the image's folder that lists it, if any."""
    for path in sorted(image.parent.glob(f"*{RECORD_SUFFIX}")):
        try:
            record = load_record(path)
        except ComposerError:
            continue  # a broken record beside it is not this image's
        if image.name in record.files:
            return path, record
    return None


def _ledger_folder(image: Path) -> Path | None:
    """The nearest folder above the image that holds a campaign ledger."""
    return next((parent for parent in image.parents if (parent / LEDGER_FILE).is_file()), None)


def _review_of(folder: Path, image: Path, library: Library) -> tuple[Take | None, dict[str, str]]:
    """The review take that is ``image`` and each reviewer's verdict on it (reviewed folders only)."""
    if not has_reviews(folder):
        return None, {}
    with ReviewStore.open(folder, library=library) as store:
        for card in store.shots():
            for take in card.takes:
                if take.image is not None and same_file(take.image, image):
                    verdicts: dict[str, str] = {r.reviewer: r.verdict for r in store.reviews(card.id)
                                if r.take == take.take and r.verdict is not None}
                    return take, verdicts
    return None, {}


def _brief_digest(brief: Path, prompt: str | None) -> str | None:
    """The brief file's SHA-256, when it is there and holds the prompt that was sent."""
    try:
        data = brief.read_bytes()
        parsed = json.loads(data)
    except (OSError, ValueError):
        return None
    if prompt is not None and (not isinstance(parsed, dict) or parsed.get("prompt") != prompt):
        return None  # planned again since: this file is not the brief the image was made from
    return hashlib.sha256(data).hexdigest()


def _review_fields(take: Take | None, reviewers: dict[str, str]) -> dict[str, Any]:
    return {"take": take.take if take else None, "verdict": verdict_of(reviewers), "reviewers": reviewers}


def _from_record(image: Path, path: Path, record: GenerationRecord, library: Library) -> dict[str, Any]:
    folder = path.parent
    stem = path.name.removesuffix(RECORD_SUFFIX)
    brief = folder / f"{stem}.json"
    if not brief.is_file() and record.brief:
        brief = Path(record.brief)
    prompt = record.job.get("prompt")
    take, reviewers = _review_of(folder, image, library)
    return {
        "kind": "shot", "folder": str(folder.resolve()), "shot": stem, "brief": str(brief.resolve()),
        "brief_sha256": _brief_digest(brief, prompt if isinstance(prompt, str) else None),
        "prompt_sha256": sha256_text(prompt) if isinstance(prompt, str) else None,
        "target": record.target, "model": record.model, "backend": record.backend, "task_id": record.task_id,
        **_review_fields(take, reviewers),
    }


def _from_campaign(image: Path, folder: Path, library: Library) -> dict[str, Any]:
    with Ledger(folder, create=False) as ledger:
        entries = ledger.entries()
    entry: Entry | None = next((e for e in entries.values() for f in e.files if same_file(folder / f["path"], image)),
                               None)
    take, reviewers = _review_of(folder, image, library)
    if entry is None and take is not None:
        entry = entries.get(take.source)
    if entry is None:
        raise FrameLifecycleError(f"{image} is in the campaign folder {folder.resolve()}, but no shot of its "
                                  "ledger made it: promote one of its results (images/)")
    job: dict[str, Any] = (entry.submission or {}).get("job", {})
    prompt = job.get("prompt")
    brief = folder / BRIEFS_DIR / f"{entry.id}.json"
    return {
        "kind": "campaign", "folder": str(folder.resolve()), "shot": entry.id, "brief": str(brief.resolve()),
        "brief_sha256": _brief_digest(brief, prompt if isinstance(prompt, str) else None),
        "prompt_sha256": sha256_text(prompt) if isinstance(prompt, str) else None,
        "target": job.get("target"), "model": (entry.submission or {}).get("model") or job.get("model"),
        "backend": entry.backend, "task_id": entry.task_id, **_review_fields(take, reviewers),
    }
