from __future__ import annotations

import functools
import itertools
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.settings import Settings
from composer.tokens import FORCE_ESTIMATE_ENV, TokenCounter

TEXT = "Exactly four candles on a dark Carrara marble slab, backlit, three-quarter overhead."


def test_estimate_is_labelled_when_the_table_is_unavailable() -> None:
    counter = TokenCounter(force_estimate=Settings.from_env({FORCE_ESTIMATE_ENV: "1"}).token_estimate)
    count = counter.count(TEXT)
    assert count.exact is False
    assert count.tokens == math.ceil(len(TEXT) / 4)
    assert str(count) == f"~{count.tokens} tokens (estimate)"
    assert counter.unavailable_reason == f"{FORCE_ESTIMATE_ENV}=1"


def test_a_failing_table_load_degrades_to_the_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    import tiktoken

    def no_table(name: str) -> None:
        raise ConnectionError("no network")

    monkeypatch.setattr(tiktoken, "get_encoding", no_table)
    counter = TokenCounter(cache=None)  # no decoded copy to fall back on either
    assert counter.count(TEXT).exact is False
    assert counter.unavailable_reason == "o200k_base table unavailable: ConnectionError"


def test_exact_count_with_o200k_base() -> None:
    counter = TokenCounter()
    if not counter.exact:
        pytest.skip(f"o200k_base is not available here: {counter.unavailable_reason}")
    import tiktoken

    expected = len(tiktoken.get_encoding("o200k_base").encode(TEXT))
    assert counter.count(TEXT).tokens == expected and counter.count(TEXT).exact


def test_composed_brief_says_when_tokens_are_estimated(mini_library: Path) -> None:
    from composer import Composer, Library, ShotSpec

    brief = Composer(Library(mini_library), counter=TokenCounter(force_estimate=True)).compose(
        ShotSpec(characters=["ada"], scene="harbour")
    )
    assert brief.tokens.exact is False
    assert brief.warnings == [f"token count is an estimate ({FORCE_ESTIMATE_ENV}=1)"]
    assert "(estimate)" in brief.summary_line()


def test_decoded_table_is_cached_and_reused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from composer import tokens

    first = TokenCounter(cache=tmp_path)
    if not first.exact:
        pytest.skip(f"o200k_base is not available here: {first.unavailable_reason}")
    cached = tmp_path / "o200k_base.ranks.marshal"
    assert cached.is_file()

    def no_fresh_load(cache: Path | None) -> None:
        raise AssertionError("the cached table should have been used")

    monkeypatch.setattr(tokens, "_fresh_encoding", no_fresh_load)
    second = TokenCounter(cache=tmp_path)
    assert second.count(TEXT) == first.count(TEXT) and second.exact


def test_corrupt_cache_is_rebuilt_from_the_real_table(tmp_path: Path) -> None:
    cached = tmp_path / "o200k_base.ranks.marshal"
    cached.write_bytes(b"\x00not marshal")
    counter = TokenCounter(cache=tmp_path)
    if not counter.exact:
        pytest.skip(f"o200k_base is not available here: {counter.unavailable_reason}")
    assert cached.stat().st_size > 1_000_000  # rewritten from tiktoken's verified load


def test_cache_can_be_turned_off(tmp_path: Path) -> None:
    settings = Settings.from_env({"COMPOSER_CACHE_DIR": "off"})
    assert settings.cache_dir is None
    TokenCounter(cache=settings.cache_dir).count(TEXT)  # works without a cache
    assert not any(tmp_path.iterdir())


PIECES = ["\n", "\n\n", "\r\n", " ", "  ", "\t", "/", "a", "Word", "SCENE", "x.", ".", ",", "-", "#", "_",
          "'s", "'T", "123", "4567", "\u00a0", "\u2028", "\x1c", "é", "e\u0301", "日本", "🙂", "<|endoftext|>"]


def _whole(counter: TokenCounter, text: str) -> int:
    return len(counter._encoding.encode(text, disallowed_special=()))


def test_line_by_line_count_equals_whole_text_encoding_for_every_three_pieces() -> None:
    counter = _exact_counter()
    texts = map("".join, itertools.product(PIECES, repeat=3))
    wrong = [t for t in texts if counter.count(t).tokens != _whole(counter, t)]
    assert wrong == []


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_line_by_line_count_equals_whole_text_encoding(pieces: list[str]) -> None:
    counter = _exact_counter()
    text = "".join(pieces)
    assert counter.count(text).tokens == _whole(counter, text)


def test_repeated_lines_are_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    _exact_counter()  # skips without the table
    counter = TokenCounter()  # with a line cache of its own
    counter.exact  # noqa: B018 (loads the table before the spy goes in)
    encodes: list[str] = []
    real = counter._encoding

    class Spy:
        def encode(self, text: str, disallowed_special: tuple[()]) -> list[int]:
            encodes.append(text)
            return list(real.encode(text, disallowed_special=disallowed_special))

    monkeypatch.setattr(counter, "_encoding", Spy())
    first = counter.count(f"SCENE\n{TEXT}\nSUBJECT\nAda, red curls.\n")
    second = counter.count(f"SCENE\n{TEXT}\nSUBJECT\nBea, grey bob.\n")
    assert encodes == ["SCENE\n", f"{TEXT}\n", "SUBJECT\n", "Ada, red curls.\n", "Bea, grey bob.\n"]
    assert (first.tokens, second.tokens) == (len(real.encode(f"SCENE\n{TEXT}\nSUBJECT\nAda, red curls.\n")),
                                              len(real.encode(f"SCENE\n{TEXT}\nSUBJECT\nBea, grey bob.\n")))


@functools.cache
def _loaded_counter() -> TokenCounter:
    counter = TokenCounter()
    counter.exact  # noqa: B018 (loads the table once for all the examples)
    return counter


def _exact_counter() -> TokenCounter:
    counter = _loaded_counter()
    if not counter.exact:
        pytest.skip(f"o200k_base is not available here: {counter.unavailable_reason}")
    return counter
