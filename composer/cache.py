"""A per-user cache for derived data that is expensive to rebuild on every run.

It holds only what can be rebuilt from its source at any time (the decoded tokenizer table,
compiled templates), so a missing, unwritable or corrupt cache costs speed, never correctness.
``$COMPOSER_CACHE_DIR`` moves it; ``COMPOSER_CACHE_DIR=off`` turns it off.
"""

from __future__ import annotations

import os
from pathlib import Path

from composer.files import write_bytes

CACHE_ENV = "COMPOSER_CACHE_DIR"


def cache_dir() -> Path | None:
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return None if configured.strip().lower() in {"", "off", "0", "none"} else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "composer"


def read_cached(name: str) -> bytes | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def write_cached(name: str, data: bytes) -> None:
    """Best effort, whole or not at all (a reader sees the old file, the new one, or none), no fsync."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes(folder / name, data, durable=False)
    except OSError:
        return
