"""The asset models: the YAML schema of a composer library, documented where it is defined.

Every model refuses unknown fields, so a misspelt key is an error, not a silently ignored rule.
The docstring under each field is its documentation (pydantic reads it as the field description).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
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


def _negatives(field: str) -> Any:
    """A validator that normalises the negative constraints in ``field`` (``without_leading_no``)."""
    return field_validator(field)(lambda cls, items: [without_leading_no(item) for item in items])
FrameRole = Literal["identity", "wardrobe", "product", "style", "location", "logo"]
"""What a reference frame is for (``composer.attachments`` says what each tells the model)."""


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


FrameList = list[str | ReferenceFrame]


def check_roles(frames: FrameList, allowed: tuple[str, ...], what: str) -> FrameList:
    """Refuse a frame whose role the asset kind cannot carry."""
    for frame in frames:
        if isinstance(frame, ReferenceFrame) and frame.role is not None and frame.role not in allowed:
            raise ValueError(f"role '{frame.role}' is not one {what} carries (choose {', '.join(allowed)})")
    return frames


def _roles(field: str, allowed: tuple[str, ...], what: str) -> Any:
    """A validator that refuses roles ``what`` cannot carry in ``field``."""
    def check(frames: FrameList) -> FrameList:
        return check_roles(frames, allowed, what)
    return field_validator(field)(check)


class PaletteColour(Asset):
    name: str = Field(min_length=1)
    """The colour's name as the brief states it, e.g. "Sage Green"."""
    hex: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    """Its hex code, ``#RRGGBB``."""
    role: Literal["primary", "secondary", "accent", "background", "text", "neutral"]
    """What the colour is for in a frame."""
    required: bool = True
    """Whether every brief must name this colour (lint checks it)."""


class Typography(Asset):
    headline: str = Field(min_length=1)
    """Typeface and treatment for headlines."""
    body: str = Field(min_length=1)
    """Typeface and treatment for body copy."""
    rules: list[str] = []
    """Further typography rules, one sentence each."""


class LogoRules(Asset):
    clear_space: str = Field(min_length=1)
    """The clear-space rule around the logo, stated so a model can follow it."""
    placement: list[str] = []
    """Where the logo may go and how it may not be treated."""
    frames: FrameList = []
    """Images of the logo (role ``logo``), relative to the brand kit file; attached only to shots
    that place the logo (``deltas.logo``). A sub-brand's list replaces its parent's."""

    _frame_roles = _roles("frames", ("logo",), "a brand kit")


class LintException(Asset):
    """An explicit, named permission to break one lint rule for one term (e.g. red hair): the
    finding it covers becomes a notice that cites it."""

    rule: Literal["conflict", "palette", "exactness", "frames", "logo"]
    """The lint rule it applies to (e.g. ``conflict``)."""
    term: str = Field(min_length=1)
    """What it allows: a forbidden term or colour family (``red``), an off-palette hex, a counted
    noun, a cast id (``frames``) or ``logo``."""
    asset: str | None = Field(default=None, min_length=1)
    """Only for this asset id (e.g. ``fox``); default: wherever the term occurs."""
    reason: str = Field(min_length=1)
    """Why, and who approved it: shown in every brief that uses it."""


class KeyColour(Asset):
    """A colour that identifies a character or product in every image (pixel QC checks it is there)."""

    name: str = Field(min_length=1)
    """What the colour is, e.g. "copper-red curls"."""
    hex: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    """Its hex code, ``#RRGGBB``, as it looks in neutral light."""
    where: str = Field(min_length=1)
    """Where it appears on the subject ("hair", "jacket", "cap"): named in the QC finding."""


class BrandKit(Asset):
    name: str = Field(min_length=1)
    """Display name of the brand."""
    palette: list[PaletteColour] = Field(min_length=1)
    """The brand's colours, named, with hex codes and roles."""
    typography: Typography
    """Typography rules for any on-image text."""
    logo: LogoRules
    """Logo clear-space and placement rules."""
    mood: str = Field(min_length=1)
    """The brand's mood in a sentence or two."""
    must_include: list[str] = []
    """Things every image of this brand must show or respect."""
    do_not_include: list[str] = []
    """Negative constraints: what must never appear (e.g. "red anywhere in frame")."""
    _normalise_negatives = _negatives("do_not_include")
    lint_exceptions: list[LintException] = []
    """Named exceptions to lint rules that this brand approves."""


class TypographyPatch(Asset):
    headline: str | None = None
    """Typeface and treatment for headlines."""
    body: str | None = None
    """Typeface and treatment for body copy."""
    rules: list[str] = []
    """Further typography rules (added to the parent's)."""


class LogoPatch(Asset):
    clear_space: str | None = None
    """The clear-space rule around the logo."""
    placement: list[str] = []
    """Where the logo may go (added to the parent's)."""
    frames: FrameList | None = None
    """Images of the logo (role ``logo``); replaces the parent's list."""


class BrandKitFile(Asset):
    """A brand kit file as written: every field optional, so a sub-brand states only what differs."""

    extends: str | None = None
    """Id of the parent brand kit whose values this one inherits (lists merge, scalars override)."""
    name: str | None = None
    """Display name of the brand."""
    palette: list[PaletteColour] = []
    """Colours, merged with the parent's by name."""
    typography: TypographyPatch | None = None
    """Typography rules for any on-image text."""
    logo: LogoPatch | None = None
    """Logo clear-space and placement rules."""
    mood: str | None = None
    """The brand's mood in a sentence or two."""
    must_include: list[str] = []
    """Things every image of this brand must show or respect (added to the parent's)."""
    do_not_include: list[str] = []
    """Negative constraints (added to the parent's; a sub-brand can never remove one)."""
    _normalise_negatives = _negatives("do_not_include")
    lint_exceptions: list[LintException] = []
    """Named exceptions to lint rules that this brand approves."""


class Identity(Asset):
    face: str = Field(min_length=1)
    """Face shape, features, skin, eyes."""
    hair: str = Field(min_length=1)
    """Hair colour, length and curl pattern (or fur, feathers) exactly."""
    build: str = Field(min_length=1)
    """Body type, height, posture."""
    age: str | None = None
    """Apparent age, when it matters."""
    distinguishing: list[str] = []
    """Marks, accessories or features that must always be present."""


class Character(Asset):
    name: str = Field(min_length=1)
    """Display name."""
    summary: str = Field(min_length=1)
    """One or two sentences: the short form used by short targets (motion prompts)."""
    identity: Identity
    """Physical attributes; rendered byte-identically in every shot."""
    wardrobe: list[str] = Field(min_length=1)
    """Wardrobe rules: what they wear and what must not change."""
    consistency: list[str] = []
    """Notes that keep the character stable across scenes (e.g. a lighting-neutral preamble)."""
    relationships: dict[str, str] = {}
    """Other characters by id, with how they relate (optional material in a brief)."""
    do_not: list[str] = []
    """Character-specific negative constraints (e.g. "straightened hair")."""
    _normalise_negatives = _negatives("do_not")
    reference_frames: FrameList = []
    """Clean reference images, as paths relative to this file (inside the library): plain paths are
    ``identity`` frames; ``{path, role: wardrobe|product, note}`` says otherwise."""
    key_colours: list[KeyColour] = []
    """Colours every image of the character must show (hair, jacket...). Not part of the brief: pixel QC
    (``compose qc``) warns when one is absent from an image of the character. A cheap consistency
    signal, not identity recognition."""

    _frame_roles = _roles("reference_frames", ("identity", "wardrobe", "product"), "a character bible")


class Product(Asset):
    name: str = Field(min_length=1)
    """Display name."""
    summary: str = Field(min_length=1)
    """One or two sentences: the short form."""
    shape: str = Field(min_length=1)
    """Silhouette and proportions that must not change."""
    cap: str | None = None
    """Closure, cap or lid."""
    label: str = Field(min_length=1)
    """Label placement, text and typography on the product."""
    materials: list[str] = []
    """Materials and finishes (glass, brushed brass...)."""
    must_keep: list[str] = []
    """Details that must survive every shot."""
    do_not: list[str] = []
    """Product-specific negative constraints."""
    _normalise_negatives = _negatives("do_not")
    reference_frames: FrameList = []
    """Clean reference images, relative to this file, inside the library (role ``product``)."""
    key_colours: list[KeyColour] = []
    """Colours every image of the product must show (cap, label...); checked by pixel QC, never sent."""

    _frame_roles = _roles("reference_frames", ("product",), "a product bible")


class Style(Asset):
    name: str = Field(min_length=1)
    """Display name."""
    summary: str = Field(min_length=1)
    """A few sentences: the short form used when the brief must shrink."""
    medium: str = Field(min_length=1)
    """Medium and rendering (watercolour on cold-press paper, 35 mm editorial photography...)."""
    subject_matter: str = Field(min_length=1)
    """What this style depicts and how subjects are treated."""
    composition: str = Field(min_length=1)
    """Composition preferences."""
    colour_handling: str = Field(min_length=1)
    """How colour is handled."""
    lighting: str = Field(min_length=1)
    """Lighting philosophy."""
    do_not: list[str] = []
    """Things this style never does."""
    _normalise_negatives = _negatives("do_not")
    reference_frames: FrameList = []
    """Images of the style (role ``style``: medium, texture, brushwork), relative to this file."""

    _frame_roles = _roles("reference_frames", ("style",), "a style dossier")


class Scene(Asset):
    name: str = Field(min_length=1)
    """Display name."""
    summary: str = Field(min_length=1)
    """One sentence: the short form."""
    setting: str = Field(min_length=1)
    """Where the shot happens, described concretely."""
    lighting: str = Field(min_length=1)
    """Light sources, direction, quality, colour temperature."""
    camera: str = Field(min_length=1)
    """Camera position, angle and framing."""
    lens: str = Field(min_length=1)
    """Lens and depth of field."""
    mood: str = Field(min_length=1)
    """Atmosphere in a sentence."""
    colour_grade: str | None = None
    """Colour grade for this scene, if it has its own."""
    composition: str | None = None
    """Default composition for this scene (a shot's deltas may override it)."""
    props: list[str] = []
    """Props that dress the scene (optional material)."""
    motion: str | None = None
    """Default camera/subject motion for video targets."""
    do_not: list[str] = []
    """Scene-specific negative constraints."""
    _normalise_negatives = _negatives("do_not")
    reference_frames: FrameList = []
    """Images of the place (role ``location``), relative to this file."""

    _frame_roles = _roles("reference_frames", ("location",), "a scene")


class MotionModel(Asset):
    """How a KIE video model takes its input, as data: a team adds a video model to its
    ``composer.yaml`` without code (docs/generation.md has a worked example).

    The target's ``model`` is the KIE model id sent with a first frame; every task sends
    ``prompt``, the frame's uploaded URL in ``frame_field``, and the options below when given.
    """

    text_model: str | None = None
    """The KIE model id used when no first frame is sent (``sora-2-text-to-video``); None when
    the model needs a first frame."""
    frame_field: str = Field(default="image_urls", min_length=1)
    """The input field that takes the first frame's uploaded URL."""
    frame_list: bool = True
    """Whether ``frame_field`` is a list of URLs (``image_urls: [url]``) or one URL (``image_url: url``)."""
    max_frame_mb: float = Field(default=10, gt=0)
    """The largest first frame the model accepts, in MB of 1,000,000 bytes (10 for Sora 2 on KIE);
    a larger one is refused before it is uploaded."""
    duration_field: str = Field(default="n_frames", min_length=1)
    """The input field that takes the clip length (``--n-frames``), sent as a string as KIE documents it."""
    durations: list[int] = []
    """Allowed clip lengths in seconds; empty when the model takes no length."""
    aspect_ratio_field: str = Field(default="aspect_ratio", min_length=1)
    """The input field that takes ``--aspect-ratio``."""
    aspect_ratios: list[str] = []
    """Allowed aspect ratios; empty when the model takes none (the clip follows the first frame)."""
    input: dict[str, str | int | float | bool] = {}
    """Fixed input fields sent with every task (e.g. ``remove_watermark: true``)."""


class Target(Asset):
    max_chars: int = Field(gt=0)
    """The model's prompt window in characters."""
    template: str = Field(min_length=1)
    """Template file (in the library's ``templates/``) that renders briefs for this target."""
    backend: Literal["kie", "openai"] = "kie"
    """Which generation backend serves this target."""
    model: str = Field(min_length=1)
    """The model id the backend is asked for."""
    kind: Literal["image", "video"] = "image"
    """Whether the target makes stills or motion."""
    description: str = ""
    """What the target is and where its window comes from."""
    motion: MotionModel | None = None
    """For a video target on KIE: how its model takes the first frame, lengths and aspect ratios."""


class Defaults(Asset):
    brand: str | None = None
    """Brand kit used when a shot names none."""
    style: str | None = None
    """Style dossier used when a shot names none."""
    target: str = "gpt-image-2"
    """Target used when a shot names none."""


class LibraryConfig(Asset):
    name: str = "composer library"
    """Display name of the library."""
    defaults: Defaults = Defaults()
    """Defaults for shots."""
    targets: dict[str, Target] = {}
    """Extra targets, or overrides of the built-in ones, by name."""


class ShotDeltas(Asset):
    """Per-shot deltas: what changes from shot to shot while the bibles stay fixed."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    action: str | None = None
    """What the cast is doing."""
    expression: str | None = None
    """Facial expression or attitude."""
    framing: str | None = None
    """Shot size and framing (close-up, three-quarter, wide...)."""
    composition: str | None = None
    """Object placement; overrides the scene's composition."""
    order: list[str] = []
    """Left-to-right order of the named subjects or objects."""
    counts: list[str] = []
    """Exact counts, e.g. "4 candles" (stated as "exactly 4 candles")."""
    lighting: str | None = None
    """Lighting override."""
    camera: str | None = None
    """Camera override."""
    lens: str | None = None
    """Lens override."""
    mood: str | None = None
    """Mood override."""
    colour_grade: str | None = None
    """Colour grade override."""
    text: str | None = None
    """On-image text, verbatim."""
    logo: str | None = None
    """Logo placement for this shot (the brand's clear-space rule is stated with it)."""
    motion: str | None = None
    """Camera and subject motion, for video targets."""
    negative: list[str] = []
    """Extra negative constraints for this shot."""
    _normalise_negatives = _negatives("negative")
    notes: list[str] = []
    """Anything else the brief must say."""
    lint_exceptions: list[LintException] = []
    """Named exceptions to lint rules approved for this shot."""

    @classmethod
    def list_fields(cls) -> frozenset[str]:
        return frozenset(name for name, f in cls.model_fields.items() if f.annotation == list[str])


class Anchor(Asset):
    """What one score on a rubric dimension means, in plain words."""

    score: int = Field(ge=0, le=100)
    """The score it describes (within the rubric's scale)."""
    means: str = Field(min_length=1)
    """What an image at this score looks like, e.g. "passes a quick review, ten minutes of cleanup"."""


class Dimension(Asset):
    """One thing a reviewer scores on every take."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """Short id: the column name in exports and imports (e.g. ``fidelity``)."""
    name: str = Field(min_length=1)
    """Display name, e.g. "Image fidelity"."""
    question: str = Field(min_length=1)
    """What the reviewer judges, as one question."""
    anchors: list[Anchor] = Field(min_length=1)
    """Anchors for the scale, highest first: what a 10, a 7, a 4 and a 1 look like."""


RESERVED_COLUMNS = frozenset({"shot_id", "take", "reviewer", "verdict", "note"})
"""Export columns a dimension id may not take."""


class Rubric(Asset):
    """A review rubric (``rubrics/<id>.yaml``): the dimensions every take is scored on."""

    name: str = Field(min_length=1)
    """Display name of the rubric."""
    description: str = ""
    """What the rubric is for and where it comes from."""
    scale_min: int = Field(default=0, ge=0)
    """The lowest score a reviewer may give."""
    scale_max: int = Field(default=10, ge=1, le=100)
    """The highest score a reviewer may give."""
    divergence_threshold: float = Field(default=1, ge=0)
    """Reviewers whose scores for one take and dimension differ by more than this many points
    diverge: the reconcile page lists them until someone writes a resolution."""
    dimensions: list[Dimension] = Field(min_length=1)
    """The dimensions, in the order reviewers see them."""

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        if self.scale_min >= self.scale_max:
            raise ValueError(f"scale_min {self.scale_min} must be below scale_max {self.scale_max}")
        seen: set[str] = set()
        for index, dimension in enumerate(self.dimensions):
            if dimension.id in seen or dimension.id in RESERVED_COLUMNS:
                what = "is used twice" if dimension.id in seen else "is a reserved export column"
                raise ValueError(f"dimensions.{index}.id: '{dimension.id}' {what}")
            seen.add(dimension.id)
            scores = [a.score for a in dimension.anchors]
            if any(not self.scale_min <= s <= self.scale_max for s in scores):
                raise ValueError(f"dimensions.{index}.anchors: scores must lie in {self.scale_min}-{self.scale_max}")
            if scores != sorted(set(scores), reverse=True):
                raise ValueError(f"dimensions.{index}.anchors: list each score once, highest first")
        return self

    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.dimensions]
