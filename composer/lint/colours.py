"""Colour families: which words and which hex codes count as "red", "blue" and so on.

Lint matches colours as families, not strings, so "no red anywhere" also catches "crimson",
"auburn", "copper-red hair" and a palette entry whose hex is red. Matching is per word: a word
is a maximal run of letters, so "reduce", "Fred" and "shredded" never contain "red", while each
part of a hyphenated compound ("copper-red", "blood-red") is a word of its own.

Only unambiguous reds are red: in-between words (terracotta, rust, russet, mahogany) belong to
orange or brown, so a brand that forbids red can still have a russet fox; "rust-red" is red.
Words with an everyday non-colour meaning (gold, copper, rose, wine, brick, moss, cream, silver,
peach, plum, salmon) are deliberately left out: they are what a brief most often means literally,
and a false conflict blocks generation as surely as a real one. "red brick" or "rose-pink" still
match, through "red" and "pink".

Hex codes are classified by hue, computed from RGB (HSL model), in degrees:

=======  ===================  ====================================================
family   hue                  also requires
=======  ===================  ====================================================
red      345-360 and 0-15     saturation >= 0.35, lightness 0.15-0.75
pink     315-345              saturation >= 0.35, lightness 0.15-0.90; also red hues lighter than 0.75
orange   15-45                saturation >= 0.35, lightness 0.40-0.85
brown    15-45                saturation >= 0.20, lightness 0.10-0.40 (dark oranges are browns)
yellow   45-70                saturation >= 0.35, lightness 0.15-0.90
green    70-165               saturation >= 0.25, lightness 0.10-0.90
blue     165-255              saturation >= 0.25, lightness 0.10-0.90
purple   255-315              saturation >= 0.25, lightness 0.10-0.90
black    any                  lightness < 0.12
white    any                  lightness > 0.94
grey     any                  saturation < 0.12 (and neither black nor white)
=======  ===================  ====================================================

A colour below its family's saturation floor (a greyish rose, a dusty taupe) belongs to no
chromatic family: it is too muted for a model to read it as that colour.
"""

from __future__ import annotations

import colorsys
import re
from functools import lru_cache

FAMILIES: dict[str, frozenset[str]] = {
    "red": frozenset({
        "red", "reds", "reddish", "redder", "reddest", "reddened", "crimson", "scarlet", "vermilion",
        "vermillion", "burgundy", "cherry", "cherries", "ruby", "rubies", "auburn", "ginger", "maroon",
        "carmine", "claret", "oxblood", "cerise", "garnet", "cinnabar", "titian",
    }),
    "orange": frozenset({
        "orange", "oranges", "orangey", "orangish", "tangerine", "apricot", "amber", "terracotta",
        "rust", "ginger", "coral",
    }),
    "yellow": frozenset({
        "yellow", "yellows", "yellowish", "lemon", "mustard", "canary", "saffron", "ochre", "ocher",
        "primrose",
    }),
    "green": frozenset({
        "green", "greens", "greenish", "emerald", "olive", "lime", "sage", "jade", "teal", "mint",
        "chartreuse", "verdigris", "viridian", "turquoise",
    }),
    "blue": frozenset({
        "blue", "blues", "bluish", "blueish", "navy", "azure", "cobalt", "cerulean", "indigo", "teal",
        "turquoise", "sapphire", "ultramarine", "cyan",
    }),
    "purple": frozenset({
        "purple", "purples", "purplish", "violet", "lavender", "lilac", "mauve", "magenta", "aubergine",
        "amethyst", "indigo",
    }),
    "pink": frozenset({"pink", "pinks", "pinkish", "fuchsia", "magenta", "cerise", "coral", "rosy"}),
    "brown": frozenset({
        "brown", "browns", "brownish", "umber", "sepia", "taupe", "beige", "chestnut", "russet",
        "mahogany", "khaki", "ochre",
    }),
    "black": frozenset({"black", "blacks", "blackish", "jet", "ebony", "onyx"}),
    "white": frozenset({"white", "whites", "whitish", "ivory", "snowy"}),
    "grey": frozenset({"grey", "gray", "greys", "grays", "greyish", "grayish", "slate", "charcoal"}),
}
"""Each family's words, lower case. A word may belong to two families (teal, terracotta)."""

WORD_FAMILIES: dict[str, frozenset[str]] = {
    word: frozenset(f for f, words in FAMILIES.items() if word in words)
    for words in FAMILIES.values()
    for word in words
}
"""Word -> the families it names."""

FAMILY_ALIASES = {"gray": "grey", "colour": "", "color": ""}

HEX_RE = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})(?![0-9A-Za-z])")

# (family, hue from, hue to, min saturation, min lightness, max lightness); first match wins.
HUE_RANGES: tuple[tuple[str, float, float, float, float, float], ...] = (
    ("red", 345, 360, 0.35, 0.15, 0.75),
    ("red", 0, 15, 0.35, 0.15, 0.75),
    ("pink", 345, 360, 0.35, 0.75, 0.90),
    ("pink", 0, 15, 0.35, 0.75, 0.90),
    ("pink", 315, 345, 0.35, 0.15, 0.90),
    ("brown", 15, 45, 0.20, 0.10, 0.40),
    ("orange", 15, 45, 0.35, 0.40, 0.85),
    ("yellow", 45, 70, 0.35, 0.15, 0.90),
    ("green", 70, 165, 0.25, 0.10, 0.90),
    ("blue", 165, 255, 0.25, 0.10, 0.90),
    ("purple", 255, 315, 0.25, 0.10, 0.90),
)


def normalise_hex(code: str) -> str:
    """``#abc`` or ``#AABBCC`` -> ``#AABBCC``."""
    digits = code.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.upper()


@lru_cache(maxsize=4096)
def hex_family(code: str) -> str | None:
    """The colour family of a hex code (see the module table), or None when it is too muted."""
    digits = normalise_hex(code)[1:]
    r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    degrees = hue * 360
    if lightness < 0.12:
        return "black"
    if lightness > 0.94:
        return "white"
    if saturation < 0.12:
        return "grey"
    for family, low, high, min_sat, min_light, max_light in HUE_RANGES:
        if low <= degrees < high and saturation >= min_sat and min_light <= lightness <= max_light:
            return family
    return None


def family_of_word(word: str) -> frozenset[str]:
    """The families a single word names (empty for a non-colour word)."""
    return WORD_FAMILIES.get(word.lower(), frozenset())


def family_named(term: str) -> str | None:
    """A family's canonical name from a word like "Red", "gray" or "reds", else None."""
    lowered = term.strip().lower()
    lowered = FAMILY_ALIASES.get(lowered, lowered)
    if lowered in FAMILIES:
        return lowered
    for family in FAMILIES:
        if lowered in (family + "s", family + "ish"):
            return family
    return None
