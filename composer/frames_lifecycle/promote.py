"""``compose frame promote``: a reviewed result becomes one of an asset's reference frames.

The image is copied beside the asset's file (``bibles/characters/frames/<id>-<n>.<ext>``, the
first free ``n``: an existing file is never replaced) and appended to the asset's
``reference_frames`` with its role, note and provenance (``FrameProvenance``; where it came from:
``composer.frames_lifecycle.sources``). The asset file keeps its comments and layout
(``yaml_edit``). From then on ``compose validate`` checks the frame and every ``compose shot``
of the asset attaches it.

Refused, each in one line and with nothing written: an image that is not a PNG, JPEG or WebP
(or does not decode), an unknown asset, a role the asset's kind cannot carry, an image the asset
already has (same content), an image outside every campaign folder and the library, and a result
a reviewer rejected (unless ``force``).
The copy is written first (whole or not at all) and the asset file second (whole or not at all);
if the second write fails the copy is removed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from composer.attachments import DEFAULT_ROLE, entry_path
from composer.errors import ReferenceFrameError
from composer.files import cannot_write, write_new, write_text
from composer.frames import check_frame, file_sha256, sniff_image_type, verify_frame
from composer.frames_lifecycle.assets import check_role
from composer.frames_lifecycle.errors import FrameLifecycleError
from composer.frames_lifecycle.sources import origin_of
from composer.frames_lifecycle.yaml_edit import append_frame
from composer.library import ASSET_KINDS, Library
from composer.loaded import Loaded
from composer.models import FrameProvenance, FrameRole, ReferenceFrame
from composer.yamlio import parse_yaml, read_text, validation_errors

FRAMES_DIR = "frames"
"""The folder beside an asset's file where its promoted frames go."""
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
MAX_COPIES = 10_000
"""Most ``<id>-<n>`` names tried before giving up (a folder that full is a mistake)."""


@dataclass(frozen=True)
class Promoted:
    """What a promote did."""

    asset: Loaded[Any]
    """The asset as it is now, the new frame included."""
    copy: Path
    """The image's copy in the library."""
    frame: ReferenceFrame
    """The entry appended to ``reference_frames``."""
    index: int
    """Its 1-based place in ``reference_frames``."""


def promote(library: Library, image: Path, *, kind: str, asset_id: str, role: str | None = None,
            note: str | None = None, force: bool = False, now: datetime | None = None) -> Promoted:
    """Promote ``image`` into the ``kind`` asset ``asset_id``'s reference frames (see the module)."""
    data, mime = _read_image(image)
    asset = library.load(kind, asset_id)
    role = role or DEFAULT_ROLE[kind]
    check_role(kind, role)
    _refuse_duplicate(image, data, asset)
    resolved = image.resolve()
    origin = origin_of(resolved, library)
    rejected = origin.get("verdict") == "reject"
    if rejected and not force:
        by = ", ".join(sorted(r for r, v in origin["reviewers"].items() if v == "reject"))
        raise FrameLifecycleError(f"{image} was rejected in review by {by} ({origin['folder']}); "
                                  "pass --force to promote it anyway")
    provenance = FrameProvenance(
        source=str(resolved), sha256=_sha256(data), promoted_at=(now or datetime.now(UTC)).replace(microsecond=0),
        forced=rejected, **{k: v for k, v in origin.items() if v is not None and v != {}},
    )
    folder = asset.path.parent / FRAMES_DIR
    text, digest = read_text(asset.path, root=library.root)
    copy = _free_name(folder, asset_id, EXTENSIONS[mime])
    relative = f"{FRAMES_DIR}/{copy.name}"
    frame = ReferenceFrame(path=relative, role=cast(FrameRole, role), note=note or None, provenance=provenance)
    new_text = append_frame(text, _entry(frame))
    _check_text(new_text, asset, kind)
    _write(asset.path, digest, library, folder, copy, data, new_text)
    loaded = library.load(kind, asset_id)
    library.frames(loaded, asset_id)  # the new frame resolves and is an image, as `compose validate` checks
    return Promoted(loaded, copy, frame, len(loaded.model.reference_frames))


def _read_image(image: Path) -> tuple[bytes, str]:
    """The image's bytes and type; one located reason when it is not a usable image."""
    try:
        checked = check_frame(image, root=None)
        verify_frame(checked)
        data = checked.read_bytes()
    except ReferenceFrameError as err:
        raise FrameLifecycleError(f"{image}: {err.reason.removeprefix(f'reference frame {image}: ')}") from None
    except OSError as exc:
        raise FrameLifecycleError(f"{image}: {exc.strerror or exc}") from None
    mime = sniff_image_type(data[:16])
    if mime is None:  # changed since it was checked
        raise FrameLifecycleError(f"{image}: not a PNG, JPEG or WebP image")
    return data, mime


def _refuse_duplicate(image: Path, data: bytes, asset: Loaded[Any]) -> None:
    """The same image twice in one asset's frames would only crowd the model's cap."""
    digest = _sha256(data)
    for index, entry in enumerate(asset.model.reference_frames, start=1):
        path = asset.path.parent / entry_path(entry)
        try:
            same = path.is_file() and file_sha256(path) == digest
        except OSError:
            same = False
        if same:
            raise FrameLifecycleError(f"{image} is already frame {index} of {asset.kind} {asset.id} "
                                      f"({entry_path(entry)})")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _free_name(folder: Path, asset_id: str, extension: str) -> Path:
    for n in range(1, MAX_COPIES + 1):
        path = folder / f"{asset_id}-{n}{extension}"
        if not os.path.lexists(path):
            return path
    raise FrameLifecycleError(f"{folder}: {MAX_COPIES} promoted frames of '{asset_id}' already; tidy the folder")


def _entry(frame: ReferenceFrame) -> dict[str, Any]:
    """The entry as written: path, role, note, then provenance (its verdicts before the date)."""
    entry = frame.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    entry["role"] = frame.role
    provenance = entry.pop("provenance")
    promoted_at = provenance.pop("promoted_at")
    entry["provenance"] = {**provenance, "promoted_at": promoted_at}
    return entry


def _check_text(text: str, asset: Loaded[Any], kind: str) -> None:
    """The edited file must still be a valid asset (it always should: this is a guard)."""
    try:
        ASSET_KINDS[kind][1].model_validate(parse_yaml(text, asset.path))
    except ValidationError as exc:
        first = validation_errors(exc, text, asset.path)[0]
        raise FrameLifecycleError(f"the edited {asset.path} would not validate ({first}); nothing written") from None


def _write(path: Path, digest: str, library: Library, folder: Path, copy: Path, data: bytes, text: str) -> None:
    """The copy, then the asset file (unchanged since it was read): both, or nothing."""
    made = not folder.exists()
    try:
        folder.mkdir(exist_ok=True)
        write_new(copy, data, durable=True)
    except OSError as exc:
        _discard(folder if made else None)
        if isinstance(exc, FileExistsError):
            raise FrameLifecycleError(f"{copy} appeared while promoting; nothing written, run it again") from None
        raise FrameLifecycleError(cannot_write(copy, exc)) from None
    try:
        if read_text(path, root=library.root)[1] != digest:
            raise FrameLifecycleError(f"{path} changed while promoting; nothing written, run it again")
        write_text(path, text, durable=True)
    except OSError as exc:
        _discard(folder if made else None, copy)
        raise FrameLifecycleError(cannot_write(path, exc)) from None
    except BaseException:
        _discard(folder if made else None, copy)
        raise


def _discard(folder: Path | None, copy: Path | None = None) -> None:
    """Undo a promote half done: the copy, and the frames folder if it was made for it."""
    with contextlib.suppress(OSError):
        if copy is not None:
            copy.unlink()
        if folder is not None:
            folder.rmdir()
