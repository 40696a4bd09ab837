"""Exactness: counts and left-to-right orders are stated once, unambiguously, never contradicted.

The seed's test set showed these are what a brand can rely on only when the brief is exact:
"exactly four candles", "mug left, book centre, glasses right". Lint checks that

* each count (``counts`` delta, or "exactly N <noun>" anywhere) has a number and a noun, and no
  other statement gives the same noun a different number ("two candles") or a vague one
  ("several candles");
* the order (``order`` delta, or "left to right: a, b, c" anywhere) names distinct subjects,
  is not stated twice differently, and no phrase puts one of its subjects on the wrong side
  ("the glasses on the left" when the glasses are rightmost).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from composer.lint.context import Leaf, LintContext, Section
from composer.lint.findings import Finding
from composer.lint.text import CACHE_TEXTS, Analysed, Token, analyse, stem, tokenise
from composer.location import Location, Severity

RULE = "exactness"
NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "dozen": 12, "single": 1,
}
VAGUE = frozenset({"several", "few", "some", "many", "multiple", "numerous", "countless", "various",
                   "couple", "handful", "dozens", "lots", "plenty", "more"})
PREPOSITIONS = frozenset({"on", "in", "at", "by", "with", "of", "near", "along", "around", "beside", "behind",
                          "under", "above", "across", "from", "to", "into", "onto", "over", "against"})
SIDES = {"left": "left", "right": "right", "centre": "centre", "center": "centre", "middle": "centre"}
DIRECTIONAL = frozenset({"from", "facing", "looking", "turned", "towards", "toward", "glancing", "leaning",
                         "pointing", "gazing", "turning", "faces", "looks"})
"""Words that make "left"/"right" a direction, not a position ("lit from the left")."""
MAX_GAP = 2
"""Words allowed between a number and its noun in a mention ("two tall candles")."""


@dataclass(frozen=True)
class Count:
    number: int | None
    head: str
    text: str
    location: Location


def check_exactness(ctx: LintContext) -> list[Finding]:
    counts, findings = _count_statements(ctx)
    findings += _count_agreement(counts)
    findings += _count_mentions(ctx, counts)
    findings += _orders(ctx)
    return findings


def stated_counts(ctx: LintContext) -> list[Count]:
    """Every exact count the brief states (``counts`` deltas and "exactly N <noun>" in the text)."""
    return _count_statements(ctx)[0]


def stated_orders(ctx: LintContext) -> list[tuple[str, ...]]:
    """Every left-to-right order the brief states: the ``order`` delta as written, else the
    "left to right: a, b, c" statements of its text (their words singularised)."""
    if ctx.brief.spec.deltas.order:
        return [tuple(ctx.brief.spec.deltas.order)]
    return list(dict.fromkeys(tuple(" ".join(i) for i in o.items) for o in _order_statements(ctx)))


# -- counts ----------------------------------------------------------------------------------------

def parse_count(tokens: list[Token]) -> tuple[int | None, str, str] | None:
    """(number, head noun stem, noun text) of "exactly 4 lit candles on the mantel", else None."""
    words = [t for t in tokens if t.is_word or t.text.isdigit()]
    if words and words[0].lower == "exactly":
        words = words[1:]
    if not words:
        return None
    number = _number(words[0].lower)
    rest = words[1:] if number is not None else words
    noun: list[Token] = []
    for token in rest:
        if token.lower in PREPOSITIONS:
            break
        noun.append(token)
    if not noun:
        return None
    # The counted noun: the first plural ("3 candles lit"), else the last word ("1 perfume bottle").
    head = next((t for t in noun if stem(t.text) != t.lower), noun[-1])
    end = noun.index(head) + 1
    return number, stem(head.text), " ".join(t.text for t in noun[:end])


def _number(word: str) -> int | None:
    return int(word) if word.isdigit() else NUMBERS.get(word)


def _count_statements(ctx: LintContext) -> tuple[list[Count], list[Finding]]:
    counts: list[Count] = []
    findings: list[Finding] = []
    for leaf in ctx.by_kind["shot"]:
        if leaf.key[:2] != ("deltas", "counts"):
            continue
        parsed = parse_count(list(tokenise(leaf.value)))
        if parsed is None or parsed[0] is None:
            findings.append(Finding(
                Severity.ERROR, RULE, f'count "{leaf.value}" has no exact number',
                'write it as a number and a noun, e.g. --set "counts=4 candles"',
                (leaf.location(),), frozenset({leaf.value.lower()})))
            continue
        number, head, noun = parsed
        counts.append(Count(number, head, f"{number} {noun}", leaf.location()))
        if number == 0:
            findings.append(Finding(
                Severity.WARNING, RULE, f'count "{leaf.value}" asks for none',
                f'state it as a negative instead: --set "negative={noun}"',
                (leaf.location(),), frozenset({head, noun.lower()})))
    for section in ctx.positive:
        tokens = analyse(section.text).tokens
        for index in analyse(section.text).positions.get("exactly", ()):
            token = tokens[index]
            if _in_counts_leaf(ctx, section, token):
                continue
            parsed = parse_count(list(tokens[index:index + 8]))
            if parsed and parsed[0] is not None:
                where = _where(ctx, section, token)
                counts.append(Count(parsed[0], parsed[1], f"{parsed[0]} {parsed[2]}", where))
    return counts, findings


def _count_agreement(counts: list[Count]) -> list[Finding]:
    findings = []
    for i, first in enumerate(counts):
        for second in counts[i + 1:]:
            if first.head != second.head:
                continue
            if first.number != second.number:
                findings.append(Finding(
                    Severity.ERROR, RULE,
                    f'asks for exactly {first.text} and, at {second.location}, exactly {second.text}',
                    "state the count once, in the counts delta, and remove the other",
                    (first.location, second.location), frozenset({first.head})))
            elif first.location != second.location:
                findings.append(Finding(
                    Severity.NOTICE, RULE, f'the count "{first.text}" is stated twice (also at {second.location})',
                    "state each count once, in the counts delta",
                    (first.location, second.location), frozenset({first.head})))
    return findings


def _count_mentions(ctx: LintContext, counts: list[Count]) -> list[Finding]:
    """Other numbers or vague quantities given to a counted noun anywhere in the positive text."""
    by_head = {c.head: c for c in counts}
    if not by_head:
        return []
    findings: dict[tuple[str, str], Finding] = {}
    heads = by_head.keys()
    for section in ctx.positive:
        analysed = analyse(section.text)
        if not heads & analysed.positions.keys():
            continue  # the counted nouns do not occur here at all
        tokens = analysed.tokens
        for index in _quantities(section.text):
            token = tokens[index]
            number, vague = _number(token.lower), token.lower in VAGUE
            if index and tokens[index - 1].lower == "exactly":
                continue  # a count statement itself: compared in _count_agreement
            head = _noun_after(tokens, index, by_head)
            if head is None or _in_counts_leaf(ctx, section, token):
                continue
            count = by_head[head]
            if number is not None and number == count.number:
                continue
            where = _where(ctx, section, token)
            said = _phrase(section.text, tokens, index, head)
            severity = Severity.WARNING if vague else Severity.ERROR
            verb = "is vague about" if vague else "contradicts"
            findings.setdefault((head, str(where)), Finding(
                severity, RULE, f'"{said}" {verb} the count "exactly {count.text}" ({count.location})',
                f"remove the number from {where.field or 'this text'} or make it agree: the count is stated once",
                (where, count.location), frozenset({head})))
    return list(findings.values())


@lru_cache(maxsize=CACHE_TEXTS)
def _quantities(text: str) -> tuple[int, ...]:
    """Indexes of numbers and vague quantities ("4", "four", "several") in a text."""
    return tuple(i for i, t in enumerate(analyse(text).tokens)
                 if t.text.isdigit() or t.lower in NUMBERS or t.lower in VAGUE)


def _noun_after(tokens: tuple[Token, ...], index: int, heads: dict[str, Count]) -> str | None:
    gap = 0
    for token in tokens[index + 1:]:
        if not token.is_word:
            if token.text == "-":
                continue
            return None
        word = stem(token.text)
        if word in heads:
            return word
        if token.lower == "of" or token.lower in ("the", "a"):
            continue
        gap += 1
        # A plural or a verb form between number and noun means the number belongs to that word.
        if gap > MAX_GAP or word != token.lower or token.lower.endswith(("ing", "ed")):
            return None
    return None


def _phrase(text: str, tokens: tuple[Token, ...], index: int, head: str) -> str:
    end = next((t.end for t in tokens[index:] if t.is_word and stem(t.text) == head), tokens[index].end)
    return text[tokens[index].start:end]


def _in_counts_leaf(ctx: LintContext, section: Section, token: Token) -> bool:
    """Whether the token is part of a ``counts`` delta as the template wrote it ("Exactly 4 candles")."""
    text = section.text
    for value in ctx.brief.spec.deltas.counts:
        at = text.find(value, max(0, token.end - len(value)), token.start + len(value) + 16)
        if at != -1 and at - 16 <= token.start < at + len(value):
            return True
    return False


def _where(ctx: LintContext, section: Section, token: Token) -> Location:
    leaf: Leaf | None = ctx.leaves_in(section.text, token.start, token.end)
    return leaf.location() if leaf else ctx.template_location(section.fragment_id)


# -- orders ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Order:
    items: tuple[tuple[str, ...], ...]
    location: Location
    span: tuple[str, int, int]
    """(fragment id, start, end) of the statement, so its own words are not read as claims."""

    def names(self) -> str:
        return ", ".join(" ".join(i) for i in self.items)


def _orders(ctx: LintContext) -> list[Finding]:
    findings = _order_delta(ctx)
    orders = _order_statements(ctx)
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


def _order_statements(ctx: LintContext) -> list[Order]:
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
            where = _where(ctx, section, tokens[min(index + 3, len(tokens) - 1)])
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
            where = _where(ctx, section, phrase[0])
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
