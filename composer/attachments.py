"""Reference frames with roles, and the one list of images a brief attaches.

Every reference frame has a role that says what a model should take from it:

==========  ===========================================  =====================================
role        carried by                                   the model is told to match
==========  ===========================================  =====================================
identity    character bibles (a plain path's role)       face, hair and build
wardrobe    character bibles                             clothes and accessories
product     product bibles (a plain path's role);        shape, proportions, materials, label
            character bibles (a signature prop)
style       style dossiers (a plain path's role)         medium, texture and brushwork
location    scenes (a plain path's role)                 the setting's architecture and layout
logo        brand kits, ``logo.frames`` (plain: logo)    the logo itself, where the brief puts it
==========  ===========================================  =====================================

A shot gathers its candidate frames (cast first, in cast order, then the brand's logo when the shot
places one, the scene's, the style's, and explicit ``--reference`` frames), and ``choose`` keeps as
many as the target's model takes (``composer.backends.options.input_image_cap``), by role priority
(identity, product, wardrobe, logo, location, style; each owner's first frame of a role before
anyone's second), in the order gathered. The kept frames are the brief's attachments: image *n* of
the request is ``Attachments.frames[n - 1]``, and the brief's labels ("Image 1: Isla, identity
reference: ...") are rendered from the same tuple, so order and labels cannot disagree. Frames left
out are reported like the guard's cuts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from composer.models import FrameRole, ReferenceFrame

ROLES: tuple[FrameRole, ...] = get_args(FrameRole)

ROLE_PRIORITY: tuple[FrameRole, ...] = ("identity", "product", "wardrobe", "logo", "location", "style")
"""Which frames a capped request keeps first."""

GUIDANCE: dict[FrameRole, str] = {
    "identity": "match face, hair and build; take nothing else from it",
    "wardrobe": "match the clothes and accessories; take nothing else from it",
    "product": "match shape, proportions, materials and label; take nothing else from it",
    "style": "match medium, texture and brushwork only",
    "location": "match the setting's architecture, materials and layout; take nothing else from it",
    "logo": "reproduce this logo exactly, only where the brief places it",
}
"""What each role's label tells the model; a frame's ``note`` replaces it."""

DEFAULT_ROLE: dict[str, FrameRole] = {
    "character": "identity", "product": "product", "style": "style", "scene": "location", "brand": "logo",
    "shot": "identity",
}
"""The role of a plain path, by the kind of asset that lists it (``shot``: an explicit ``--reference``)."""


def split_reference(reference: str) -> tuple[FrameRole | None, str]:
    """An explicit reference, ``PATH`` or ``ROLE=PATH`` (``--reference style=moodboard.png``)."""
    role, _, path = reference.partition("=")
    for known in ROLES:
        if path and role == known:
            return known, path
    return None, reference


def rebase_reference(reference: str, rebase: Callable[[str], str]) -> str:
    """``reference`` with its path (not its role prefix) passed through ``rebase``."""
    role, path = split_reference(reference)
    return f"{role}={rebase(path)}" if role else rebase(path)


def entry_path(entry: str | ReferenceFrame) -> str:
    """The path of a ``reference_frames`` entry, plain or with a role."""
    return entry if isinstance(entry, str) else entry.path


def entry_role(entry: str | ReferenceFrame, kind: str) -> FrameRole:
    """The entry's role: its own, else the default of the asset kind that lists it."""
    if isinstance(entry, ReferenceFrame) and entry.role is not None:
        return entry.role
    return DEFAULT_ROLE[kind]


@dataclass(frozen=True)
class Frame:
    """One candidate reference frame: the file, its role, and whose it is."""

    path: Path
    """Resolved and checked (``composer.frames.check_frame``)."""
    role: FrameRole
    owner: str
    """Display name of the asset it belongs to ("Isla"), empty for an explicit ``--reference``."""
    owner_kind: str
    """``character``, ``product``, ``style``, ``scene``, ``brand``, ``shot`` (an explicit ``--reference``)
    or ``still`` (a video shot's locked first frame: the still it animates, attached alone)."""
    owner_id: str | None = None
    note: str | None = None
    """What to take from it, replacing the role's default guidance."""
    listed_in: Path | None = None
    """The asset file that lists it (None for an explicit ``--reference``)."""

    def label(self) -> str:
        """E.g. "Isla, identity reference: match face, hair and build; take nothing else from it"."""
        who = f"{self.owner}, " if self.owner else ""
        return f"{who}{self.role} reference: {self.note or GUIDANCE[self.role]}"

    def describe(self) -> str:
        return f"{self.owner or 'explicit'} {self.role} frame {self.path.name}"


@dataclass(frozen=True)
class Attachments:
    """The images a brief attaches, in request order, and the candidates the cap left out."""

    frames: tuple[Frame, ...] = ()
    left_out: tuple[Frame, ...] = ()
    cap: int = 0

    @property
    def paths(self) -> list[Path]:
        return [f.path for f in self.frames]

    def context(self) -> list[dict[str, Any]]:
        """Template data: ``index`` (1-based, the request order), ``role``, ``owner``, ``label``."""
        return [{"index": i, "role": f.role, "owner": f.owner, "owner_id": f.owner_id, "label": f.label(),
                 "file": f.path.name} for i, f in enumerate(self.frames, 1)]

    def cuts(self) -> list[str]:
        """The frames left out, one line each, as the guard reports its cuts."""
        plural = "s" if self.cap != 1 else ""
        return [f"{f.describe()} left out: the model takes {self.cap} image{plural}, kept by role priority "
                f"({', '.join(ROLE_PRIORITY)})" for f in self.left_out]


def choose(candidates: Iterable[Frame], cap: int) -> Attachments:
    """Keep at most ``cap`` frames by role priority (each owner's first frame of a role before any
    owner's second), in the order gathered; report the rest."""
    frames = list(dict.fromkeys(candidates))  # a frame named twice is attached once
    seen: Counter[tuple[str | None, str, FrameRole]] = Counter()
    ranks = []
    for frame in frames:
        key = (frame.owner_id, frame.owner_kind, frame.role)
        ranks.append((ROLE_PRIORITY.index(frame.role), seen[key]))
        seen[key] += 1
    order = sorted(range(len(frames)), key=lambda i: (ranks[i], i))
    kept = set(order[:cap])
    return Attachments(frames=tuple(f for i, f in enumerate(frames) if i in kept),
                       left_out=tuple(f for i, f in enumerate(frames) if i not in kept), cap=cap)
