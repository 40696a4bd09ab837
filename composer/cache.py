"""A per-user cache for derived data that is expensive to rebuild on every run.

It holds only what can be rebuilt from its source at any time (the decoded tokenizer table,
compiled templates), so a missing, unwritable or corrupt cache costs speed, never correctness.
``$COMPOSER_CACHE_DIR`` moves it; ``COMPOSER_CACHE_DIR=off`` turns it off.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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
    """Best effort and atomic: a reader sees the old file, the new one, or none."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temp, folder / name)
    except OSError:
        return
