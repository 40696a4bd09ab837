"""Exactness: counts and left-to-right orders are stated once, unambiguously, never contradicted.

The seed's test set showed these are what a brand can rely on only when the brief is exact:
"exactly four candles", "mug left, book centre, glasses right". Lint checks that

* each count (``counts`` delta, or "exactly N <noun>" anywhere) has a number and a noun, and no
  other statement gives the same noun a different number ("two candles") or a vague one
  ("several candles");
* the order (``order`` delta, or "left to right: a, b, c" anywhere) names distinct subjects,
  is not stated twice differently, and no phrase puts one of its subjects on the wrong side
  ("the glasses on the left" when the glasses are rightmost): ``composer.lint.orders``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from composer.lint.context import LintContext, Section
from composer.lint.findings import Finding
from composer.lint.orders import PREPOSITIONS, RULE, check_orders, stated_orders
from composer.lint.text import CACHE_TEXTS, Token, analyse, stem, tokenise
from composer.location import Location, Severity

NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "dozen": 12, "single": 1,
}
VAGUE = frozenset({"several", "few", "some", "many", "multiple", "numerous", "countless", "various",
                   "couple", "handful", "dozens", "lots", "plenty", "more"})
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
    findings += check_orders(ctx)
    return findings


def stated_counts(ctx: LintContext) -> list[Count]:
    """Every exact count the brief states (``counts`` deltas and "exactly N <noun>" in the text)."""
    return _count_statements(ctx)[0]


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
                where = ctx.location_at(section, token.start, token.end)
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
            where = ctx.location_at(section, token.start, token.end)
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


__all__ = ["check_exactness", "stated_counts", "stated_orders"]  # stated_orders lives in orders.py
