"""Token counting with tiktoken's ``o200k_base`` (the gpt-image tokenizer), or a labelled estimate.

The table is downloaded and cached by tiktoken on first use. Where it cannot be had (no network,
no cache), counts fall back to an estimate of one token per four characters, flagged as inexact,
so the composer always works and never presents a guess as a count.

Exact counts are taken line by line, and each line's count is remembered: the briefs of a campaign
(and the TUI's preview, recounted as you type) repeat the same brand, style and scene lines, and
encoding was about half of what composing a brief cost. The sum is exact, not an approximation:
see ``BOUNDARY``.
"""

from __future__ import annotations

import logging
import marshal
import math
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from composer.cache import cache_dir, read_cached, write_cached

log = logging.getLogger(__name__)

ENCODING = "o200k_base"
CHARS_PER_TOKEN_ESTIMATE = 4.0
FORCE_ESTIMATE_ENV = "COMPOSER_TOKEN_ESTIMATE"
"""Set to 1 to skip tiktoken entirely (air-gapped machines with no cached table): read into
``Settings.token_estimate``, passed here as ``force_estimate``."""

BOUNDARY = re.compile(r"\n(?=[!-.0-~]|[^\W_])")
"""A line break followed by printable ASCII other than ``/``, or by a letter or digit.

No piece of o200k's pre-tokenizer spans such a break: its letter and digit pieces never hold a
line break, its punctuation piece ends in ``[\\r\\n/]*`` (so only ``\\r``, ``\\n`` or ``/`` can follow
a break inside it) and its other pieces are all whitespace. The pattern has no look-behind, so the
text after the break splits exactly as it would alone, and BPE runs within pieces: the tokens of
the whole text are the tokens of its chunks, concatenated. ``tests/test_tokens.py`` checks the
counts against whole-text encoding on generated text.
"""
CHUNK_CACHE = 1 << 16
"""Line counts remembered (a few MB at most)."""


@dataclass(frozen=True)
class TokenCount:
    tokens: int
    exact: bool

    def __str__(self) -> str:
        return f"{self.tokens:,} tokens" if self.exact else f"~{self.tokens:,} tokens (estimate)"


class TokenCounter:
    """Counts tokens exactly when the table loads, else estimates; loads the table once."""

    def __init__(self, *, force_estimate: bool = False, cache: Path | Literal["process"] | None = "process") -> None:
        self.force_estimate = force_estimate
        """Estimate without trying the table (``Settings.token_estimate``, ``COMPOSER_TOKEN_ESTIMATE=1``)."""
        self.cache = cache_dir() if cache == "process" else cache
        """Where the decoded table is cached (default: the process's cache folder; None: not cached)."""
        self._encoding: Any = None
        self.unavailable_reason: str | None = None
        self._loaded = False
        self._chunk_tokens = lru_cache(maxsize=CHUNK_CACHE)(self._encoded_length)

    def _load(self) -> None:
        self._loaded = True
        if self.force_estimate:
            self.unavailable_reason = f"{FORCE_ESTIMATE_ENV}=1"
            log.info("token counts are estimates: %s=1", FORCE_ESTIMATE_ENV)
            return
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(10)  # tiktoken's download sets no timeout of its own
        try:
            self._encoding = _cached_encoding(self.cache) or _fresh_encoding(self.cache)
        except Exception as exc:  # any failure to fetch or read the table means: estimate
            self.unavailable_reason = f"{ENCODING} table unavailable: {type(exc).__name__}"
            log.info("token counts are estimates: %s", self.unavailable_reason)
        finally:
            socket.setdefaulttimeout(previous)

    def estimate_warning(self) -> str:
        """Why counts are estimates and, unless the user asked for estimates, how to get exact ones."""
        warning = f"token count is an estimate ({self.unavailable_reason})"
        if self.force_estimate:
            return warning
        return (
            f"{warning}; for exact counts set TIKTOKEN_CACHE_DIR to a folder holding the {ENCODING} table "
            f"(or let tiktoken download it once), or set {FORCE_ESTIMATE_ENV}=1 to accept estimates"
        )

    @property
    def exact(self) -> bool:
        if not self._loaded:
            self._load()
        return self._encoding is not None

    def count(self, text: str) -> TokenCount:
        if self.exact:
            return TokenCount(sum(map(self._chunk_tokens, _chunks(text))), True)
        return TokenCount(math.ceil(len(text) / CHARS_PER_TOKEN_ESTIMATE), False)

    def _encoded_length(self, chunk: str) -> int:
        return len(self._encoding.encode(chunk, disallowed_special=()))


def _chunks(text: str) -> Iterator[str]:
    """``text`` cut after every ``BOUNDARY``: chunks that tokenize exactly as the whole does."""
    start = 0
    for match in BOUNDARY.finditer(text):
        yield text[start : match.end()]
        start = match.end()
    yield text[start:]


# The decoded table, cached with marshal: tiktoken base64-decodes 200,000 lines on every cold start,
# and marshal reads the same dict back far sooner (bench/RESULTS.md, "Cold start"). The cache is filled from
# tiktoken's own verified load, and checked against known token ids before it is trusted.
_RANKS_CACHE = f"{ENCODING}.ranks.marshal"
_PROBE = ("Exactly four candles, left to right.", [91021, 4242, 66298, 11, 3561, 316, 1849, 13])


def _fresh_encoding(cache: Path | None) -> Any:
    import tiktoken

    encoding = tiktoken.get_encoding(ENCODING)
    log.debug("%s loaded through tiktoken", ENCODING)
    write_cached(_RANKS_CACHE, marshal.dumps(encoding._mergeable_ranks), cache)
    return encoding


def _cached_encoding(cache: Path | None) -> Any:
    data = read_cached(_RANKS_CACHE, cache)
    if data is None:
        return None
    try:
        ranks = marshal.loads(data)
        import tiktoken
        import tiktoken_ext.openai_public as public

        original = public.load_tiktoken_bpe
        public.load_tiktoken_bpe = lambda *args, **kwargs: ranks  # tiktoken's own spec, our table
        try:
            spec = public.o200k_base()
        finally:
            public.load_tiktoken_bpe = original
        encoding = tiktoken.Encoding(**spec)
    except Exception:  # a stale or corrupt cache is rebuilt from the real table
        log.info("cached %s table unreadable: rebuilding it", ENCODING)
        return None
    if encoding.encode(_PROBE[0]) != _PROBE[1]:
        log.info("cached %s table fails its probe: rebuilding it", ENCODING)
        return None
    return encoding


_shared: TokenCounter | None = None


def shared_counter() -> TokenCounter:
    """The process-wide counter, so the table is loaded at most once."""
    global _shared
    if _shared is None:
        _shared = TokenCounter()
    return _shared


def use_estimate(force_estimate: bool) -> None:
    """Whether the process-wide counter estimates (``Settings.token_estimate``); a new counter
    when that changes (and one that follows the process's cache folder)."""
    global _shared
    if _shared is None or _shared.force_estimate != force_estimate or _shared.cache != cache_dir():
        _shared = TokenCounter(force_estimate=force_estimate)
