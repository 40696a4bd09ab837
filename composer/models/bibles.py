"""The bibles: characters, products, styles and scenes, each held fixed from shot to shot."""

from __future__ import annotations

from pydantic import Field

from composer.models.base import Asset, FrameList, FrameRole, negatives_of, roles_of

FRAME_ROLES: dict[str, tuple[FrameRole, ...]] = {
    "character": ("identity", "wardrobe", "product"),
    "product": ("product",),
    "style": ("style",),
    "scene": ("location",),
}
"""The roles each kind of bible's ``reference_frames`` may carry (``compose frame promote`` asks the same)."""
KIND_NAMES = {"character": "a character bible", "product": "a product bible", "style": "a style dossier",
              "scene": "a scene"}


class KeyColour(Asset):
    """A colour that identifies a character or product in every image (pixel QC checks it is there)."""

    name: str = Field(min_length=1)
    """What the colour is, e.g. "copper-red curls"."""
    hex: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    """Its hex code, ``#RRGGBB``, as it looks in neutral light."""
    where: str = Field(min_length=1)
    """Where it appears on the subject ("hair", "jacket", "cap"): named in the QC finding."""


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
    _normalise_negatives = negatives_of("do_not")
    reference_frames: FrameList = []
    """Clean reference images, as paths relative to this file (inside the library): plain paths are
    ``identity`` frames; ``{path, role: wardrobe|product, note}`` says otherwise."""
    key_colours: list[KeyColour] = []
    """Colours every image of the character must show (hair, jacket...). Not part of the brief: pixel QC
    (``compose qc``) warns when one is absent from an image of the character. A cheap consistency
    signal, not identity recognition."""

    _frame_roles = roles_of("reference_frames", FRAME_ROLES["character"], KIND_NAMES["character"])


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
    _normalise_negatives = negatives_of("do_not")
    reference_frames: FrameList = []
    """Clean reference images, relative to this file, inside the library (role ``product``)."""
    key_colours: list[KeyColour] = []
    """Colours every image of the product must show (cap, label...); checked by pixel QC, never sent."""

    _frame_roles = roles_of("reference_frames", FRAME_ROLES["product"], KIND_NAMES["product"])


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
    _normalise_negatives = negatives_of("do_not")
    reference_frames: FrameList = []
    """Images of the style (role ``style``: medium, texture, brushwork), relative to this file."""

    _frame_roles = roles_of("reference_frames", FRAME_ROLES["style"], KIND_NAMES["style"])


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
    _normalise_negatives = negatives_of("do_not")
    reference_frames: FrameList = []
    """Images of the place (role ``location``), relative to this file."""

    _frame_roles = roles_of("reference_frames", FRAME_ROLES["scene"], KIND_NAMES["scene"])
