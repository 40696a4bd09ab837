"""A per-user cache for derived data that is expensive to rebuild on every run.

It holds only what can be rebuilt from its source at any time (the decoded tokenizer table,
compiled templates), so a missing, unwritable or corrupt cache costs speed, never correctness.
Where it is comes from the settings (``COMPOSER_CACHE_DIR``; ``off`` turns it off: see
``composer.settings``); the front end sets it for the process with ``use_cache_dir``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from composer.files import write_bytes

log = logging.getLogger(__name__)

_folder: Path | None = Path.home() / ".cache" / "composer"


def use_cache_dir(folder: Path | None) -> None:
    """Where this process caches (None: nowhere): ``Settings.cache_dir``."""
    global _folder
    _folder = folder


def cache_dir() -> Path | None:
    """The process's cache folder, or None when caching is off."""
    return _folder


def read_cached(name: str, folder: Path | None) -> bytes | None:
    if folder is None:
        return None
    try:
        data = (folder / name).read_bytes()
    except OSError:
        log.debug("cache miss: %s in %s", name, folder)
        return None
    log.debug("cache hit: %s in %s", name, folder)
    return data


def write_cached(name: str, data: bytes, folder: Path | None) -> None:
    """Best effort, whole or not at all (a reader sees the old file, the new one, or none), no fsync."""
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes(folder / name, data, durable=False)
    except OSError as exc:
        log.info("cache not written: %s in %s (%s)", name, folder, type(exc).__name__)
        return
    log.debug("cached %s in %s", name, folder)
