"""The length guard: fit a rendered brief inside its target's window, or fail with an itemised error.

Only fragments a template marked ``optional`` are ever dropped, and only fragments with a
``summary`` are ever shortened; everything else is required. Cuts are taken lowest priority first
(at equal priority, later in the brief first; shortening before dropping). The plan is made from
the measured size of each fragment; the tree is then written out and checked, and the loop only
continues when whitespace normalisation made a cut save a little less than measured. Jinja is
never called again. Nothing is cut mid-sentence: fragments go whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from composer.errors import BriefTooLongError, SectionSize
from composer.render import Cut, Fragment, serialize

MAX_WRITES = 8
"""Bound on how many times the tree is written out while fitting (measured plans rarely need 2)."""


@dataclass(frozen=True)
class Shortening:
    """One cut the guard made, for the report."""

    id: str
    action: Cut
    chars_before: int
    chars_after: int

    def describe(self) -> str:
        verb = "shortened to summary" if self.action == "summary" else "dropped"
        return f"{self.id} {verb} (-{self.chars_before - self.chars_after:,} chars)"


@dataclass(frozen=True)
class Fit:
    """A brief that fits: its text, the cuts that made it fit, and the cut map to re-write it."""

    text: str
    cuts: dict[str, Cut]
    shortenings: list[Shortening]


def _size(fragment: Fragment, cuts: dict[str, Cut]) -> int:
    return len(serialize(Fragment("m", children=[fragment]), cuts))


def plan_steps(root: Fragment) -> list[tuple[Fragment, Cut]]:
    """Every cut the guard may make, in the order it makes them."""
    order = {id(f): i for i, f in enumerate(root.walk())}
    steps: list[tuple[int, int, int, Fragment, Cut]] = []
    for fragment in root.walk():
        if fragment.summary is not None:
            steps.append((fragment.priority, -order[id(fragment)], 0, fragment, "summary"))
        if fragment.optional:
            steps.append((fragment.priority, -order[id(fragment)], 1, fragment, "drop"))
    steps.sort(key=lambda s: s[:3])
    return [(s[3], s[4]) for s in steps]


def _covered(fragment: Fragment, root: Fragment, cuts: dict[str, Cut]) -> bool:
    """True when an ancestor's cut already removed or replaced this fragment."""

    def search(node: Fragment, hidden: bool) -> bool | None:
        if node is fragment:
            return hidden
        hidden = hidden or node.id in cuts
        for child in node.children:
            if isinstance(child, Fragment) and (found := search(child, hidden)) is not None:
                return found
        return None

    return bool(search(root, False))


def fit(root: Fragment, limit: int, *, target: str) -> Fit:
    """Cut ``root`` until it serialises to at most ``limit`` characters."""
    cuts: dict[str, Cut] = {}
    text = serialize(root, cuts)
    shortenings: list[Shortening] = []
    steps = iter(plan_steps(root) if len(text) > limit else [])
    writes = 1
    while len(text) > limit:
        # Plan from measured sizes: take cuts until their measured savings cover the overshoot.
        needed = len(text) - limit
        for fragment, action in steps:
            if _covered(fragment, root, cuts) or cuts.get(fragment.id) == "drop":
                continue
            before = _size(fragment, cuts)
            previous = cuts.get(fragment.id)
            cuts[fragment.id] = action
            after = _size(fragment, cuts)
            if after >= before:  # a summary no shorter than the full text saves nothing
                _restore(cuts, fragment.id, previous)
                continue
            shortenings.append(Shortening(fragment.id, action, before, after))
            needed -= before - after
            if needed <= 0:
                break
        else:
            text = serialize(root, cuts)
            if len(text) > limit:
                raise _too_long(root, cuts, len(text), limit, target)
        text = serialize(root, cuts)
        writes += 1
        if writes > MAX_WRITES and len(text) > limit:
            raise _too_long(root, cuts, len(text), limit, target)
    return Fit(text, cuts, shortenings)


def _restore(cuts: dict[str, Cut], fragment_id: str, previous: Cut | None) -> None:
    if previous is None:
        del cuts[fragment_id]
    else:
        cuts[fragment_id] = previous


def _too_long(root: Fragment, cuts: dict[str, Cut], chars: int, limit: int, target: str) -> BriefTooLongError:
    sections = [
        SectionSize(child.id, _size(child, cuts), not child.optional)
        for child in root.children
        if isinstance(child, Fragment) and _size(child, cuts) > 0
    ]
    unmarked = len("".join(c for c in root.children if isinstance(c, str)).strip())
    if unmarked:
        sections.insert(0, SectionSize("(text outside sections)", unmarked, True))
    return BriefTooLongError(target=target, limit=limit, chars=chars, sections=sections)
