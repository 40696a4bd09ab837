"""Composing a shot: load its assets, render the target's template, fit it, count it.

``Composer(library).compose(spec)`` is the one entry point the CLI, the TUI and campaigns share
(``compose_shot`` is the one-off form).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from composer.attachments import Attachments, Frame, choose, split_reference
from composer.capabilities import input_image_cap
from composer.errors import ShotError
from composer.frames import check_frame, file_sha256
from composer.guard import Shortening, fit
from composer.library import Library
from composer.lint import Finding, lint_brief
from composer.loaded import Loaded
from composer.models import BrandKit, Character, Product, Scene, Style, Target
from composer.omitted import ReadDeltas, left_out
from composer.render import Cut, Fragment, Renderer, plain_text, serialize
from composer.shot import ShotSpec
from composer.tokens import TokenCount, TokenCounter, shared_counter


@dataclass(frozen=True)
class ShotAssets:
    """Everything a shot draws on, loaded and checked: what templates render and lint inspects."""

    target_name: str
    target: Target
    brand: Loaded[BrandKit] | None
    style: Loaded[Style] | None
    scene: Loaded[Scene]
    characters: list[Loaded[Character]]
    products: list[Loaded[Product]]
    attachments: Attachments = field(default_factory=Attachments)
    """The images the brief attaches, in request order, with their roles and labels."""

    @property
    def reference_frames(self) -> list[Path]:
        return self.attachments.paths

    def loaded(self) -> list[Loaded[Any]]:
        found: list[Loaded[Any] | None] = [self.brand, self.style, self.scene, *self.characters, *self.products]
        return [a for a in found if a is not None]

    def context(self, spec: ShotSpec) -> dict[str, Any]:
        """The template context: plain data only (the sandbox never sees model objects)."""
        return {
            "shot": {
                "target": self.target_name,
                "kind": self.target.kind,
                "has_frames": bool(self.attachments.frames),
            },
            "attachments": self.attachments.context(),
            "brand": self.brand.context if self.brand else None,
            "style": self.style.context if self.style else None,
            "scene": self.scene.context,
            "characters": [c.context for c in self.characters],
            "products": [p.context for p in self.products],
            "cast_ids": [*spec.characters, *spec.products],
            "names": {**{c.id: c.model.name for c in self.characters}, **{p.id: p.model.name for p in self.products}},
            "deltas": ReadDeltas(plain_text(spec.deltas.model_dump())),
        }


@dataclass(frozen=True)
class Brief:
    """A composed, guarded brief, ready to export or send."""

    spec: ShotSpec
    assets: ShotAssets
    limit: int
    prompt: str
    tokens: TokenCount
    shortenings: list[Shortening]
    warnings: list[str]
    sources: list[dict[str, str]]
    tree: Fragment = field(repr=False)
    cuts: dict[str, Cut] = field(repr=False)
    left_out: list[str] = field(default_factory=list)
    """The deltas the shot sets that the target's template never uses (``composer.omitted``)."""

    @cached_property
    def findings(self) -> list[Finding]:
        """Lint findings (composer.lint), worst first; errors block generation.

        Computed on first use: every caller that shows or sends a brief reads them (the CLI, the
        TUI, campaigns, generation), while a caller that only needs the text does not pay for lint.
        """
        return lint_brief(self)

    @property
    def target_name(self) -> str:
        return self.assets.target_name

    @property
    def target(self) -> Target:
        return self.assets.target

    @property
    def reference_frames(self) -> list[Path]:
        return self.assets.reference_frames

    @property
    def chars(self) -> int:
        return len(self.prompt)

    @property
    def slug(self) -> str:
        return self.spec.slug()

    @property
    def mode(self) -> str:
        source = "image" if self.reference_frames else "text"
        return f"{source}-to-{'video' if self.target.kind == 'video' else 'image'}"

    @property
    def dropped(self) -> list[str]:
        """The guard's cuts, the reference frames the model's image cap left out, then the deltas the
        target's template does not use."""
        return [s.describe() for s in self.shortenings] + self.assets.attachments.cuts() + self.left_out

    def markdown_body(self) -> str:
        """The same brief with Markdown headings instead of the prompt's plain ones."""
        return serialize(self.tree, self.cuts, headings="markdown")

    def summary_line(self) -> str:
        cut = "; ".join(self.dropped) if self.dropped else "nothing dropped"
        return (
            f"{self.slug} -> {self.target_name}: {self.chars:,}/{self.limit:,} chars, {self.tokens}, {self.mode}, {cut}"
        )


class Composer:
    """Composes shots against one library, reusing its caches, templates and tokenizer."""

    def __init__(self, library: Library, counter: TokenCounter | None = None) -> None:
        self.library = library
        self.renderer = Renderer(library.template_dirs())
        self.counter = counter or shared_counter()

    def gather(self, spec: ShotSpec, first_frame: Path | None = None) -> ShotAssets:
        """Load and check every asset the shot names (or the library's defaults).

        ``first_frame`` is a video shot's locked first frame (a still of the shot, e.g. an approved
        campaign result): it is attached alone, since it already shows the cast, scene and style whose
        reference sheets would otherwise compete for the model's one input image. For an image target
        it means nothing special: it is attached like ``--reference`` (and generating refuses it).
        """
        _refuse_named_twice(spec)
        lib = self.library
        defaults = lib.config.defaults
        target_name = spec.target or defaults.target
        brand_id, style_id = spec.brand or defaults.brand, spec.style or defaults.style
        characters = [lib.character(i) for i in spec.characters]
        products = [lib.product(i) for i in spec.products]
        brand = lib.brand(brand_id) if brand_id else None
        style = lib.style(style_id) if style_id else None
        scene = lib.scene(spec.scene)
        target = lib.target(target_name)
        owners: list[Loaded[Any] | None] = [*characters, *products, brand if spec.deltas.logo else None, scene, style]
        frames = [frame for owner in owners if owner is not None for frame in lib.frames(owner, _owner_name(owner))]
        frames += [explicit_frame(ref) for ref in spec.references]
        if first_frame is not None and target.kind == "video":
            frames = [still_frame(first_frame)]
        elif first_frame is not None:
            frames.append(explicit_frame(str(first_frame)))
        cap = input_image_cap(target.backend, target.model, target.kind)
        return ShotAssets(target_name=target_name, target=target, brand=brand, style=style, scene=scene,
                          characters=characters, products=products, attachments=choose(frames, cap))

    def compose(self, spec: ShotSpec, first_frame: Path | None = None) -> Brief:
        assets = self.gather(spec, first_frame)
        context = assets.context(spec)
        rendered = self.renderer.render(assets.target.template, context)
        limit = spec.max_chars or assets.target.max_chars
        fitted = fit(rendered.root, limit, target=assets.target_name)
        tokens = self.counter.count(fitted.text)
        warnings = []
        if not tokens.exact:
            warnings.append(self.counter.estimate_warning())
        return Brief(
            spec=spec,
            assets=assets,
            limit=limit,
            prompt=fitted.text,
            tokens=tokens,
            shortenings=fitted.shortenings,
            warnings=warnings,
            sources=self._sources(assets, rendered.templates),
            tree=rendered.root,
            cuts=fitted.cuts,
            left_out=left_out(spec.deltas.model_dump(), context["deltas"], assets.target.template),
        )

    def _sources(self, assets: ShotAssets, templates: list[tuple[Path, str]]) -> list[dict[str, str]]:
        """Every file the brief was made from, with its SHA-256."""
        lib = self.library
        sources = [lib.config_source] if lib.config_source else []
        sources += [source for a in assets.loaded() for source in a.sources()]
        sources += [{"kind": "template", "id": p.name, "path": str(p), "sha256": d} for p, d in templates]
        sources += [
            {
                "kind": "reference_frame",
                "id": f.name,
                "path": str(f),
                "sha256": lib.frame_digests.get(f) or file_sha256(f),
            }  # explicit --reference frames
            for f in assets.reference_frames
        ]
        return sources


def _refuse_named_twice(spec: ShotSpec) -> None:
    """A cast member named twice would render twice (and its fragment ids clash): say so plainly."""
    for kind, ids in (("character", spec.characters), ("product", spec.products)):
        twice = next((i for n, i in enumerate(ids) if i in ids[:n]), None)
        if twice is not None:
            flag = "-c" if kind == "character" else "-p"
            raise ShotError(f"the {kind} '{twice}' is named twice in the shot ({flag} or {kind}s); name each once")


def _owner_name(asset: Loaded[Any]) -> str:
    return f"{asset.model.name} logo" if asset.kind == "brand" else str(asset.model.name)


def explicit_frame(reference: str) -> Frame:
    """An explicit ``--reference``: ``PATH``, or ``ROLE=PATH`` to give it a role (default: identity)."""
    role, path = split_reference(reference)
    return Frame(check_frame(Path(path), root=None, source="--reference"), role or "identity", "", "shot")


def still_frame(path: Path) -> Frame:
    """A video shot's locked first frame: the still it animates (``Frame.owner_kind`` ``still``)."""
    checked = check_frame(path, root=None, source="first frame")
    return Frame(checked, "identity", "", "still", note="the first frame of the clip: animate it as it is")


def compose_shot(library: Library, spec: ShotSpec) -> Brief:
    """Compose one shot (for many shots, keep one ``Composer``)."""
    return Composer(library).compose(spec)
