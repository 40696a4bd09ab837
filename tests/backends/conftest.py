"""Generation tests run every backend against fake servers on 127.0.0.1; none touches the network."""

from __future__ import annotations

from fakes.fixtures import fake_kie, fake_openai, frame

__all__ = ["fake_kie", "fake_openai", "frame"]
