"""Conflicts: a positive section asks for something a negative constraint forbids.

Colours are matched as families (see ``colours``): "no red" is contradicted by "crimson",
"copper-red hair" or a palette hex in the red hue range, an error naming both files. A negative
that narrows a colour ("red lipstick") only catches that colour on those nouns. Colour-free
negatives ("lens flare", "weapons, fire or peril") are matched as whole phrases and, being read
heuristically, are warnings. Mentions in the negative section never count, nor do negated
mentions inside a positive one ("no hint of red"), display names or asset ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from composer.lint.colours import family_of_word, hex_family
from composer.lint.context import Leaf, LintContext
from composer.lint.findings import Finding
from composer.lint.text import Analysed, Ban, Token, analyse, clause_bounds, is_negated, parse_negative, stem
from composer.location import Severity

RULE = "conflict"
WINDOW = 4
"""How many tokens either side of a colour a narrowed ban's nouns may stand ("red silk lipstick")."""
_COMPOUND = re.compile(r"[\w#]+(?:-[\w]+)*")


@dataclass(frozen=True)
class Negative:
    ban: Ban
    leaf: Leaf


@dataclass
class _Hit:
    negative: Negative
    words: list[str]
    leaf: Leaf | None
    fragment: str


@dataclass(frozen=True, eq=False)
class Bans:
    """A shot's negatives, indexed for scanning; built once per distinct set of negatives."""

    whole: dict[str, Negative]
    """Colour family -> the first negative that bans all of it."""
    narrowed: list[Negative]
    """Colour bans narrowed to some nouns ("red lipstick")."""
    phrases: dict[str, list[Negative]]
    """First stemmed word -> the phrase bans that start with it."""
    banned: frozenset[str]
    """Every colour family any negative names."""


_BANS: dict[object, Bans] = {}
_SCANS: dict[tuple[Bans, str], tuple[tuple[int, tuple[Negative, ...]], ...]] = {}
MEMO_SIZE = 4096
"""Bound on both memos; a campaign's briefs share most sections, so their scans are reused."""


def bans_of(ctx: LintContext) -> Bans | None:
    bans = _BANS.get(ctx.negatives_key)
    if bans is None:
        negatives = [Negative(ban, leaf) for leaf in ctx.negatives for ban in parse_negative(leaf.value)]
        if not negatives:
            return None
        phrases: dict[str, list[Negative]] = {}
        for n in negatives:
            if not n.ban.is_colour:
                phrases.setdefault(n.ban.words[0], []).append(n)
        whole = {n.ban.family: n for n in reversed(negatives) if n.ban.family and not n.ban.words}
        narrowed = [n for n in negatives if n.ban.is_colour and n.ban.words]
        bans = Bans(whole, narrowed, phrases, frozenset(whole) | {n.ban.family for n in narrowed if n.ban.family})
        if len(_BANS) > MEMO_SIZE:
            _BANS.clear()
        _BANS[ctx.negatives_key] = bans
    return bans


def scan(bans: Bans, text: str) -> tuple[tuple[int, tuple[Negative, ...]], ...]:
    """Token indexes of ``text`` that ask for something banned (not negated), with what bans it."""
    key = (bans, text)
    found = _SCANS.get(key)
    if found is None:
        analysed = analyse(text)
        tokens = analysed.tokens
        candidates = {i for i in analysed.colours if _families(tokens[i].text) & bans.banned} if bans.banned else set()
        for first in bans.phrases.keys() & analysed.positions.keys():
            candidates.update(analysed.positions[first])
        hits = []
        for index in sorted(candidates):
            negatives = _colour_hits(tokens, index, bans) + _phrase_hits(analysed, index, bans.phrases)
            if negatives and not is_negated(tokens, index):
                hits.append((index, tuple(negatives)))
        found = tuple(hits)
        if len(_SCANS) > MEMO_SIZE:
            _SCANS.clear()
        _SCANS[key] = found
    return found


def check_conflicts(ctx: LintContext) -> list[Finding]:
    bans = bans_of(ctx)
    if bans is None:
        return []
    ids = {a.id.lower() for a in ctx.brief.assets.loaded()}
    hits: dict[tuple[object, ...], _Hit] = {}
    for section in ctx.positive:
        for index, negatives in scan(bans, section.text):
            token = analyse(section.text).tokens[index]
            word = _compound(section.text, token)
            if word.lower() in ids:
                continue  # an asset id like "red-curls" is a name, not a request
            leaf = ctx.leaves_in(section.text, token.start, token.end)
            if leaf is not None and leaf.role != "positive":
                continue
            for negative in negatives:
                key = (negative.ban, negative.leaf.key, negative.leaf.asset_id,
                       leaf.key if leaf else section.fragment_id, leaf.asset_id if leaf else None)
                hit = hits.setdefault(key, _Hit(negative, [], leaf, section.fragment_id))
                if word not in hit.words:
                    hit.words.append(word)
    return [_finding(ctx, hit) for hit in hits.values()]


def _colour_hits(tokens: tuple[Token, ...], index: int, bans: Bans) -> list[Negative]:
    families = _families(tokens[index].text)
    if not families:
        return []
    found = [bans.whole[f] for f in sorted(families) if f in bans.whole]
    if bans.narrowed:
        start, end = clause_bounds(tokens, index)
        near = {stem(t.text) for t in tokens[max(start, index - WINDOW): min(end, index + WINDOW + 1)]}
        found += [n for n in bans.narrowed if n.ban.family in families and set(n.ban.words) <= near]
    return found


def _families(word: str) -> frozenset[str]:
    if word[0] == "#":
        family = hex_family(word)
        return frozenset({family}) if family else frozenset()
    return family_of_word(word)


def _phrase_hits(analysed: Analysed, index: int, phrases: dict[str, list[Negative]]) -> list[Negative]:
    candidates = phrases.get(analysed.stems[index]) if analysed.tokens[index].is_word else None
    if not candidates:
        return []
    at = analysed.word_at[index]
    return [n for n in candidates if analysed.words[at:at + len(n.ban.words)] == n.ban.words]


def _compound(text: str, token: Token) -> str:
    """The whole hyphenated word around a token: "copper-red", not just "red"."""
    start = token.start
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-"):
        start -= 1
    match = _COMPOUND.match(text, start)
    return match.group().strip("-") if match else token.text


def _finding(ctx: LintContext, hit: _Hit) -> Finding:
    ban, negative = hit.negative.ban, hit.negative.leaf
    where = hit.leaf.location() if hit.leaf else ctx.template_location(hit.fragment)
    forbids = negative.location()
    quoted = ", ".join(f'"{w}"' for w in hit.words)
    what = f"{ban.family}" + (f" {' '.join(ban.words)}" if ban.words else "") if ban.is_colour else f'"{ban.text}"'
    asset = hit.leaf.asset_id if hit.leaf and hit.leaf.kind != "shot" else None
    term = ban.family if ban.is_colour and ban.family else ban.text
    message = f"asks for {what} ({quoted}), which {forbids} forbids"
    if hit.leaf and hit.leaf.kind != "shot":
        message = f"{hit.leaf.kind} {hit.leaf.asset_id}: {message}"
    scope = f", asset: {asset}" if asset else ""
    other = "remove that negative from the shot" if negative.kind == "shot" else \
        f"use another {negative.kind} than {negative.asset_id}"
    fix = (f"reword {where.field or 'the template text'}, {other}, or record a named exception: "
           f"lint_exceptions: [{{rule: conflict, term: {term}{scope}, reason: ...}}] in the shot or brand kit")
    return Finding(
        Severity.ERROR if ban.is_colour else Severity.WARNING,
        RULE,
        message,
        fix,
        (where, forbids),
        frozenset({term.lower(), ban.text.lower(), *(w.lower() for w in hit.words)}),
        hit.leaf.asset_id if hit.leaf else None,
    )

