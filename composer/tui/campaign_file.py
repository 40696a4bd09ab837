"""Saving the TUI's current shot into a campaign file: a YAML mapping with a ``shots:`` list.

Each entry is a ShotSpec mapping (the shot-file schema, defaults left out), appended to the
campaign file's top-level ``shots:`` (``composer.campaign.models.Campaign.shots``). Other top-level
keys are kept as they are; comments are not (PyYAML does not keep them). The file is rewritten
atomically, so a crash never leaves half a campaign. No Textual import here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from composer.errors import LibraryError
from composer.export import save_document
from composer.shot import ShotSpec
from composer.yamlio import parse_yaml, read_text

SHOTS_KEY = "shots"


def shot_entry(spec: ShotSpec, campaign: Path) -> dict[str, Any]:
    """The spec as a plain mapping without the fields left at their defaults, its extra reference
    frames made relative to the campaign file's folder (where campaigns resolve them)."""
    base = campaign.parent.resolve()
    references = [os.path.relpath(Path(ref).resolve(), base) for ref in spec.references]
    return spec.model_copy(update={"references": references}).model_dump(mode="json", exclude_defaults=True)


def append_shot(path: Path, spec: ShotSpec) -> int:
    """Append ``spec`` under ``shots:`` in ``path`` (created if missing); return the shot count."""
    data: dict[str, Any] = {}
    if path.exists():
        data = parse_yaml(read_text(path)[0], path)
    shots = data.get(SHOTS_KEY, [])
    if shots is None:
        shots = []
    if not isinstance(shots, list):
        raise LibraryError(f"expected a list of shots, found {type(shots).__name__}", path=path,
                           field=SHOTS_KEY)
    data[SHOTS_KEY] = [*shots, shot_entry(spec, path)]
    save_document(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    return len(data[SHOTS_KEY])
