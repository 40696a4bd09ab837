"""Fake provider servers for tests: real HTTP on 127.0.0.1, each in its own threads.

- ``fakes.kie.FakeKie``: KIE's jobs API, file-upload API and result CDN, enforcing
  ``contracts/kie-jobs-api.md`` (copied from /work/shared/contracts).
- ``fakes.openai_images.FakeOpenAI``: OpenAI's Images API, validating every request body against
  ``contracts/openai-images.openapi.json`` (copied unchanged from /work/shared/contracts).

Both are context managers with ``env()`` (the variables that point the client at them) and
knobs for latency and each failure; both are thread-safe, so campaigns can drive them at high
concurrency. Pytest fixtures ``fake_kie`` and ``fake_openai`` live in ``fakes.fixtures``.
"""
