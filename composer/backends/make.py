"""A backend by name, built from the settings: its key, base URLs, proxies, deadlines and prices.

Each backend's module (and with it aiohttp or openai) is imported only when it is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from composer.backends.errors import GenerationError, MissingKeyError
from composer.backends.prices import PriceTable
from composer.backends.schedule import PollSchedule, RetryPolicy
from composer.backends.types import BACKENDS, Backend

if TYPE_CHECKING:
    from composer.settings import Settings

KEY_VARIABLES = {"kie": "KIE_API_KEY", "openai": "OPENAI_API_KEY"}


def api_key(name: str, settings: Settings) -> str:
    """The backend's API key from ``settings``, or a ``MissingKeyError`` naming the variable to set."""
    if name not in KEY_VARIABLES:
        raise GenerationError(f"unknown backend '{name}' (choose {' or '.join(BACKENDS)})")
    key = settings.api_key(name)
    if not key:
        raise MissingKeyError(f"no API key for the {name} backend: set {KEY_VARIABLES[name]}")
    return key


def make_backend(
    name: str,
    settings: Settings,
    *,
    poll: PollSchedule | None = None,
    retry: RetryPolicy | None = None,
    prices: PriceTable | None = None,
    library_root: Path | None = None,
    max_connections: int | None = None,
    **options: Any,
) -> Backend:
    """A backend by name (``kie`` or ``openai``), its key, base URLs, proxies, trusted hosts and
    deadlines from ``settings`` (``composer.settings.Settings``).

    ``poll`` and ``retry`` default to the settings'; ``prices`` to the bundled table merged with
    ``<library_root>/prices.yaml``; ``options`` go to the backend's constructor (e.g. ``timeout``,
    ``limits``). ``max_connections`` caps KIE's connection pool (a campaign's concurrency plus a few
    for polls); the OpenAI client's pool is larger than any concurrency a run allows, so it has none.
    """
    key = api_key(name, settings)
    table = prices or PriceTable.load(library_root)
    poll, retry = poll or settings.poll, retry or settings.retry
    if name == "kie":
        from composer.backends.kie import KieBackend

        if max_connections:
            options["max_connections"] = max_connections
        return KieBackend(
            key, base_url=settings.kie_base_url, upload_base_url=settings.kie_upload_base_url,
            poll=poll, retry=retry, prices=table, deadlines=settings.deadlines, allow_hosts=settings.allow_hosts,
            proxies=settings.proxies, **options,
        )
    from composer.backends.openai_images import OpenAIImagesBackend

    return OpenAIImagesBackend(key, base_url=settings.openai_base_url, retry=retry, prices=table,
                               **{"timeout": settings.deadlines.openai, **options})
