"""Which asset an id names, for the ``compose frame`` commands: a kind given, or the one kind
that has the id (an id two kinds share must say which)."""

from __future__ import annotations

from typing import Any

from composer.frames_lifecycle.errors import FrameLifecycleError
from composer.library import Library
from composer.loaded import Loaded
from composer.models import FRAME_ROLES, KIND_NAMES, ReferenceFrame, check_roles

FRAME_KINDS: tuple[str, ...] = tuple(FRAME_ROLES)
"""The kinds of asset whose ``reference_frames`` the commands work on (character, product, style, scene)."""


def find_asset(library: Library, asset_id: str, kind: str | None = None) -> Loaded[Any]:
    """The asset ``asset_id`` of ``kind``, else of the one frame-holding kind that has it."""
    if kind is not None:
        return library.load(kind, asset_id)  # an unknown id: UnknownAssetError listing the known ones
    found = [k for k in FRAME_KINDS if asset_id in library.ids(k)]
    if not found:
        raise FrameLifecycleError(f"no character, product, style or scene '{asset_id}' in the library "
                                  f"{library.root}")
    if len(found) > 1:
        names = " and ".join(f"a {k}" for k in found)
        flags = " or ".join(f"--{k}" for k in found)
        raise FrameLifecycleError(f"'{asset_id}' is {names}: say which with {flags}")
    return library.load(found[0], asset_id)


def check_role(kind: str, role: str) -> None:
    """Refuse a role ``kind``'s frames cannot carry, with the model's own message."""
    if kind not in FRAME_ROLES:
        raise FrameLifecycleError(f"a {kind} has no reference frames to promote to (choose "
                                  f"{', '.join(FRAME_KINDS)})")
    try:
        check_roles([ReferenceFrame(path="x", role=role)], FRAME_ROLES[kind], KIND_NAMES[kind])
    except ValueError as exc:
        raise FrameLifecycleError(str(exc)) from None
