"""Colour families: words, compounds and hex hue ranges."""

from __future__ import annotations

import pytest

from composer.lint.colours import family_named, family_of_word, hex_family, normalise_hex
from composer.lint.text import is_negated, parse_negative, tokenise


@pytest.mark.parametrize("word", ["red", "Crimson", "scarlet", "auburn", "ginger", "vermilion", "burgundy",
                                  "cherry", "ruby", "maroon", "reddish"])
def test_red_words(word: str) -> None:
    assert "red" in family_of_word(word)


@pytest.mark.parametrize("word", ["reduce", "Fred", "shredded", "credit", "hundred", "redwood", "russet",
                                  "terracotta", "copper", "rose", "wine"])
def test_not_red(word: str) -> None:
    assert "red" not in family_of_word(word)


def test_words_inside_words_are_not_tokens() -> None:
    words = [t.lower for t in tokenise("Fred shredded the reduced credit; copper-red hair")]
    assert words.count("red") == 1  # only the compound's part
    assert "copper" in words


@pytest.mark.parametrize(("code", "family"), [
    ("#FF0000", "red"), ("#C0392B", "red"), ("#800020", "red"), ("#B22222", "red"),
    ("#FFC0CB", "pink"), ("#FF69B4", "pink"), ("#D9A441", "orange"), ("#6B4A2E", "brown"),
    ("#7A8B4F", "green"), ("#1F4D3A", "green"), ("#008080", "blue"), ("#2A52BE", "blue"),
    ("#800080", "purple"), ("#000000", "black"), ("#FFFFFF", "white"), ("#808080", "grey"),
    ("#f00", "red"),
])
def test_hex_family(code: str, family: str) -> None:
    assert hex_family(code) == family


@pytest.mark.parametrize(("code", "family"), [("#9C8A88", "grey"), ("#A9C8C0", None), ("#C4755E", "red")])
def test_saturation_floors(code: str, family: str | None) -> None:
    # A greyish rose is grey; a duck-egg blue is under the green/blue floor; rose clay is red enough.
    assert hex_family(code) == family


def test_normalise_and_family_names() -> None:
    assert normalise_hex("#abc") == "#AABBCC"
    assert family_named("Gray") == "grey"
    assert family_named("reds") == "red"
    assert family_named("sausage") is None


@pytest.mark.parametrize(("text", "word", "negated"), [
    ("no red anywhere", "red", True),
    ("not a hint of bright red", "red", True),
    ("it never turns orange", "orange", True),
    ("without any red or crimson", "crimson", True),
    ("never loses her red curls", "red", False),
    ("no hat, red curls", "red", False),
    ("red curls; no hat", "red", False),
    ("copper-red hair", "red", False),
])
def test_negation(text: str, word: str, negated: bool) -> None:
    tokens = tokenise(text)
    index = next(i for i, t in enumerate(tokens) if t.lower == word)
    assert is_negated(tokens, index) is negated


@pytest.mark.parametrize(("negative", "expected"), [
    ("red anywhere in frame", [("red", "red", ())]),
    ("red lipstick", [("red lipstick", "red", ("lipstick",))]),
    ("yellow or orange eyes, or ear tufts", [("yellow eye", "yellow", ("eye",)), ("orange eye", "orange", ("eye",))]),
    ("pink-red objects", [("red", "red", ())]),
    ("jacket in any colour but bottle green", []),
    ("lens flare", [("lens flare", None, ("len", "flare"))]),
    ("dark, dense or threatening forest", [("dark forest", None, ("dark", "forest")),
                                            ("dense forest", None, ("dense", "forest")),
                                            ("threatening forest", None, ("threatening", "forest"))]),
    ("screens, phones or plastic toys", [("screens", None, ("screen",)), ("phones", None, ("phone",)),
                                         ("plastic toys", None, ("plastic", "toy"))]),
    ("predators never look predatory", []),
])
def test_parse_negative(negative: str, expected: list[tuple[str, str | None, tuple[str, ...]]]) -> None:
    assert [(b.text, b.family, b.words) for b in parse_negative(negative)] == expected
