"""The one error this package raises: a refusal, its message naming the thing refused."""

from __future__ import annotations

from composer.errors import ComposerError


class FrameLifecycleError(ComposerError):
    """A promote, list, history or ``--frame`` lookup refused; nothing was written."""
