"""What every library model shares: strict immutable models, file-safe names, negative constraints
normalised, reference frames with roles."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError


class Asset(BaseModel):
    """Base of every library model: strict and immutable.

    The docstring under each field documents it in the source. Pydantic reads them into field
    descriptions only where the program shows them (``ShotDeltas``, in the TUI's form): reading
    them costs an ``inspect.getsource`` per class, a fifth of a cold start's own import time.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


_FILE_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+@-]*")
"""'+' is in: a shot's own slug joins its cast with it (``ada+bo--harbour``); '@' too: a bake-off
shot's id ends in ``@<target or backend>``."""


def _file_safe(value: str) -> str:
    if not _FILE_SAFE.fullmatch(value):
        raise PydanticCustomError(
            "file_safe_name",
            f"{value!r} is not a usable name: a name starts with a letter or digit and holds only letters, digits, "
            "dots, hyphens, underscores, plus and at signs (no slashes or spaces)",
        )
    return value


FileSafeName = Annotated[str, AfterValidator(_file_safe)]
"""A name that becomes part of a file name (a shot's ``name``, campaign cast, group and variant ids)."""


_LEADING_NO = re.compile(r"^no\b[\s:,]*", re.IGNORECASE)


def without_leading_no(item: str) -> str:
    """A negative constraint as templates expect it: templates write "No {item}", so an item written
    "no dogs" would read "No no dogs". The leading "no" is dropped (unless nothing else is left)."""
    rest = _LEADING_NO.sub("", item, count=1)
    return rest if rest else item


def negatives_of(field: str) -> Any:
    """A validator that normalises the negative constraints in ``field`` (``without_leading_no``)."""
    return field_validator(field)(lambda cls, items: [without_leading_no(item) for item in items])
FrameRole = Literal["identity", "wardrobe", "product", "style", "location", "logo"]
"""What a reference frame is for (``composer.attachments`` says what each tells the model)."""


Verdict = Literal["approve", "reject", "regenerate"]
"""A reviewer's verdict on a take (``composer.review``)."""


class FrameProvenance(Asset):
    """Where a promoted frame came from (``compose frame promote``): enough to find the result,
    the brief and the task again, and to see who approved it, without the campaign folder."""

    source: str = Field(min_length=1)
    """The image promoted, as an absolute path when it was promoted."""
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of the image (the copy in the library is byte-identical)."""
    promoted_at: datetime
    """When it was promoted (UTC, ISO 8601)."""
    kind: Literal["campaign", "shot", "library"]
    """What made it: a campaign run (a ledger row), ``compose shot --generate`` (a generation
    record), or nothing recorded (a file already inside the library)."""
    folder: str | None = None
    """The campaign or shot-results folder it was found in (absolute)."""
    shot: str | None = None
    """The ledger id (campaign) or the record's stem (shot) that made it."""
    take: int | None = Field(default=None, ge=1)
    """The review take it is, when the folder was reviewed."""
    brief: str | None = None
    """The brief file it was generated from (``briefs/<id>.json`` or ``<slug>.json``)."""
    brief_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of that brief file when promoted; None when the file is gone or holds another prompt
    than the one sent (the campaign was planned again since)."""
    prompt_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of the prompt as sent (UTF-8): always known for a generated result."""
    target: str | None = None
    model: str | None = None
    """The provider's model id requested (e.g. ``gpt-image-2-image-to-image``)."""
    backend: str | None = None
    task_id: str | None = None
    """The provider's task id."""
    verdict: Verdict | None = None
    """The review's verdict on the take: ``reject`` if anyone rejected it, else ``regenerate`` if
    anyone asked for that, else ``approve`` if anyone approved it; None when nobody gave one."""
    reviewers: dict[str, Verdict] = {}
    """Each reviewer's own verdict."""
    forced: bool = False
    """Promoted with ``--force`` over a reviewer's rejection."""


class ReferenceFrame(Asset):
    """A reference frame with its role. A plain path in a ``reference_frames`` list is the same
    as ``{path: ...}`` with the role its asset kind implies (characters ``identity``, products
    ``product``, styles ``style``, scenes ``location``, brand kits ``logo``)."""

    path: str = Field(min_length=1)
    """The image, relative to the file that lists it; it must stay inside the library."""
    role: FrameRole | None = None
    """What the model takes from it (default: the asset kind's role)."""
    note: str | None = Field(default=None, min_length=1)
    """What to take from it, in the brief's label instead of the role's default guidance
    (e.g. "match the jacket only")."""
    provenance: FrameProvenance | None = None
    """Where it came from, written by ``compose frame promote`` (never sent to a model)."""


FrameList = list[str | ReferenceFrame]


def check_roles(frames: FrameList, allowed: tuple[str, ...], what: str) -> FrameList:
    """Refuse a frame whose role the asset kind cannot carry."""
    for frame in frames:
        if isinstance(frame, ReferenceFrame) and frame.role is not None and frame.role not in allowed:
            raise ValueError(f"role '{frame.role}' is not one {what} carries (choose {', '.join(allowed)})")
    return frames


def roles_of(field: str, allowed: tuple[str, ...], what: str) -> Any:
    """A validator that refuses roles ``what`` cannot carry in ``field``."""
    def check(frames: FrameList) -> FrameList:
        return check_roles(frames, allowed, what)
    return field_validator(field)(check)
