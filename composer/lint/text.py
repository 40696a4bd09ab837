"""Reading brief text the way lint needs: words, clauses, negation, and what a negative forbids.

Everything here works on tokens, never on substrings, so "red" is never found inside "Fred",
"reduce" or "shredded", and "no red" in a positive section is read as a negative, not a request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from composer.lint.colours import family_of_word

TOKEN_RE = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})(?![0-9A-Za-z])|[^\W\d_]+|\d+|[.;:!?()\[\],/\n-]")

CLAUSE_BREAKS = frozenset({".", ";", ":", "!", "?", "(", ")", "[", "]", "\n", "but"})
NEGATORS = frozenset({
    "no", "not", "never", "without", "avoid", "avoids", "avoiding", "nothing", "none", "zero", "free",
    "nor", "non", "neither", "forbid", "forbidden", "exclude", "excluding",
})
FILLERS = frozenset({
    "a", "an", "any", "the", "of", "or", "and", "nor", ",", "-", "/", "hint", "hints", "trace", "traces",
    "touch", "bit", "speck", "bright", "deep", "dark", "light", "pale", "vivid", "strong", "soft", "muted",
    "kind", "sort", "shade", "shades", "tone", "tones", "tint", "tints", "hue", "hues", "colour",
    "colours", "color", "colors", "other", "anything", "at", "all", "even", "single", "is", "are", "be",
    "in", "with",
})
"""Words that may stand between a negator and what it negates: "no hint of bright red"."""
GENERIC = frozenset({
    "anywhere", "in", "on", "frame", "the", "image", "images", "picture", "pictures", "shot", "scene",
    "tone", "tones", "tint", "tints", "hue", "hues", "accent", "accents", "colour", "colours", "color",
    "colors", "shade", "shades", "of", "any", "kind", "element", "elements", "object", "objects", "thing",
    "things", "detail", "details", "area", "areas", "at", "all", "whatsoever", "cast", "anything",
    "everywhere", "whatever", "a", "an", "-", "or", "and",
})
"""Words after a colour that do not narrow a ban: "red anywhere in frame" bans all red."""
LINKING_VERBS = frozenset({
    "turn", "turns", "turning", "become", "becomes", "becoming", "go", "goes", "going", "get", "gets", "look",
    "looks", "looking", "appear", "appears", "wear", "wears", "wearing", "show", "shows", "showing", "use",
    "uses", "using", "include", "includes", "including", "contain", "contains", "have", "has", "be", "fade",
    "fades", "read", "reads", "shift", "shifts", "tip", "tips", "into", "to", "toward", "towards",
})
"""Verbs a negation reaches through: "never turns orange", "not wearing red"."""
EXCEPTING = frozenset({"but", "except", "besides", "than"})
"""In a negative, these make the colour the exception: "a jacket in any colour but bottle green"."""
STRIP_LEADING = frozenset({"no", "not", "never", "any", "anything", "without", "avoid", "a", "an", "the",
                           "other"})
MAX_PHRASE_WORDS = 4
CACHE_TEXTS = 4096
"""How many distinct texts keep their tokens cached (least recently used go first). A campaign's
sections cycle (a composition per variant and scene, reused by every product), and an LRU smaller
than the cycle hits nothing: this is sized above the largest cycle measured (bench/RESULTS.md,
"Lint"). Tokens hold only strings and numbers, which the garbage collector stops tracking, so a
full cache costs memory (a few MB), not collection time."""


class Token(NamedTuple):
    text: str
    start: int
    end: int
    lower: str
    is_word: bool


@lru_cache(maxsize=CACHE_TEXTS)
def tokenise(text: str) -> tuple[Token, ...]:
    return tuple(
        Token(m.group(), m.start(), m.end(), m.group().lower(), m.group()[0].isalpha())
        for m in TOKEN_RE.finditer(text)
    )


@dataclass(frozen=True)
class Analysed:
    """A text's tokens with the lookups every rule needs, computed once per distinct text (the same
    character part recurs in thousands of a campaign's briefs)."""

    tokens: tuple[Token, ...]
    stems: tuple[str, ...]
    """Each token's ``stem`` (punctuation as itself)."""
    positions: dict[str, tuple[int, ...]]
    """Stem -> the token indexes where it occurs."""
    colours: tuple[int, ...]
    """Indexes of colour words and hex codes."""
    words: tuple[str, ...]
    """The stems of the word tokens only (punctuation and hyphens skipped), for phrase matching."""
    word_at: dict[int, int]
    """Token index -> its position in ``words``."""


@lru_cache(maxsize=CACHE_TEXTS)
def analyse(text: str) -> Analysed:
    tokens = tokenise(text)
    stems = tuple(stem(t.text) if t.is_word else t.lower for t in tokens)
    positions: dict[str, list[int]] = {}
    for index, word in enumerate(stems):
        positions.setdefault(word, []).append(index)
    colours = tuple(i for i, t in enumerate(tokens) if t.text[0] == "#" or family_of_word(t.text))
    word_indexes = [i for i, t in enumerate(tokens) if t.is_word]
    return Analysed(tokens, stems, {k: tuple(v) for k, v in positions.items()}, colours,
                    tuple(stems[i] for i in word_indexes), {i: n for n, i in enumerate(word_indexes)})


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude singular: candles -> candle, glasses -> glass, berries -> berry (both sides alike)."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("es") and w[:-2].endswith(("s", "x", "ch", "sh")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def is_negated(tokens: tuple[Token, ...], index: int) -> bool:
    """True when the token at ``index`` sits in a negated phrase of its clause ("not a hint of red")."""
    j = index - 1
    while j >= 0:
        word = tokens[j].lower
        if word in CLAUSE_BREAKS:
            return False
        if word in NEGATORS:
            return True
        if word in FILLERS or family_of_word(word):
            j -= 1
            continue
        # One verb may stand right after the negator: "never turns orange", "not wearing red".
        return word in LINKING_VERBS and j > 0 and tokens[j - 1].lower in NEGATORS
    return False


def clause_bounds(tokens: tuple[Token, ...], index: int) -> tuple[int, int]:
    """Token index range [start, end) of the clause that holds ``index`` (commas do not end one)."""
    start = index
    while start > 0 and tokens[start - 1].lower not in CLAUSE_BREAKS:
        start -= 1
    end = index + 1
    while end < len(tokens) and tokens[end].lower not in CLAUSE_BREAKS:
        end += 1
    return start, end


# -- what a negative constraint forbids ----------------------------------------------------------

@dataclass(frozen=True)
class Ban:
    """One thing a negative forbids: a whole colour family, a colour on some nouns, or a phrase."""

    text: str
    """The term as the negative wrote it ("red", "red lipstick", "lens flare")."""
    family: str | None = None
    """Colour family, or None for a phrase ban."""
    words: tuple[str, ...] = ()
    """Stemmed words: the phrase itself, or the nouns a colour ban is narrowed to."""

    @property
    def is_colour(self) -> bool:
        return self.family is not None


_SPLIT = frozenset({",", ";", "(", ")", "[", "]", "/", "or", "and", "nor", "\n", ".", ":"})


def _chunks(tokens: Iterable[Token], separators: frozenset[str]) -> list[list[Token]]:
    chunks: list[list[Token]] = [[]]
    for token in tokens:
        if token.lower in separators:
            chunks.append([])
        else:
            chunks[-1].append(token)
    return [c for c in chunks if c]


@lru_cache(maxsize=4096)
def parse_negative(item: str) -> tuple[Ban, ...]:
    """What one negative constraint forbids. A negative that names a colour yields colour bans only
    (its other words usually narrow the colour: "red berries"); otherwise its short noun phrases."""
    tokens = tokenise(item)
    if any(family_of_word(t.text) for t in tokens):
        return tuple(_colour_bans([_colour_chunk(chunk) for chunk in _chunks(tokens, _SPLIT)]))
    return tuple(_phrase_bans(tokens))


@dataclass(frozen=True)
class _ColourChunk:
    head: str | None
    """The colour word that names the family ("pink-red": red), None for a colour-free chunk."""
    narrowing: tuple[str, ...]
    bare: bool
    """Only a colour (and fillers): "yellow" in "yellow or orange eyes" takes the nouns after it."""


def _colour_chunk(chunk: list[Token]) -> _ColourChunk:
    words = [t for t in chunk if t.text != "-"]
    index = next((i for i, t in enumerate(words) if family_of_word(t.text)), None)
    if index is None or any(t.lower in EXCEPTING for t in words[:index]):
        return _ColourChunk(None, (), False)
    run_end = index
    while run_end + 1 < len(words) and family_of_word(words[run_end + 1].text):
        run_end += 1
    others = [t for t in [*words[:index], *words[run_end + 1 :]] if t.is_word]
    narrowing = tuple(stem(t.text) for t in others
                      if t.lower not in GENERIC and t.lower not in FILLERS and t.lower not in NEGATORS)
    bare = all(t.lower in FILLERS or t.lower in NEGATORS for t in others)
    return _ColourChunk(words[run_end].lower, narrowing, bare)


def _colour_bans(chunks: list[_ColourChunk]) -> list[Ban]:
    bans: list[Ban] = []
    narrowing: tuple[str, ...] = ()
    for chunk in reversed(chunks):  # right to left, so "yellow" learns the "eyes" of "orange eyes"
        if chunk.head is None:
            narrowing = ()
            continue
        narrowing = narrowing if chunk.bare else chunk.narrowing
        text = " ".join([chunk.head, *narrowing])
        bans += [Ban(text, family, narrowing) for family in sorted(family_of_word(chunk.head))]
    return bans[::-1]


def _phrase_bans(tokens: tuple[Token, ...]) -> list[Ban]:
    """Short noun phrases of a colour-free negative: "weapons, fire, peril or anything frightening".

    Commas split only before the last "or": in "flash look or flat, shadowless light" the comma
    joins two adjectives of one phrase."""
    bans = []
    inner = [t for t in tokens if _inside_brackets(tokens, t)]
    outer = [t for t in tokens if not _inside_brackets(tokens, t) and t.text not in "()[]"]
    for part in [*_chunks(outer, frozenset({";", ".", ":", "\n"})), *_chunks(inner, frozenset({";"}))]:
        alternatives = _chunks(part, frozenset({"or", "nor"}))
        has_conjunction = len(alternatives) > 1
        pieces: list[list[Token]] = []
        for n, alternative in enumerate(alternatives):
            last = n == len(alternatives) - 1
            pieces += [alternative] if (last and has_conjunction) else _chunks(alternative, frozenset({",", "/"}))
        bans += [ban for piece in _distribute(pieces) if (ban := _phrase(piece))]
    return bans


def _distribute(pieces: list[list[Token]]) -> list[list[Token]]:
    """ "dark, dense or threatening forest", "flat, lifeless shadows": single adjectives before a
    longer phrase share its noun. Plurals and -ing words are nouns ("screens, phones or plastic
    toys", "smoking, vaping"), not adjectives, and stand alone."""
    words = [_content_words(piece) for piece in pieces]
    out: list[list[Token]] = []
    for index, piece in enumerate(pieces):
        if _adjective(words[index]):
            following = next((w for w in words[index + 1:] if not _adjective(w)), None)
            if following is not None and 2 <= len(following) <= MAX_PHRASE_WORDS:
                out.append([words[index][0], following[-1]])
                continue
        out.append(piece)
    return out


def _adjective(words: list[Token]) -> bool:
    return len(words) == 1 and stem(words[0].text) == words[0].lower and not words[0].lower.endswith("ing")


def _inside_brackets(tokens: tuple[Token, ...], token: Token) -> bool:
    depth = 0
    for t in tokens:
        if t is token:
            return depth > 0 and t.text not in "()[]"
        depth += 1 if t.text in "([" else -1 if t.text in ")]" else 0
    return False


def _content_words(piece: list[Token]) -> list[Token]:
    words = [t for t in piece if t.is_word]
    while words and words[0].lower in STRIP_LEADING:
        words = words[1:]
    return words


def _phrase(piece: list[Token]) -> Ban | None:
    words = _content_words(piece)
    if not words or len(words) > MAX_PHRASE_WORDS or any(t.lower in NEGATORS for t in words):
        return None
    if all(t.lower in FILLERS or t.lower in GENERIC for t in words):
        return None
    return Ban(" ".join(t.lower for t in words), None, tuple(stem(t.text) for t in words))
