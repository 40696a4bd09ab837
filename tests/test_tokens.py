from __future__ import annotations

import math
from pathlib import Path

import pytest

from composer.tokens import FORCE_ESTIMATE_ENV, TokenCounter

TEXT = "Exactly four candles on a dark Carrara marble slab, backlit, three-quarter overhead."


def test_estimate_is_labelled_when_the_table_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FORCE_ESTIMATE_ENV, "1")
    counter = TokenCounter()
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
    monkeypatch.setenv("COMPOSER_CACHE_DIR", "off")  # no decoded copy to fall back on either
    counter = TokenCounter()
    assert counter.count(TEXT).exact is False
    assert counter.unavailable_reason == "o200k_base table unavailable: ConnectionError"


def test_exact_count_with_o200k_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FORCE_ESTIMATE_ENV, raising=False)
    counter = TokenCounter()
    if not counter.exact:
        pytest.skip(f"o200k_base is not available here: {counter.unavailable_reason}")
    import tiktoken

    expected = len(tiktoken.get_encoding("o200k_base").encode(TEXT))
    assert counter.count(TEXT).tokens == expected and counter.count(TEXT).exact


def test_composed_brief_says_when_tokens_are_estimated(mini_library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from composer import Composer, Library, ShotSpec

    monkeypatch.setenv(FORCE_ESTIMATE_ENV, "1")
    brief = Composer(Library(mini_library), counter=TokenCounter()).compose(
        ShotSpec(characters=["ada"], scene="harbour")
    )
    assert brief.tokens.exact is False
    assert brief.warnings == [f"token count is an estimate ({FORCE_ESTIMATE_ENV}=1)"]
    assert "(estimate)" in brief.summary_line()


def test_decoded_table_is_cached_and_reused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from composer import tokens

    monkeypatch.setenv("COMPOSER_CACHE_DIR", str(tmp_path))
    first = TokenCounter()
    if not first.exact:
        pytest.skip(f"o200k_base is not available here: {first.unavailable_reason}")
    cached = tmp_path / "o200k_base.ranks.marshal"
    assert cached.is_file()

    def no_fresh_load() -> None:
        raise AssertionError("the cached table should have been used")

    monkeypatch.setattr(tokens, "_fresh_encoding", no_fresh_load)
    second = TokenCounter()
    assert second.count(TEXT) == first.count(TEXT) and second.exact


def test_corrupt_cache_is_rebuilt_from_the_real_table(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMPOSER_CACHE_DIR", str(tmp_path))
    cached = tmp_path / "o200k_base.ranks.marshal"
    cached.write_bytes(b"\x00not marshal")
    counter = TokenCounter()
    if not counter.exact:
        pytest.skip(f"o200k_base is not available here: {counter.unavailable_reason}")
    assert cached.stat().st_size > 1_000_000  # rewritten from tiktoken's verified load


def test_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from composer.cache import cache_dir

    monkeypatch.setenv("COMPOSER_CACHE_DIR", "off")
    assert cache_dir() is None
    TokenCounter().count(TEXT)  # works without a cache
