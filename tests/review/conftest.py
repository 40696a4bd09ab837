"""Review tests: the fake provider fixtures."""

from __future__ import annotations

from fakes.fixtures import fake_kie, fake_openai

__all__ = ["fake_kie", "fake_openai"]
