"""What lint reads from a brief: its text by section (as sent, after the guard's cuts) and every
asset field that text was made from, so a finding can name the file, line and field behind it.

Building this is the only per-brief cost lint pays beyond the rules' own scans: the fields of each
loaded asset are flattened once per file version and cached.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from composer.errors import ComposerError
from composer.location import Location
from composer.models import BrandKit, LintException
from composer.render import Cut, Fragment
from composer.yamlio import line_of, read_text

if TYPE_CHECKING:
    from composer.compose import Brief
    from composer.loaded import Loaded

Loc = tuple[str | int, ...]

NEGATIVE_FIELDS = {"do_not_include", "do_not", "negative"}
"""Top-level fields whose text is a negative constraint, in every asset kind and in shot deltas."""
SKIPPED_FIELDS = {"lint_exceptions", "reference_frames", "extends", "key_colours"}
"""Top-level fields that are not brief text."""
NEGATIVE_SECTION = "negative"
SHOT_SOURCE = "shot"


@dataclass(frozen=True)
class Leaf:
    """One string field of an asset (or of the shot's deltas), and where it is written."""

    value: str
    role: str
    """``positive``, ``negative`` or ``name`` (display names: never scanned for conflicts)."""
    kind: str
    asset_id: str
    path: str
    """The file that wrote it (for a merged brand: the level that set it), or ``shot``."""
    loc: Loc
    """The field path inside that file."""
    key: Loc = ()
    """The field path in the resolved asset (differs from ``loc`` for a merged brand's lists)."""

    @property
    def field(self) -> str:
        return ".".join(str(p) for p in self.loc)

    def location(self) -> Location:
        line = _line(self.path, self.loc) if self.path != SHOT_SOURCE else None
        return Location(self.path, line, self.field)


@lru_cache(maxsize=4096)
def _line_cached(path: str, mtime_ns: int, loc: Loc) -> int | None:
    try:
        return line_of(read_text(Path(path))[0], loc)
    except ComposerError:
        return None


def _line(path: str, loc: Loc) -> int | None:
    try:
        mtime = Path(path).stat().st_mtime_ns
    except OSError:
        return None
    return _line_cached(path, mtime, loc)


@dataclass(frozen=True)
class Section:
    """The text of one fragment as sent (its own strings, not its children's)."""

    fragment_id: str
    text: str
    negative: bool


@dataclass
class LintContext:
    """A brief, read for lint."""

    brief: Brief
    sections: list[Section]
    leaves: list[Leaf]
    """Every string field of every asset the brief used, and of the shot's deltas."""
    negatives: list[Leaf]
    """The negative constraints among them (``do_not_include``, ``do_not``, ``negative``)."""
    by_kind: dict[str, list[Leaf]]
    """The leaves of each asset kind (``shot`` for the deltas)."""
    negatives_key: object
    """Identifies the set of negatives (asset versions and shot negatives), for memoised scans."""
    exceptions: list[tuple[LintException, Location]]
    template: str
    _positive_text: str | None = field(default=None, repr=False)

    @property
    def brand(self) -> BrandKit | None:
        return self.brief.assets.brand.model if self.brief.assets.brand else None

    @property
    def positive(self) -> list[Section]:
        return [s for s in self.sections if not s.negative]

    @property
    def positive_text(self) -> str:
        if self._positive_text is None:
            self._positive_text = "\n".join(s.text for s in self.positive)
        return self._positive_text

    def template_location(self, fragment_id: str) -> Location:
        return Location(f"template {self.template}", None, f"section {fragment_id}")

    def location_at(self, section: Section, start: int, end: int) -> Location:
        """Where the text at [start, end) of ``section`` comes from: its asset field, else the template."""
        leaf = self.leaves_in(section.text, start, end)
        return leaf.location() if leaf else self.template_location(section.fragment_id)

    def leaf(self, kind: str, key: Loc) -> Leaf | None:
        """The field at resolved path ``key`` of the shot's asset of ``kind``."""
        return next((leaf for leaf in self.by_kind.get(kind, ()) if leaf.key == key), None)

    def leaves_in(self, text: str, start: int, end: int) -> Leaf | None:
        """The asset field whose value, as written into ``text``, covers [start, end)."""
        best: Leaf | None = None
        word = text[start:end]
        for leaf in self.leaves:
            if word not in leaf.value or (best and len(leaf.value) <= len(best.value)):
                continue
            at = text.find(leaf.value, max(0, end - len(leaf.value)))
            if at != -1 and at <= start and at + len(leaf.value) >= end:
                best = leaf
        return best


def build_context(brief: Brief) -> LintContext:
    sections = list(_sections(brief.tree, brief.cuts, negative=False))
    shot = _flatten(brief.spec.deltas.model_dump(), "shot", brief.spec.name or SHOT_SOURCE, SHOT_SOURCE,
                    ("deltas",), None)
    leaves: list[Leaf] = []
    negatives = [leaf for leaf in shot if leaf.role == "negative"]
    by_kind: dict[str, list[Leaf]] = {"shot": shot}
    exceptions: list[tuple[LintException, Location]] = []
    flats = []
    for loaded in brief.assets.loaded():
        flat = asset_leaves(loaded)
        flats.append(flat)
        leaves += flat.all
        negatives += flat.negative
        by_kind.setdefault(loaded.kind, []).extend(flat.all)
        if loaded.kind == "brand":
            exceptions += _brand_exceptions(loaded)
    leaves += shot
    exceptions += [
        (exc, Location(SHOT_SOURCE, None, f"deltas.lint_exceptions.{i}"))
        for i, exc in enumerate(brief.spec.deltas.lint_exceptions)
    ]
    key = (tuple(flats), tuple(leaf.value for leaf in shot if leaf.role == "negative"))
    return LintContext(brief, sections, leaves, negatives, by_kind, key, exceptions, brief.target.template)


def _sections(fragment: Fragment, cuts: dict[str, Cut], *, negative: bool) -> Iterator[Section]:
    cut = cuts.get(fragment.id)
    if cut == "drop":
        return
    negative = negative or fragment.id == NEGATIVE_SECTION
    if cut == "summary" and fragment.summary is not None:
        yield Section(fragment.id, fragment.summary, negative)
        return
    own = "".join(c for c in fragment.children if isinstance(c, str))
    if own.strip():
        yield Section(fragment.id, own, negative)
    for child in fragment.children:
        if isinstance(child, Fragment):
            yield from _sections(child, cuts, negative=negative)


# -- asset fields, flattened once per file version -----------------------------------------------

@dataclass(frozen=True, eq=False)
class AssetLeaves:
    """One asset version's fields; compared and hashed by identity (it is cached per version)."""

    all: list[Leaf]
    negative: list[Leaf]


_LEAF_CACHE: dict[tuple[Any, ...], AssetLeaves] = {}


def asset_leaves(loaded: Loaded[Any]) -> AssetLeaves:
    """An asset's string fields, flattened once per file version (and brand chain)."""
    merged = loaded.merged
    chain = tuple((p.path, p.sha256) for p in merged.chain) if merged is not None else ()
    key = (loaded.kind, loaded.id, loaded.path, loaded.sha256, chain)
    cached = _LEAF_CACHE.get(key)
    if cached is None:
        if len(_LEAF_CACHE) > 4096:
            _LEAF_CACHE.clear()
        origin = merged.origin if merged is not None else None
        flat = _flatten(loaded.model.model_dump(), loaded.kind, loaded.id, str(loaded.path), (), origin)
        cached = AssetLeaves(flat, [leaf for leaf in flat if leaf.role == "negative"])
        _LEAF_CACHE[key] = cached
    return cached


def _flatten(data: Any, kind: str, asset_id: str, path: str, prefix: Loc, origin: Any) -> list[Leaf]:
    leaves: list[Leaf] = []

    def walk(value: Any, loc: Loc) -> None:
        if isinstance(value, str):
            if not value:
                return
            top = str(loc[len(prefix)]) if len(loc) > len(prefix) else ""
            role = "negative" if top in NEGATIVE_FIELDS else "name" if loc[len(prefix):] == ("name",) else "positive"
            where, file_loc = origin(loc) if origin is not None else (path, loc)
            leaves.append(Leaf(value, role, kind, asset_id, where, file_loc, loc))
        elif isinstance(value, dict):
            for key, item in value.items():
                if not loc[len(prefix):] and key in SKIPPED_FIELDS:
                    continue
                walk(item, (*loc, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*loc, index))

    walk(data, prefix)
    return leaves


def _brand_exceptions(loaded: Loaded[Any]) -> list[tuple[LintException, Location]]:
    merged = loaded.merged
    found = []
    for index, exc in enumerate(loaded.model.lint_exceptions):
        loc: Loc = ("lint_exceptions", index)
        where, file_loc = merged.origin(loc) if merged is not None else (str(loaded.path), loc)
        found.append((exc, Leaf("", "meta", "brand", loaded.id, where, file_loc).location()))
    return found
