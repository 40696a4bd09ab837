"""The shot being edited in the TUI, as plain data: what is picked and what was typed.

A ``Draft`` holds the raw form text so a half-typed delta never throws away the user's input; it
becomes a ``ShotSpec`` through the same ``parse_set`` and ``build_spec`` the CLI flags go through,
so the TUI has no rules of its own about what a shot means. No Textual import here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from composer.errors import ShotError
from composer.models import ShotDeltas
from composer.shot import ShotSpec, build_spec, parse_set

SINGLE_KINDS = ("scene", "brand", "style", "target")
"""Kinds a shot has one of (picking another replaces it)."""
MULTI_KINDS = ("character", "product")
"""Kinds a shot may have several of (picking toggles membership)."""
SPEC_FIELDS = ("name", "max_chars")
"""ShotSpec scalars edited as text next to the deltas."""


def delta_fields() -> list[str]:
    """The ShotDeltas fields, in the model's order (the form shows them all)."""
    return list(ShotDeltas.model_fields)


@dataclass(frozen=True)
class Draft:
    """Everything the user has chosen so far; immutable, so each edit is a new value."""

    characters: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    scene: str | None = None
    brand: str | None = None
    style: str | None = None
    target: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    """Raw text per delta field (list fields separated by ';'), plus ``name`` and ``max_chars``."""
    references: tuple[str, ...] = ()
    """Extra reference frames carried over from a shot file (not editable in the form)."""
    loaded_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """List deltas as a shot file gave them, used while their field still shows them unedited."""

    # -- picking --------------------------------------------------------------------------------
    def picked(self, kind: str) -> tuple[str, ...]:
        if kind in MULTI_KINDS:
            return self.characters if kind == "character" else self.products
        value = getattr(self, kind)
        return (value,) if value else ()

    def toggle(self, kind: str, asset_id: str) -> Draft:
        """Pick an asset, or unpick it when it is already picked."""
        current = self.picked(kind)
        if kind in MULTI_KINDS:
            chosen = tuple(i for i in current if i != asset_id) if asset_id in current else (*current, asset_id)
            changes: dict[str, Any] = {"characters" if kind == "character" else "products": chosen}
        elif kind in SINGLE_KINDS:
            changes = {kind: None if asset_id in current else asset_id}
        else:
            raise ValueError(f"unknown kind {kind!r}")
        return replace(self, **changes)

    def with_text(self, name: str, value: str) -> Draft:
        return replace(self, texts={**self.texts, name: value})

    # -- to and from a ShotSpec -------------------------------------------------------------------
    def spec(self) -> ShotSpec:
        """The ShotSpec this draft describes; bad input raises a one-line ``ShotError``."""
        flags: dict[str, Any] = {
            "characters": list(self.characters), "products": list(self.products), "scene": self.scene,
            "brand": self.brand, "style": self.style, "target": self.target,
            "references": list(self.references), "deltas": self._deltas(),
            "name": self.texts.get("name", "").strip() or None, "max_chars": self._max_chars(),
        }
        return build_spec(None, **flags)

    def _deltas(self) -> dict[str, Any]:
        """The typed deltas through ``parse_set``; a list loaded from a shot file and not edited
        since is kept as it was (its items may contain ';', which the form's text would split)."""
        kept = {key: list(items) for key, items in self.loaded_lists.items()
                if self.texts.get(key) == "; ".join(items)}
        pairs = [f"{key}={value}" for key, value in self.texts.items()
                 if key not in SPEC_FIELDS and key not in kept and value.strip()]
        return {**parse_set(pairs), **kept}

    def _max_chars(self) -> int | None:
        raw = self.texts.get("max_chars", "").strip().replace(",", "").replace("_", "")
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            raise ShotError(f"max chars: expected a whole number, got {raw!r}") from None

    @classmethod
    def from_spec(cls, spec: ShotSpec) -> Draft:
        """A draft that reproduces ``spec`` (used for ``--shot FILE``)."""
        texts: dict[str, str] = {}
        lists: dict[str, tuple[str, ...]] = {}
        for key, value in spec.deltas.model_dump(exclude_defaults=True).items():
            if isinstance(value, list):
                lists[key] = tuple(value)
                texts[key] = "; ".join(value)
            else:
                texts[key] = str(value)
        if spec.name:
            texts["name"] = spec.name
        if spec.max_chars:
            texts["max_chars"] = str(spec.max_chars)
        return cls(
            characters=tuple(spec.characters), products=tuple(spec.products), scene=spec.scene,
            brand=spec.brand, style=spec.style, target=spec.target, texts=texts,
            references=tuple(spec.references), loaded_lists=lists,
        )
