"""Brand inheritance: a brand kit may ``extends`` another (master brand -> sub-brand -> campaign).

Resolution walks the chain from the root down and merges each level over the one above:

* scalars (``name``, ``mood``, ``typography.headline``, ``logo.clear_space``...) override;
* lists (``must_include``, ``do_not_include``, ``typography.rules``, ``logo.placement``,
  ``lint_exceptions``) add to the parent's, without repeating an identical entry;
* ``palette`` merges by colour name: an entry with a parent's name replaces it in place (so a
  sub-brand can change a hex or make a colour optional); new names are appended.

A negative constraint can never be removed by a sub-brand; to allow something for one campaign,
record a named ``lint_exceptions`` entry instead. A cycle, or an ``extends`` that names no brand,
is a located error. Every level remembers which file set each value, for ``--explain`` and for
lint findings that must point at the right file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from composer.errors import LibraryError, UnknownAssetError
from composer.loaded import Loaded
from composer.models import BrandKit, BrandKitFile
from composer.yamlio import line_of, read_text, validation_errors

if TYPE_CHECKING:
    from composer.library import Library

Loc = tuple[str | int, ...]
LIST_KEYS = {"must_include", "do_not_include", "lint_exceptions", "rules", "placement"}


@dataclass(frozen=True)
class MergeInfo:
    """How a resolved brand was assembled: its parent files and which level set each value."""

    leaf: Loaded[BrandKitFile]
    chain: tuple[Loaded[BrandKitFile], ...]
    """The parents, nearest first (the leaf itself is not repeated)."""
    origins: dict[Loc, tuple[Loaded[BrandKitFile], Loc]] = field(default_factory=dict)
    """Resolved field path -> (the file that set it, its field path in that file)."""
    overridden: dict[Loc, list[Loaded[BrandKitFile]]] = field(default_factory=dict)
    """Resolved field path -> the levels whose value for it was replaced, nearest first."""

    def origin(self, loc: Loc) -> tuple[str, Loc]:
        """The file path and in-file field path behind a resolved field (or any field below one)."""
        for cut in range(len(loc), 0, -1):
            found = self.origins.get(loc[:cut])
            if found is not None:
                return str(found[0].path), (*found[1], *loc[cut:])
        return str(self.leaf.path), loc


class BrandChainError(LibraryError):
    """A brand's ``extends`` names no brand, or leads back to a brand already in the chain."""

    def __init__(self, message: str, *, child: Loaded[BrandKitFile], parent: str, cycle: list[str] | None,
                 line: int | None) -> None:
        self.child = child
        self.parent = parent
        self.cycle = cycle
        """For a cycle: the ids around it, from ``parent`` back to ``parent``."""
        super().__init__(message, path=child.path, line=line, field="extends")


BrandLoader = Callable[[str], "Loaded[BrandKitFile] | None"]
"""A brand's own file by id, or None when no brand has that id."""


def chain_of(library: Library, brand_id: str, *, load: BrandLoader | None = None) -> list[Loaded[BrandKitFile]]:
    """The brand's files, leaf first, root last; a missing parent or a cycle is a ``BrandChainError``.

    ``load`` reads each level (default: the library's files); ``compose validate`` passes its own,
    over the files it has already parsed, so a broken file is reported once, by the schema check.
    """
    def from_library(asset_id: str) -> Loaded[BrandKitFile] | None:
        return library.load("brand", asset_id) if asset_id in library.ids("brand") else None

    fetch = load or from_library
    leaf = library.load("brand", brand_id) if load is None else load(brand_id)
    if leaf is None:
        raise UnknownAssetError("brand", brand_id, library.ids("brand"))
    chain: list[Loaded[BrandKitFile]] = [leaf]
    while (parent := chain[-1].model.extends) is not None:
        child = chain[-1]
        line = line_of(read_text(child.path)[0], ["extends"])
        ids = [c.id for c in chain]
        if parent in ids:
            cycle = [*ids[ids.index(parent):], parent]
            raise BrandChainError(f"brand inheritance cycle: {' -> '.join(cycle)}; remove one `extends`",
                                  child=child, parent=parent, cycle=cycle, line=line)
        found = fetch(parent)
        if found is None:
            known = ", ".join(i for i in library.ids("brand") if i != child.id) or "none"
            raise BrandChainError(f"extends unknown brand '{parent}' (known: {known})",
                                  child=child, parent=parent, cycle=None, line=line)
        chain.append(found)
    return chain


_RESOLVED: dict[tuple[Any, ...], Loaded[BrandKit]] = {}


def resolve_brand(library: Library, brand_id: str) -> Loaded[BrandKit]:
    """The brand with every ``extends`` level merged in, validated as a complete ``BrandKit``."""
    chain = chain_of(library, brand_id)
    key = tuple((c.path, c.sha256) for c in chain)
    cached = _RESOLVED.get(key)
    if cached is not None:
        return cached
    data, info = merge_chain(chain)
    leaf = chain[0]
    try:
        model = BrandKit.model_validate(data)
    except ValidationError as exc:
        first = validation_errors(exc, read_text(leaf.path)[0], leaf.path)[0]
        after = f" (after merging {', '.join(c.id for c in chain[1:])})" if len(chain) > 1 else ""
        raise LibraryError(first.reason + after, path=first.path, line=first.line, field=first.field) from None
    resolved: Loaded[BrandKit] = Loaded("brand", leaf.id, leaf.path, leaf.sha256, model, merged=info)
    if len(_RESOLVED) > 1024:
        _RESOLVED.clear()
    _RESOLVED[key] = resolved
    return resolved


def merge_chain(chain: list[Loaded[BrandKitFile]]) -> tuple[dict[str, Any], MergeInfo]:
    """Merge the levels root first; return the merged data and where each value came from."""
    info = MergeInfo(chain[0], tuple(chain[1:]))
    merged: dict[str, Any] = {}
    for level in reversed(chain):
        own = level.model.model_dump(exclude_unset=True, exclude={"extends"})
        _merge_into(merged, own, (), level, info)
    return merged, info


def _merge_into(target: dict[str, Any], own: dict[str, Any], prefix: Loc, level: Loaded[BrandKitFile],
                info: MergeInfo) -> None:
    for key, value in own.items():
        loc: Loc = (*prefix, key)
        if isinstance(value, dict):
            target.setdefault(key, {})
            _merge_into(target[key], value, loc, level, info)
        elif key == "palette":
            _merge_palette(target.setdefault(key, []), value, level, info)
        elif key in LIST_KEYS:
            items = target.setdefault(key, [])
            for index, item in enumerate(value):
                if item not in items:
                    info.origins[(*loc, len(items))] = (level, (*loc, index))
                    items.append(item)
        else:
            if loc in info.origins:
                info.overridden.setdefault(loc, []).insert(0, info.origins[loc][0])
            target[key] = value
            info.origins[loc] = (level, loc)


def _merge_palette(palette: list[dict[str, Any]], own: list[dict[str, Any]], level: Loaded[BrandKitFile],
                   info: MergeInfo) -> None:
    names = [str(c["name"]).casefold() for c in palette]
    for index, colour in enumerate(own):
        name = str(colour["name"]).casefold()
        at = names.index(name) if name in names else len(palette)
        loc: Loc = ("palette", at)
        if at == len(palette):
            palette.append(colour)
            names.append(name)
        else:
            info.overridden.setdefault(loc, []).insert(0, info.origins[loc][0])
            palette[at] = colour
        info.origins[loc] = (level, ("palette", index))


# -- explain -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Provenance:
    """One resolved value and the level that set it (``compose show brand ID --explain``)."""

    field: str
    value: str
    brand: str
    path: str
    line: int | None
    overrides: tuple[str, ...] = ()
    """Ids of the levels whose value this one replaced, nearest first."""

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "set_by": self.brand, "path": self.path,
                "line": self.line, "overrides": list(self.overrides)}


def explain_brand(library: Library, brand_id: str) -> list[Provenance]:
    """Field by field, which level of the inheritance chain set each resolved value."""
    resolved = resolve_brand(library, brand_id)
    info = resolved.merged
    assert info is not None
    texts: dict[Path, str] = {}

    def line(path: Path, loc: Loc) -> int | None:
        if path not in texts:
            texts[path] = read_text(path)[0]
        return line_of(texts[path], loc)

    rows = []
    for loc, value in _scalar_paths(resolved.model.model_dump(exclude={"lint_exceptions"}), ()):
        level, file_loc = _level_of(info, loc)
        shown = _display(value)
        overrides = tuple(lv.id for lv in info.overridden.get(_owner(info, loc), []))
        rows.append(Provenance(_dotted(loc), shown, level.id, str(level.path), line(level.path, file_loc),
                               overrides))
    for index, exc in enumerate(resolved.model.lint_exceptions):
        level, file_loc = _level_of(info, ("lint_exceptions", index))
        rows.append(Provenance(f"lint_exceptions.{index}", f"{exc.rule} {exc.term!r}: {exc.reason}", level.id,
                               str(level.path), line(level.path, file_loc)))
    return rows


def _owner(info: MergeInfo, loc: Loc) -> Loc:
    for cut in range(len(loc), 0, -1):
        if loc[:cut] in info.origins:
            return loc[:cut]
    return loc


def _level_of(info: MergeInfo, loc: Loc) -> tuple[Loaded[BrandKitFile], Loc]:
    owner = _owner(info, loc)
    if owner in info.origins:
        level, file_loc = info.origins[owner]
        return level, (*file_loc, *loc[len(owner):])
    return info.leaf, loc


def _scalar_paths(data: Any, loc: Loc) -> list[tuple[Loc, Any]]:
    """Leaf fields in document order; a palette colour is one row, not four."""
    if isinstance(data, dict) and not (loc[:1] == ("palette",) and len(loc) == 2):
        return [row for key, value in data.items() for row in _scalar_paths(value, (*loc, key))]
    if isinstance(data, list):
        return [row for index, value in enumerate(data) for row in _scalar_paths(value, (*loc, index))]
    return [(loc, data)]


def _display(value: Any) -> str:
    if isinstance(value, dict):  # a palette colour
        flag = "" if value.get("required", True) else ", optional"
        return f"{value['name']} {value['hex']} ({value['role']}{flag})"
    return str(value)


def _dotted(loc: Loc) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(loc))

