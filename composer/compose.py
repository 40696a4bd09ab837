"""Composing a shot: load its assets, render the target's template, fit it, count it.

``compose_shot(library, spec)`` is the one entry point the CLI, the TUI and campaigns share.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer.frames import check_frame
from composer.guard import Shortening, fit
from composer.library import CONFIG_FILE, Library, Loaded
from composer.models import Target
from composer.render import Cut, Fragment, Renderer, serialize
from composer.shot import ShotSpec
from composer.tokens import TokenCount, TokenCounter, shared_counter


@dataclass(frozen=True)
class Brief:
    """A composed, guarded brief, ready to export or send."""

    spec: ShotSpec
    target_name: str
    target: Target
    limit: int
    prompt: str
    tokens: TokenCount
    reference_frames: list[Path]
    shortenings: list[Shortening]
    warnings: list[str]
    sources: list[dict[str, str]]
    tree: Fragment = field(repr=False)
    cuts: dict[str, Cut] = field(repr=False)

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
        return [s.describe() for s in self.shortenings]

    def markdown_body(self) -> str:
        """The same brief with Markdown headings instead of the prompt's plain ones."""
        return serialize(self.tree, self.cuts, headings="markdown")

    def summary_line(self) -> str:
        cut = "; ".join(self.dropped) if self.dropped else "nothing dropped"
        return (
            f"{self.slug} -> {self.target_name}: {self.chars:,}/{self.limit:,} chars, {self.tokens}, "
            f"{self.mode}, {cut}"
        )


class Composer:
    """Composes shots against one library, reusing its caches, templates and tokenizer."""

    def __init__(self, library: Library, counter: TokenCounter | None = None) -> None:
        self.library = library
        self.renderer = Renderer(library.template_dirs())
        self.counter = counter or shared_counter()

    def compose(self, spec: ShotSpec) -> Brief:
        lib = self.library
        defaults = lib.config.defaults
        target_name = spec.target or defaults.target
        target = lib.target(target_name)
        brand_id, style_id = spec.brand or defaults.brand, spec.style or defaults.style
        brand = lib.brand(brand_id) if brand_id else None
        style = lib.style(style_id) if style_id else None
        scene = lib.scene(spec.scene)
        characters = [lib.character(i) for i in spec.characters]
        products = [lib.product(i) for i in spec.products]

        cast: list[Loaded[Any]] = [*characters, *products]
        frames = [frame for member in cast for frame in lib.reference_frames(member)]
        frames += [check_frame(Path(ref), root=None, source="--reference") for ref in spec.references]

        context = {
            "shot": {"slug": spec.slug(), "target": target_name, "kind": target.kind, "has_frames": bool(frames)},
            "brand": _asset_context(brand),
            "style": _asset_context(style),
            "scene": _asset_context(scene),
            "characters": [_asset_context(c) for c in characters],
            "products": [_asset_context(p) for p in products],
            "cast_ids": [*spec.characters, *spec.products],
            "deltas": spec.deltas.model_dump(),
        }
        rendered = self.renderer.render(target.template, context)
        limit = spec.max_chars or target.max_chars
        fitted = fit(rendered.root, limit, target=target_name)
        tokens = self.counter.count(fitted.text)

        warnings = []
        if not tokens.exact:
            warnings.append(f"token count is an estimate ({self.counter.unavailable_reason})")
        used: list[Loaded[Any] | None] = [brand, style, scene, *cast]
        sources = [a.source() for a in used if a is not None]
        config_path = lib.root / CONFIG_FILE
        if config_path.is_file():
            sources.insert(0, {"kind": "config", "id": CONFIG_FILE, "path": str(config_path),
                               "sha256": _sha256(config_path)})
        sources += [{"kind": "template", "id": p.name, "path": str(p), "sha256": d} for p, d in rendered.templates]
        sources += [{"kind": "reference_frame", "id": f.name, "path": str(f), "sha256": _sha256(f)} for f in frames]
        return Brief(
            spec=spec, target_name=target_name, target=target, limit=limit, prompt=fitted.text,
            tokens=tokens, reference_frames=frames, shortenings=fitted.shortenings, warnings=warnings,
            sources=sources, tree=rendered.root, cuts=fitted.cuts,
        )


def compose_shot(library: Library, spec: ShotSpec) -> Brief:
    """Compose one shot (for many shots, keep one ``Composer``)."""
    return Composer(library).compose(spec)


def _asset_context(asset: Loaded[Any] | None) -> dict[str, Any] | None:
    if asset is None:
        return None
    return {"id": asset.id, **asset.model.model_dump()}


_digests: dict[tuple[Path, int, int], str] = {}


def _sha256(path: Path) -> str:
    """SHA-256 of a file, cached by path, mtime and size (reference frames can be large)."""
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _digests:
        with path.open("rb") as fh:
            _digests[key] = hashlib.file_digest(fh, "sha256").hexdigest()
    return _digests[key]
