"""A shot: which assets it combines, its target, and its per-shot deltas.

A shot comes from CLI flags, from a shot file (YAML with the fields of ``ShotSpec``), or both:
flags add cast members and deltas to the file's and override its scalars.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from composer.attachments import rebase_reference, split_reference
from composer.errors import LibraryError, ShotError
from composer.models import Asset, FileSafeName, ShotDeltas
from composer.paths import inside, is_inside
from composer.yamlio import line_of, load_model, read_text


class ShotSpec(Asset):
    """A shot file's schema."""

    characters: list[str] = []
    """Character ids, in the order they are introduced."""
    products: list[str] = []
    """Product ids."""
    scene: str = Field(min_length=1)
    """Scene id."""
    brand: str | None = None
    """Brand kit id (default: the library's default brand)."""
    style: str | None = None
    """Style dossier id (default: the library's default style)."""
    target: str | None = None
    """Target name (default: the library's default target)."""
    max_chars: int | None = Field(default=None, gt=0)
    """Team policy window that overrides the target's."""
    references: list[str] = []
    """Extra reference frames, paths relative to the shot file (may be outside the library)."""
    deltas: ShotDeltas = ShotDeltas()
    """Per-shot deltas."""
    name: FileSafeName | None = None
    """File name stem for exported prompt files (default: derived from cast and scene)."""

    def slug(self) -> str:
        """A stable file name stem: cast and scene, plus a digest of everything else that varies."""
        if self.name:
            return self.name
        cast = "+".join([*self.characters, *self.products]) or "scene"
        extra = self.model_dump(exclude={"characters", "products", "scene", "name"}, exclude_defaults=True)
        if not extra:
            return f"{cast}--{self.scene}"
        digest = hashlib.sha256(json.dumps(extra, sort_keys=True).encode()).hexdigest()[:8]
        return f"{cast}--{self.scene}--{digest}"


def parse_set(pairs: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """``--set key=value`` pairs as deltas; list fields accumulate and split on ``;``."""
    known = ShotDeltas.model_fields
    list_fields = ShotDeltas.list_fields()
    deltas: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise ShotError(f"--set {pair!r}: expected KEY=VALUE")
        if key not in known:
            raise ShotError(f"--set {key}: unknown delta (known: {', '.join(sorted(known))})")
        if key in list_fields:
            items = [v.strip() for v in value.split(";") if v.strip()]
            deltas.setdefault(key, []).extend(items)
        else:
            deltas[key] = value.strip()
    return deltas


def load_shot_file(path: Path, library_root: Path | None = None) -> ShotSpec:
    """A shot file, with its reference paths made relative to the file's folder.

    A shot file that is part of the library (it resolves inside ``library_root``) is library
    content: the frames it names must resolve inside the library too, so a shared library cannot
    make composer upload a file from elsewhere on the machine. A shot file of the user's own,
    outside the library, may name frames anywhere, as ``--reference`` may.
    """
    spec = load_model(path, ShotSpec)[0]
    references = [rebase_reference(ref, lambda p: str(path.parent / p)) for ref in spec.references]
    if library_root is not None and is_inside(path, library_root):
        for index, ref in enumerate(references):
            try:
                inside(Path(split_reference(ref)[1]), library_root)
            except LibraryError as err:
                raise LibraryError(f"reference {spec.references[index]}: {err.reason}", path=path,
                                   line=line_of(read_text(path)[0], ["references", index]),
                                   field=f"references.{index}") from None
    return spec.model_copy(update={"references": references})


def shot_file_text(spec: ShotSpec, path: Path) -> str:
    """``spec`` as a shot file to be saved at ``path``, which ``load_shot_file`` reads back to it.

    A relative reference frame is written relative to the file's folder, as shot files hold them
    (an absolute one stays absolute). That changes how its path is spelt, and the spelling is part
    of the slug's digest, so a shot with references keeps the name its prompt files already have.
    """
    import yaml

    data = spec.model_dump(exclude_defaults=True)
    if spec.references:
        folder = path.parent.absolute()
        data["references"] = [rebase_reference(ref, lambda p: p if Path(p).is_absolute()
                                               else os.path.relpath(Path(p).absolute(), folder))
                              for ref in spec.references]
        data.setdefault("name", spec.slug())
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


_NUMBER_WORDS = frozenset(["a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                           "eleven", "twelve"])


def counted_thing(count: str) -> str:
    """What a count counts: "3 white jasmine buds" and "5 white jasmine bud" both count "white jasmine bud"."""
    words = count.lower().split()
    if words and (words[0].isdigit() or words[0] in _NUMBER_WORDS):
        words = words[1:]
    if words:
        words[-1] = _singular(words[-1])
    return " ".join(words)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _merge_delta(key: str, base: Any, flag: Any) -> Any:
    """A flag's delta over the file's: a count of the same thing replaces the file's count, an order
    replaces the file's order (one left-to-right sequence), other lists extend, scalars override."""
    if not isinstance(flag, list):
        return flag
    if key == "order" or not base:
        return list(flag)
    if key == "counts":
        overrides = {counted_thing(c): c for c in flag}
        kept = [overrides.pop(counted_thing(c), c) for c in base]
        return [*kept, *overrides.values()]
    return [*base, *flag]


def apply_deltas(base: ShotDeltas, edits: Mapping[str, Any]) -> ShotDeltas:
    """``edits`` (``ShotDeltas`` fields) over ``base`` the way ``--set`` goes over a shot file: a count
    of the same thing replaces the count, an order replaces the order, other lists extend, scalars override."""
    data = base.model_dump(exclude_defaults=True)
    for key, value in edits.items():
        data[key] = _merge_delta(key, data.get(key), value)
    return ShotDeltas.model_validate(data)


def build_spec(base: ShotSpec | None = None, **flags: Any) -> ShotSpec:
    """Merge CLI flags over an optional shot file: lists extend, scalars override (deltas: ``_merge_delta``)."""
    data: dict[str, Any] = base.model_dump(exclude_defaults=True) if base else {}
    deltas: dict[str, Any] = data.pop("deltas", {})
    for key, value in (flags.pop("deltas", None) or {}).items():
        deltas[key] = _merge_delta(key, deltas.get(key), value)
    for key, value in flags.items():
        if value in (None, (), []):
            continue
        data[key] = [*data.get(key, []), *value] if isinstance(value, list | tuple) else value
    if "scene" not in data:
        raise ShotError("a shot needs a scene: pass --scene ID (see `compose list scenes`)")
    try:
        return ShotSpec.model_validate({**data, "deltas": deltas})
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ShotError(f"shot field {field}: {err['msg']}") from None
