"""What an image is checked against: its brand kit, its cast's bibles and what was requested.

Built from ids (``compose qc --brand ... --character ...``), or from an exported brief (its
``sources`` name the brand kit and the cast).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from composer.errors import LibraryError
from composer.export import read_brief_json
from composer.library import Library
from composer.lint.text import parse_negative
from composer.models import BrandKit, Character, LintException, Product


@dataclass(frozen=True)
class Expected:
    """What the generation request asked for; None where it did not say."""

    width: int | None = None
    height: int | None = None
    aspect_ratio: str | None = None
    """``W:H``, e.g. ``4:5``."""
    file_type: str | None = None
    """``png``, ``jpeg`` or ``webp``."""

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> Expected:
        """From a job's generation options (KIE's ``aspect_ratio``, OpenAI's ``size`` and ``output_format``)."""
        width = height = None
        size = options.get("size")
        if isinstance(size, str) and "x" in size and size.replace("x", "", 1).isdigit():
            width, height = (int(n) for n in size.split("x"))
        ratio = options.get("aspect_ratio")
        fmt = options.get("output_format")
        return cls(width, height, ratio if isinstance(ratio, str) and ":" in ratio else None,
                   fmt if isinstance(fmt, str) else None)


NOTHING_EXPECTED = Expected()


@dataclass(frozen=True)
class QcContext:
    brand_id: str | None = None
    brand: BrandKit | None = None
    cast: dict[str, Character | Product] = field(default_factory=dict)
    """Character and product bibles in the shot, by id."""
    exceptions: tuple[LintException, ...] = ()
    """Named lint exceptions that apply to the shot (the brand's, and the shot's where known)."""
    negatives: tuple[tuple[str, str], ...] = ()
    """Every negative constraint, with its source (``brand do_not_include``, ``fox do_not``...)."""
    expected: Expected = NOTHING_EXPECTED

    @property
    def banned_families(self) -> dict[str, str]:
        """Colour family -> the negative that bans all of it (narrowed bans like "red lipstick" are not
        checkable in pixels: they name an object, not a colour anywhere)."""
        banned: dict[str, str] = {}
        for text, _source in self.negatives:
            for ban in parse_negative(text):
                if ban.family and not ban.words:
                    banned.setdefault(ban.family, text)
        return banned


def build_context(library: Library, *, brand: str | None, characters: Sequence[str] = (),
                  products: Sequence[str] = (), expected: Expected = NOTHING_EXPECTED,
                  exceptions: tuple[LintException, ...] = ()) -> QcContext:
    """The context for a shot of these ids; unknown ids raise ``UnknownAssetError``."""
    kit = library.brand(brand).model if brand else None
    cast: dict[str, Character | Product] = {c: library.character(c).model for c in characters}
    cast.update({p: library.product(p).model for p in products})
    negatives = [(text, "brand do_not_include") for text in (kit.do_not_include if kit else [])]
    negatives += [(text, f"{asset_id} do_not") for asset_id, bible in cast.items() for text in bible.do_not]
    return QcContext(brand, kit, cast, (*(kit.lint_exceptions if kit else ()), *exceptions), tuple(negatives),
                     expected)


def with_negatives(ctx: QcContext, negatives: Sequence[tuple[str, str]]) -> QcContext:
    """``ctx`` with more negative constraints (a scene's or style's ``do_not``, the shot's ``negative``)."""
    return replace(ctx, negatives=(*ctx.negatives, *negatives))


def context_from_brief(library: Library, path: Path, expected: Expected = NOTHING_EXPECTED) -> QcContext:
    """The context of an exported brief (``<slug>.json``): the brand and cast its sources name."""
    sources = read_brief_json(path).get("sources")
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        raise LibraryError("not an exported brief (no list of sources)", path=path, field="sources")
    ids = {kind: [str(s.get("id")) for s in sources if s.get("kind") == kind]
           for kind in ("brand", "character", "product")}
    return build_context(library, brand=ids["brand"][0] if ids["brand"] else None, characters=ids["character"],
                         products=ids["product"], expected=expected)
