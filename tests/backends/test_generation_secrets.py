"""API keys never reach a file, a log line or an error message, even when the provider echoes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie, Reply
from fakes.openai_images import FakeOpenAI
from fakes.openai_images import Reply as OpenAIReply

from composer.cli import main

KIE_KEY = "kie-SECRET-7f3a9c1e5b2d4f60"
OPENAI_KEY = "sk-proj-SECRET-93bd01c7aa45e2f8"
SHOT = ["shot", "--character", "red-curls", "--scene", "castle", "--generate"]


def scan(out: Path, texts: list[str], key: str) -> None:
    assert out.is_dir() and any(out.iterdir())
    for path in out.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    for text in texts:
        assert key not in text


@pytest.mark.parametrize("setup", ["success", "create-echo", "fail-echo", "timeout", "download-lie", "poll-echo"])
def test_kie_key_stays_secret(example_library: Path, tmp_path: Path, setup: str) -> None:
    with FakeKie(api_key=KIE_KEY) as fake:
        env = {**FAST_ENV, **fake.env()}
        if setup == "create-echo":
            fake.script("createTask", Reply(422, msg=f"bad request from key {KIE_KEY}"))
        elif setup == "fail-echo":
            fake.outcome("fail", fail_msg=f"quota of {KIE_KEY} exhausted")
        elif setup == "timeout":
            fake.outcome("hang")
            env["COMPOSER_POLL"] = "initial=0.005,later=0.005,deadline=0.1,max_rate=none"
        elif setup == "download-lie":
            fake.result_content_type = "video/mp4"
        elif setup == "poll-echo":
            fake.script("recordInfo", *[Reply(500, msg=f"internal error for {KIE_KEY}")] * 10)
        result = CliRunner().invoke(main, [*SHOT, "--out", str(tmp_path), "--library", str(example_library)], env=env)
        assert (result.exit_code == 0) == (setup == "success"), result.stderr
        if setup.endswith("echo"):
            assert "***" in result.stderr  # the echoed key was there, and was redacted
        scan(tmp_path, [result.stdout, result.stderr, repr(result.exception)], KIE_KEY)
        assert fake.violations == []  # and it never went to the CDN either


@pytest.mark.parametrize("setup", ["success", "auth-echo"])
def test_openai_key_stays_secret(example_library: Path, tmp_path: Path, setup: str) -> None:
    with FakeOpenAI(api_key=OPENAI_KEY) as fake:
        if setup == "auth-echo":
            fake.script("edits", OpenAIReply(400, code="invalid_request", message=f"key {OPENAI_KEY} may not edit"))
        result = CliRunner().invoke(
            main, [*SHOT, "--backend", "openai", "--out", str(tmp_path), "--library", str(example_library)],
            env={**FAST_ENV, **fake.env()})
        assert (result.exit_code == 0) == (setup == "success"), result.stderr
        if setup == "auth-echo":
            assert "***" in result.stderr
        scan(tmp_path, [result.stdout, result.stderr], OPENAI_KEY)
