"""Exactness, orders: the left-to-right order (``order`` delta, or "left to right: a, b, c" anywhere)
names distinct subjects, is not stated twice differently, and no phrase puts one of its subjects on
the wrong side ("the glasses on the left" when the glasses are rightmost)."""

from __future__ import annotations

from dataclasses import dataclass

from composer.lint.context import LintContext
from composer.lint.findings import Finding
from composer.lint.text import Analysed, Token, analyse, stem, tokenise
from composer.location import Location, Severity

RULE = "exactness"
PREPOSITIONS = frozenset({"on", "in", "at", "by", "with", "of", "near", "along", "around", "beside", "behind",
                          "under", "above", "across", "from", "to", "into", "onto", "over", "against"})
SIDES = {"left": "left", "right": "right", "centre": "centre", "center": "centre", "middle": "centre"}
DIRECTIONAL = frozenset({"from", "facing", "looking", "turned", "towards", "toward", "glancing", "leaning",
                         "pointing", "gazing", "turning", "faces", "looks"})
"""Words that make "left"/"right" a direction, not a position ("lit from the left")."""


def stated_orders(ctx: LintContext) -> list[tuple[str, ...]]:
    """Every left-to-right order the brief states: the ``order`` delta as written, else the
    "left to right: a, b, c" statements of its text (their words singularised)."""
    if ctx.brief.spec.deltas.order:
        return [tuple(ctx.brief.spec.deltas.order)]
    return list(dict.fromkeys(tuple(" ".join(i) for i in o.items) for o in order_statements(ctx)))


@dataclass(frozen=True)
class Order:
    items: tuple[tuple[str, ...], ...]
    location: Location
    span: tuple[str, int, int]
    """(fragment id, start, end) of the statement, so its own words are not read as claims."""

    def names(self) -> str:
        return ", ".join(" ".join(i) for i in self.items)


def check_orders(ctx: LintContext) -> list[Finding]:
    findings = _order_delta(ctx)
    orders = order_statements(ctx)
    for other in orders[1:]:
        first = orders[0]
        if other.items != first.items:
            findings.append(Finding(
                Severity.ERROR, RULE,
                f"orders left to right as {first.names()} and, at {other.location}, as {other.names()}",
                "state the order once, in the order delta (--set 'order=a;b;c'), and remove the other",
                (first.location, other.location), frozenset(w for i in first.items for w in i)))
        elif other.location != first.location:
            findings.append(Finding(
                Severity.NOTICE, RULE, f"the order {first.names()} is stated twice (also at {other.location})",
                "state the order once, in the order delta",
                (first.location, other.location), frozenset(w for i in first.items for w in i)))
    return findings + _position_claims(ctx, orders[0] if orders else None, orders)


def _order_delta(ctx: LintContext) -> list[Finding]:
    order = ctx.brief.spec.deltas.order
    findings = []
    seen: dict[tuple[str, ...], int] = {}
    for index, item in enumerate(order):
        key = tuple(stem(t.text) for t in tokenise(item) if t.is_word)
        leaf = ctx.leaf("shot", ("deltas", "order", index))
        where = leaf.location() if leaf else Location("shot", None, f"deltas.order.{index}")
        if key in seen:
            findings.append(Finding(
                Severity.ERROR, RULE, f'the order names "{item}" twice (items {seen[key]} and {index})',
                "name each subject once; to place two alike, name them apart (\"left mug\", \"right mug\")",
                (where,), frozenset(key)))
        seen.setdefault(key, index)
    if len(order) == 1:
        findings.append(Finding(
            Severity.WARNING, RULE, f'the order names one subject ("{order[0]}"): an order needs two or more',
            "list every subject left to right, or use the composition delta for a single placement",
            (Location("shot", None, "deltas.order"),), frozenset({order[0].lower()})))
    return findings


def order_statements(ctx: LintContext) -> list[Order]:
    found = []
    for section in ctx.positive:
        tokens = analyse(section.text).tokens
        for to in analyse(section.text).positions.get("to", ()):
            index = to - 1
            if index < 0 or to + 1 >= len(tokens) or {tokens[index].lower, tokens[to + 1].lower} != {"left", "right"}:
                continue
            a = tokens[index].lower
            items, end = _list_after(tokens, index + 3)
            if len(items) < 2:
                continue
            if a == "right":
                items = items[::-1]
            at = tokens[min(index + 3, len(tokens) - 1)]
            where = ctx.location_at(section, at.start, at.end)
            found.append(Order(tuple(items), where, (section.fragment_id, tokens[index].start, end)))
    return found


_LEAD = frozenset({",", ":", "in", "this", "exact", "order", "the", "from", "is", "are", "-"})


def _list_after(tokens: tuple[Token, ...], index: int) -> tuple[list[tuple[str, ...]], int]:
    while index < len(tokens) and tokens[index].lower in _LEAD:
        index += 1
    if index < len(tokens) and tokens[index].lower in PREPOSITIONS | {"as", "while", "through", "past"}:
        return [], index  # a movement ("pans left to right along the parapet"), not an order
    items: list[tuple[str, ...]] = []
    current: list[str] = []
    end = tokens[index - 1].end if index else 0
    for token in tokens[index:]:
        if token.lower in (".", ";", "\n", "!", "?", ":"):
            break
        end = token.end
        if token.lower in (",", "and", "then"):
            if current:
                items.append(tuple(current))
            current = []
        elif token.is_word and token.lower not in ("the", "a", "an"):
            current.append(stem(token.text))
    if current:
        items.append(tuple(current))
    return items, end


def _position_claims(ctx: LintContext, reference: Order | None, orders: list[Order]) -> list[Finding]:
    """Phrases that put one subject of the order on a side: "glasses on the left", "book centre"."""
    delta = ctx.brief.spec.deltas.order
    items = [tuple(stem(t.text) for t in tokenise(i) if t.is_word) for i in delta] if delta else (
        list(reference.items) if reference else [])
    if len(items) < 2:
        return []
    expected = {items[0]: "left", items[-1]: "right"}
    if len(items) % 2 == 1:
        expected[items[len(items) // 2]] = "centre"
    firsts = {item[0] for item in items}
    findings: dict[tuple[tuple[str, ...], str], Finding] = {}
    for section in ctx.positive:
        analysed = analyse(section.text)
        for start, end in _side_phrases(analysed):
            if not firsts.intersection(analysed.stems[start:end]):
                continue
            phrase = list(analysed.tokens[start:end])
            if any(o.span[0] == section.fragment_id and o.span[1] <= phrase[0].start < o.span[2] for o in orders):
                continue
            claim = _claim(phrase, items)
            if claim is None:
                continue
            item, side = claim
            want = expected.get(item, "inner")
            if side == want or (side == "centre" and want == "inner" and len(items) % 2 == 0):
                continue
            where = ctx.location_at(section, phrase[0].start, phrase[0].end)
            name = " ".join(item)
            findings.setdefault((item, str(where)), Finding(
                Severity.ERROR, RULE,
                f'puts "{name}" {_side_words(side)}, but the left-to-right order '
                f'({", ".join(" ".join(i) for i in items)}) puts it {_side_words(want)}',
                f"remove the placement from {where.field or 'this text'}, or change the order",
                (where,), frozenset({name})))
    return list(findings.values())


def _side_words(side: str) -> str:
    return {"left": "on the left", "right": "on the right", "centre": "in the centre",
            "inner": "between the ends"}[side]


_PHRASE_BREAKS = frozenset({".", ";", ",", "\n", "and", ":", "(", ")", "!", "?"})


def _side_phrases(analysed: Analysed) -> list[tuple[int, int]]:
    """Token ranges of the phrases (between commas, "and" and stops) that hold a side word."""
    tokens = analysed.tokens
    starts: set[int] = set()
    for word in SIDES:
        for index in analysed.positions.get(word, ()):
            start = index
            while start > 0 and tokens[start - 1].lower not in _PHRASE_BREAKS:
                start -= 1
            starts.add(start)
    phrases = []
    for start in sorted(starts):
        end = start
        while end < len(tokens) and tokens[end].lower not in _PHRASE_BREAKS:
            end += 1
        phrases.append((start, end))
    return phrases


def _claim(phrase: list[Token], items: list[tuple[str, ...]]) -> tuple[tuple[str, ...], str] | None:
    words = [stem(t.text) for t in phrase if t.is_word]
    lowered = [t.lower for t in phrase if t.is_word]
    sides = {SIDES[w] for w in lowered if w in SIDES}
    if len(sides) != 1 or ("to" in lowered and {"left", "right"} <= set(lowered)):
        return None
    side_at = next(i for i, w in enumerate(lowered) if w in SIDES)
    if any(w in DIRECTIONAL for w in lowered[max(0, side_at - 3):side_at]):
        return None
    mentioned = [item for item in items if _contains(words, item)]
    if len(mentioned) != 1:
        return None
    return mentioned[0], sides.pop()


def _contains(words: list[str], item: tuple[str, ...]) -> bool:
    n = len(item)
    return any(tuple(words[i:i + n]) == item for i in range(len(words) - n + 1))
