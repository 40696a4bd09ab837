"""The campaign file: a whole shoot in one YAML file, validated like every asset.

A campaign names its defaults (brand kit, style, target, backend, generation options), a cast
(campaign-local names for who and what appears together), explicit shots (the ``shots:`` list the
TUI appends to, one ShotSpec mapping each) and shot groups. A group is either a list of explicit
shots or a matrix: cast x scenes x variants, with per-group deltas and options and a number of
takes (images) per shot. Exclusions forbid pairs; quotas bound how many images an id gets.

Every model refuses unknown fields; the docstring under each field is its documentation.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from composer.models import Asset, FileSafeName, ShotDeltas
from composer.shot import ShotSpec

CampaignId = FileSafeName
"""Campaign-local ids (cast, group and variant names) are file-name safe: they end up in shot ids."""

DEFAULT_MAX_SHOTS = 10_000
"""The expansion cap when a campaign sets none: more shots than this need explicit confirmation."""

Pair = Annotated[list[str], Field(min_length=2, max_length=2)]

EXPLICIT_GROUP = "shots"
"""The group that the top-level ``shots:`` list belongs to."""


class GenerationOptions(Asset):
    """Generation options: what the backend is asked for besides the prompt. Unset means the backend's default."""

    aspect_ratio: str | None = None
    """Aspect ratio, e.g. ``1:1``, ``4:5``, ``16:9`` (KIE); for Sora ``landscape`` or ``portrait``."""
    resolution: Literal["1K", "2K", "4K"] | None = None
    """Output resolution on KIE's GPT Image 2 (``auto`` aspect ratio allows only 1K)."""
    size: str | None = None
    """Output size on OpenAI's Images API, e.g. ``1024x1536`` or ``auto``."""
    quality: Literal["low", "medium", "high", "auto"] | None = None
    """Rendering quality on OpenAI's Images API."""
    output_format: Literal["png", "jpeg", "webp"] | None = None
    """File format on OpenAI's Images API."""
    n_frames: int | None = Field(default=None, gt=0)
    """Clip length in seconds for video targets (Sora 2: 10 or 15; the target's ``motion.durations``)."""

    def merged(self, over: GenerationOptions) -> GenerationOptions:
        """These options with every field ``over`` sets taken from ``over``."""
        return self.model_copy(update=over.model_dump(exclude_none=True))


class CastMember(Asset):
    """Who and what appear together in a shot, under one campaign-local name."""

    characters: list[str] = []
    """Character ids."""
    products: list[str] = []
    """Product ids."""
    label: str | None = None
    """Display name in plans, manifests and contact sheets (default: the cast id)."""

    @model_validator(mode="after")
    def _not_empty(self) -> CastMember:
        if not self.characters and not self.products:
            raise ValueError("a cast member needs at least one character or product")
        return self


class Variant(Asset):
    """One variation within a matrix group: its own deltas and options on top of the group's."""

    name: CampaignId
    """The variant's name: part of each shot's identity, so renaming it makes new shots."""
    deltas: ShotDeltas = ShotDeltas()
    """Deltas for this variant; lists extend the group's, scalars override them."""
    options: GenerationOptions = GenerationOptions()
    """Options for this variant; they override the group's."""


class Group(Asset):
    """A shot group: explicit ``shots``, or a matrix of ``cast`` x ``scenes`` x ``variants``."""

    description: str = ""
    """What the group is for (shown in index.md)."""
    shots: list[ShotSpec] = []
    """Explicit shots (ShotSpec mappings). A group has either these or ``scenes``."""
    cast: list[str] = []
    """Matrix axis: cast ids from the campaign's ``cast``, or ``"*"`` for all of them (empty: no cast axis)."""
    scenes: list[str] = []
    """Matrix axis: scene ids."""
    variants: list[Variant] = []
    """Matrix axis: named variants (empty: one shot per cast and scene)."""
    characters: list[str] = []
    """Characters added to every matrix shot of the group (e.g. the model who wears each product)."""
    products: list[str] = []
    """Products added to every matrix shot of the group."""
    deltas: ShotDeltas = ShotDeltas()
    """Deltas for every matrix shot of the group."""
    options: GenerationOptions = GenerationOptions()
    """Options for every shot of the group; they override the campaign's."""
    images: int = Field(default=1, ge=1)
    """Takes per shot: each take is its own shot (own id, own task, own image) from the same brief."""
    brand: str | None = None
    """Brand kit for the group's matrix shots (default: the campaign's)."""
    style: str | None = None
    """Style dossier for the group's matrix shots (default: the campaign's)."""
    target: str | None = None
    """Target for the group's matrix shots (default: the campaign's)."""
    backend: Literal["kie", "openai"] | None = None
    """Backend for the group (default: the campaign's, else the target's)."""
    targets: list[str] = []
    """A bake-off: every shot of the group is made once per target named here (two or more), its
    id ending in ``@<target>``; the review compares them blind. Instead of ``target``."""
    backends: list[Literal["kie", "openai"]] = []
    """A bake-off across backends: every shot made once per backend (two or more), its id ending in
    ``@<backend>``. Instead of ``backend``; not with ``targets``."""
    from_: CampaignId | None = Field(default=None, alias="from")
    """A motion group: one clip per shot of the group named here (its stills), the still's image as
    the locked first frame and the prompt composed from the same bibles and the still's own scene
    (``composer.campaign.chain``). Instead of ``shots`` or a matrix; needs a video ``target``."""
    use: Literal["approved", "done"] = "approved"
    """With ``from``: which stills are animated: those approved in review (``compose review``), or
    every still that is done. The others are listed as waiting."""

    @model_validator(mode="after")
    def _contenders(self) -> Group:
        for field, single, many in (("targets", self.target, self.targets),
                                    ("backends", self.backend, self.backends)):
            if many and single is not None:
                raise ValueError(f"a group names either `{field[:-1]}` or `{field}`, not both")
            if len(many) == 1:
                raise ValueError(f"`{field}` names a bake-off: list two or more (or use `{field[:-1]}`)")
            if len(set(many)) != len(many):
                raise ValueError(f"`{field}` lists the same one twice")
        if self.targets and self.backends:
            raise ValueError("a bake-off group names `targets` or `backends`, not both")
        return self

    @model_validator(mode="after")
    def _one_form(self) -> Group:
        matrix = self.cast or self.scenes or self.variants or self.characters or self.products
        if self.from_ is not None:
            if self.shots or matrix or self.targets or self.backends:
                raise ValueError("a `from` group takes its shots from another group's stills: it has no `shots`, "
                                 "`cast`, `scenes`, `variants`, `characters`, `products`, `targets` or `backends`")
            if self.target is None:
                raise ValueError("a `from` group makes motion clips: name a video `target` (e.g. sora-2)")
            return self
        if "use" in self.model_fields_set:
            raise ValueError("`use` goes with `from` (the group whose stills are animated)")
        if self.shots and matrix:
            raise ValueError("a group has either explicit `shots` or a matrix (`cast`, `scenes`, `variants`), not both")
        if not self.shots and not self.scenes:
            raise ValueError("a group needs `shots` or, for a matrix, `scenes`")
        return self


class Quota(Asset):
    """Bounds on how many images an id (or each id of a kind) gets across the campaign."""

    of: list[str] = []
    """Ids a shot must all involve to count (cast, character, product, scene, group or variant ids)."""
    each: Literal["cast", "character", "product", "scene", "group"] | None = None
    """Apply the bounds to each id of this kind that the campaign uses, instead of ``of``."""
    min: int | None = Field(default=None, ge=0)
    """At least this many images."""
    max: int | None = Field(default=None, ge=0)
    """At most this many images."""

    @model_validator(mode="after")
    def _well_formed(self) -> Quota:
        if bool(self.of) == (self.each is not None):
            raise ValueError("a quota needs exactly one of `of` (ids) or `each` (a kind)")
        if self.min is None and self.max is None:
            raise ValueError("a quota needs `min`, `max` or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"quota min {self.min} is above its max {self.max}")
        return self


class Campaign(Asset):
    """A campaign file's schema. Only ``shots`` or ``groups`` is needed; everything else has a default."""

    name: str = ""
    """Display name of the campaign."""
    description: str = ""
    """What the campaign is (shown in index.md)."""
    brand: str | None = None
    """Brand kit for every shot that names none (default: the library's)."""
    style: str | None = None
    """Style dossier for every shot that names none (default: the library's)."""
    target: str | None = None
    """Target for every shot that names none (default: the library's)."""
    backend: Literal["kie", "openai"] | None = None
    """Backend for every shot (default: each target's own)."""
    options: GenerationOptions = GenerationOptions()
    """Generation options for every shot; groups and variants override them."""
    rubric: str = "default"
    """The review rubric (``rubrics/<id>.yaml``) its takes are scored on (``compose review``)."""
    max_shots: int = Field(default=DEFAULT_MAX_SHOTS, ge=1)
    """Expansion cap: a campaign with more shots is refused unless confirmed."""
    cast: dict[CampaignId, CastMember] = {}
    """Campaign-local cast ids -> who and what appears together."""
    shots: list[ShotSpec] = []
    """Explicit shots (the group ``shots``); the TUI's "save shot to campaign" appends here."""
    groups: dict[CampaignId, Group] = {}
    """Shot groups by id, in file order."""
    exclusions: list[Pair] = []
    """Pairs of ids that must never meet in one shot, e.g. ``[fox, castle]``."""
    quotas: list[Quota] = []
    """Bounds on images per id; a campaign outside them is refused."""

    @model_validator(mode="after")
    def _well_formed(self) -> Campaign:
        if not self.shots and not self.groups:
            raise ValueError("a campaign needs `shots` or `groups`")
        if EXPLICIT_GROUP in self.groups:
            raise ValueError(f"`{EXPLICIT_GROUP}` is the top-level shot list's group; name the group otherwise")
        return self
