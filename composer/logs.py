"""The log switch: ``compose --verbose`` or ``COMPOSER_LOG=debug|info`` shows composer's module
loggers (requests, retries, cache decisions) on stderr; without it they are silent.

Every module logs through ``logging.getLogger(__name__)`` and never formats a key into a record;
the handler also redacts every key the settings hold, so a provider's echo of one cannot leak.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO

ROOT = "composer"
REDACTED = "[redacted]"


class _Redact(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for secret in self.secrets:
            message = message.replace(secret, REDACTED)
        record.msg, record.args = message, None
        return True


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """composer's own stderr handler (so a second ``enable`` replaces it)."""


def enable(level: int | None, secrets: Iterable[str] = (), stream: TextIO | None = None) -> None:
    """Log composer's records at ``level`` and above to ``stream`` (stderr); None: switch it off."""
    logger = logging.getLogger(ROOT)
    for handler in [h for h in logger.handlers if isinstance(h, _Handler)]:
        logger.removeHandler(handler)
    if level is None:
        logger.setLevel(logging.NOTSET)
        return
    handler = _Handler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_Redact(secrets))
    logger.addHandler(handler)
    logger.setLevel(level)
