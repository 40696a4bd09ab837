"""``--frame RESULT``: a video shot's first frame named by the shot that made it.

``RESULT`` is a path to an image (as before), or a shot of an output folder:

- ``--frame SHOT_ID --campaign DIR`` (``--campaign`` repeatable: the first folder that has the
  shot wins), or ``--frame DIR/SHOT_ID``;
- in a campaign folder, ``SHOT_ID`` is a ledger id (``<shot>`` or ``<shot>@<contender>``); its
  image is that of its latest take approved in review (``composer.review.approved``, the rule
  motion chains use), else its latest result (the ledger's done file);
- in a folder of ``compose shot --generate`` results, ``SHOT_ID`` is a record's stem.

A shot that is unknown, not done, or made a clip rather than a still is one line naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from composer.campaign.chain import done_frames
from composer.campaign.ledger import LEDGER_FILE, Ledger
from composer.errors import ComposerError
from composer.frames import sniff_image_type
from composer.frames_lifecycle.errors import FrameLifecycleError
from composer.generate.record import RECORD_SUFFIX, load_record
from composer.review.approved import approved_frames

SHOWN = 5
"""Known shot ids a message lists before "and N more"."""


def resolve_frame(value: str, campaigns: Sequence[Path] = ()) -> Path:
    """The image ``value`` names (see the module)."""
    path = Path(value)
    if path.is_file():
        return path
    candidates = [(folder, value) for folder in campaigns]
    if not campaigns and path.parent != Path(".") and path.parent.is_dir():
        candidates.append((path.parent, path.name))
    if not candidates:
        raise FrameLifecycleError(f"--frame {value}: no such file; to name a campaign result by its shot id, give "
                                  "--campaign DIR or DIR/SHOT_ID")
    misses = []
    for folder, shot in candidates:
        found = _in_folder(folder, shot, value)
        if found is not None:
            return found
        misses.append(_known(folder))
    where = "; ".join(misses)
    raise FrameLifecycleError(f"--frame {value}: no such file, and no shot '{candidates[0][1]}' in {where}")


def _in_folder(folder: Path, shot: str, value: str) -> Path | None:
    record = folder / f"{shot}{RECORD_SUFFIX}"
    if record.is_file():
        loaded = load_record(record)
        if loaded.status != "succeeded" or not loaded.files:
            raise FrameLifecycleError(f"--frame {value}: {record} has no result yet ({loaded.status})")
        return _still(folder / loaded.files[0], value)
    if not (folder / LEDGER_FILE).is_file():
        return None
    with Ledger(folder, create=False) as ledger:
        entry = ledger.get(shot)
        entries = ledger.entries() if entry is not None else {}
    if entry is None:
        return None
    approved = approved_frames(folder).get(shot)
    if approved is not None:
        return _still(approved, value)
    done = done_frames(folder, entries).get(shot)
    if done is None:
        state = "done, but its file is gone" if entry.state == "done" else entry.state
        raise FrameLifecycleError(f"--frame {value}: shot {shot} in {folder} has no image yet ({state})")
    return _still(done, value)


def _still(path: Path, value: str) -> Path:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise FrameLifecycleError(f"--frame {value}: {path}: {exc.strerror or exc}") from None
    if sniff_image_type(head) is None:
        raise FrameLifecycleError(f"--frame {value}: {path} is not a still image (a clip?); a first frame is a "
                                  "PNG, JPEG or WebP still")
    return path


def _known(folder: Path) -> str:
    """The folder and the shots it knows, for a message."""
    ids: list[str] = []
    if (folder / LEDGER_FILE).is_file():
        try:
            with Ledger(folder, create=False) as ledger:
                ids = list(ledger.entries())
        except ComposerError:
            ids = []
    ids += [p.name.removesuffix(RECORD_SUFFIX) for p in sorted(folder.glob(f"*{RECORD_SUFFIX}"))]
    if not ids:
        return f"{folder} (no campaign ledger or generation records there)"
    more = f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
    return f"{folder} (its shots: {', '.join(ids[:SHOWN])}{more})"
