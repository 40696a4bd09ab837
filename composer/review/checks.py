"""Instruction checks: every explicit instruction a brief states, as a yes/no (or "off by N") question.

They are read from the same fragments lint reads (``composer.lint.context``), so what the review
card asks is exactly what the brief told the model:

=========  ==========================================================  ==========================
kind       from                                                        answer
=========  ==========================================================  ==========================
count      each ``counts`` delta and "exactly N <noun>" in the text    off by N (0: honoured)
order      the ``order`` delta, else "left to right: a, b, c"          yes / no
avoid      each brand ``do_not_include`` item and shot ``negative``     yes (honoured) / no
include    each brand ``must_include`` item                            yes / no
palette    the brand's required palette colours                        yes / no
=========  ==========================================================  ==========================

A check's id is stable across shots that share the instruction ("avoid:red-anywhere-in-frame"),
so a report can say "no red anywhere in frame: 17/20 honoured" per model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from composer.campaign import Shot, open_campaign
from composer.campaign.ledger import Ledger
from composer.compose import Brief, Composer
from composer.errors import ComposerError
from composer.library import Library
from composer.lint.context import build_context
from composer.lint.exactness import stated_counts, stated_orders
from composer.review.errors import ReviewInputError
from composer.shot import apply_deltas

CheckKind = Literal["count", "order", "avoid", "include", "palette"]
KINDS: tuple[CheckKind, ...] = ("count", "order", "avoid", "include", "palette")
KIND_NAMES = {"count": "counts", "order": "left-to-right orders", "avoid": "do-not-include items",
              "include": "must-include items", "palette": "palette"}


@dataclass(frozen=True)
class Check:
    """One instruction of a brief, as the review card asks it."""

    id: str
    kind: CheckKind
    label: str
    """The question in plain words: "exactly 4 candles", "no red anywhere in frame"."""
    expected: int | None = None
    """For a count: the number asked for."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48]


def _plain(text: str) -> str:
    """An instruction without its parenthetical detail: "red anywhere in frame (no crimson ...)"
    becomes "red anywhere in frame"."""
    return re.sub(r"\s*\([^)]*\)", "", text).strip().rstrip(".")


def brief_checks(brief: Brief) -> list[Check]:
    """Every explicit instruction of ``brief``, in the order counts, orders, avoid, include, palette."""
    ctx = build_context(brief)
    checks: dict[str, Check] = {}
    for count in stated_counts(ctx):
        if count.number is not None:
            checks.setdefault(f"count:{count.head}", Check(f"count:{count.head}", "count", f"exactly {count.text}",
                                                           count.number))
    for order in stated_orders(ctx):
        label = "left to right: " + ", ".join(order)
        checks.setdefault(f"order:{_slug(label)}", Check(f"order:{_slug(label)}", "order", label))
    for leaf in ctx.negatives:
        if (leaf.kind == "brand" and leaf.key[:1] == ("do_not_include",)) or leaf.kind == "shot":
            text = _plain(leaf.value)
            checks.setdefault(f"avoid:{_slug(text)}", Check(f"avoid:{_slug(text)}", "avoid", f"no {text}"))
    for leaf in ctx.by_kind.get("brand", []):
        if leaf.key[:1] == ("must_include",):
            text = _plain(leaf.value)
            checks.setdefault(f"include:{_slug(text)}", Check(f"include:{_slug(text)}", "include", f"shows {text}"))
    brand = ctx.brand
    required = [c for c in brand.palette if c.required] if brand is not None else []
    if required and brief.target.kind != "video":
        names = ", ".join(f"{c.name} {c.hex}" for c in required)
        checks["palette"] = Check("palette", "palette", f"stays in the palette ({names})")
    return list(checks.values())


def parse_answer(check: Check, value: object) -> int | bool:
    """A reviewer's answer: for a count, how far off (``0``, ``+1``, ``-2``; "yes" is 0); else yes/no."""
    text = str(value).strip().lower()
    if check.kind == "count":
        if text in ("yes", "y", "true"):
            return 0
        try:
            return int(text.removeprefix("+"))
        except ValueError:
            raise ReviewInputError(f"{check.id}: '{value}' is not an offset (0 when honoured, +1 or -2 when off)"
                                   ) from None
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise ReviewInputError(f"{check.id}: '{value}' is not yes or no")


def honoured(check_kind: str, answer: int | bool) -> bool:
    return answer == 0 if check_kind == "count" else bool(answer)


def answer_text(check_kind: str, answer: int | bool) -> str:
    if check_kind == "count":
        return f"{int(answer):+d}" if answer else "0"
    return "yes" if answer else "no"


class CheckSource:
    """The checks of each shot of a campaign folder, composed once from its campaign file and library."""

    def __init__(self, folder: Path, library: Library | None = None) -> None:
        self.folder = folder
        self.library = library
        self._shots: dict[str, Shot] | None = None
        self._composer: Composer | None = None
        self._cache: dict[str, list[Check]] = {}
        self.problem: str | None = None
        """Why checks could not be made (the campaign file moved, a folder of shot results), if so."""

    def _expansion(self) -> dict[str, Shot]:
        if self._shots is None:
            self._shots = {}
            try:
                with Ledger(self.folder, create=False) as ledger:
                    campaign, root = ledger.meta("campaign"), ledger.meta("library")
                if not campaign:
                    self.problem = "no campaign file recorded: instruction checks need one"
                    return self._shots
                library = self.library or Library(Path(root) if root else Path.cwd())
                self._composer = Composer(library)
                self._shots = {s.id: s for s in open_campaign(Path(campaign), library, confirm=True).shots}
            except ComposerError as exc:
                self.problem = f"instruction checks unavailable: {exc}"
        return self._shots

    def checks(self, source: str, edits: tuple[dict[str, Any], ...] = ()) -> list[Check]:
        """The checks of the shot a take's source (ledger id) was generated from, with the reviewers'
        delta ``edits`` it was regenerated with (a count edited from 4 to 3 is checked as 3); []
        when unknown."""
        key = source + json.dumps(edits, sort_keys=True)
        if key not in self._cache:
            shot = self._expansion().get(source)
            found: list[Check] = []
            if shot is not None and self._composer is not None:
                deltas = shot.spec.deltas
                try:
                    for edit in edits:
                        deltas = apply_deltas(deltas, edit)
                    found = brief_checks(self._composer.compose(shot.spec.model_copy(update={"deltas": deltas})))
                except ComposerError as exc:
                    self.problem = f"instruction checks unavailable for {source}: {exc}"
            self._cache[key] = found
        return self._cache[key]
