"""Sample assets built from the schemas alone: the context a template sees, for the trial render."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from composer.attachments import Attachments, Frame
from composer.compose import ShotAssets
from composer.loaded import Loaded
from composer.models import BrandKit, Character, Product, Scene, ShotDeltas, Style, Target
from composer.shot import ShotSpec


def sample_context(target: Target, *, full: bool) -> dict[str, Any]:
    """The context the composer would pass, for sample assets built from the schemas alone."""
    def loaded(kind: str, model: type[BaseModel], asset_id: str) -> Loaded[Any]:
        return Loaded(kind, asset_id, Path(f"{asset_id}.yaml"), "", model.model_validate(sample(model, full)))

    character = loaded("character", Character, "sample-character")
    if full:  # a relationship to the other cast member, so the relationship loop runs
        character = Loaded("character", character.id, character.path, "", character.model.model_copy(
            update={"relationships": {"sample-product": "sample relationship"}}))
    assets = ShotAssets(
        target_name="sample", target=target,
        brand=loaded("brand", BrandKit, "sample-brand") if full else None,
        style=loaded("style", Style, "sample-style") if full else None,
        scene=loaded("scene", Scene, "sample-scene"),
        characters=[character], products=[loaded("product", Product, "sample-product")],
        attachments=Attachments((Frame(Path("sample.png"), "identity", "Sample", "character"),), cap=1) if full
        else Attachments(),
    )
    deltas = ShotDeltas.model_validate(sample(ShotDeltas, full))
    return assets.context(ShotSpec(characters=[character.id], products=["sample-product"], scene="sample-scene",
                                   deltas=deltas))


def template_names(target: Target) -> frozenset[str]:
    """Every name a template may use: the composer's context, plus section() and part()."""
    return frozenset(sample_context(target, full=True)) | {"section", "part"}


def sample(model: type[BaseModel], full: bool) -> dict[str, Any]:
    """Valid sample data for a model: every field filled (``full``), or only the required ones."""
    data = {}
    for name, info in model.model_fields.items():
        if full or info.is_required():
            data[name] = "#8A9A5B" if name == "hex" else _sample_value(info.annotation, full)
    return data


def _sample_value(annotation: Any, full: bool) -> Any:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        annotation = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list:
        return [_sample_value(args[0], full)]
    if origin is dict:
        return {"sample": _sample_value(args[1], full)}
    if origin is typing.Literal:
        return args[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return sample(annotation, full)
    return {bool: full, int: 1, float: 1.0}.get(annotation, "sample text")
