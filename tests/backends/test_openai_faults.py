"""Issue 14.6: OpenAI faults that ended as internal errors (exit 70), or threw away a billed image."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie
from fakes.kie import Reply as KieReply
from fakes.openai_images import FakeOpenAI, Reply

from composer.cli import main

SLUG = "red-curls--castle"
SHOT = ("shot", "--character", "red-curls", "--scene", "castle", "--generate")
OPENAI = (*SHOT, "--backend", "openai", "--size", "1024x1024", "--quality", "low")


def cli(*args: str, env: dict[str, Any], library: Path) -> Result:
    return CliRunner().invoke(main, [*args, "--library", str(library)], env={**FAST_ENV, **env})


def last_line(result: Result) -> str:
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("reply", [
    Reply(200, body=b"<html>upstream timed out</html>"),
    Reply(200, body=b'{"created": 1, "data": [', content_type="application/json"),
    Reply(200, json_body={"created": 1, "data": "not a list"}),
    Reply(200, json_body={"created": 1, "data": [{"b64_json": 12345}]}),
    Reply(200, json_body={"created": 1, "data": [{"b64_json": "aGVsbG8="}], "usage": "lots"}),
], ids=["html", "truncated-json", "data-a-string", "b64-a-number", "usage-a-string"])
def test_an_unreadable_200_is_one_line_and_the_request_is_kept(reply: Reply, example_library: Path,
                                                               tmp_path: Path) -> None:
    with FakeOpenAI() as fake:
        fake.script("edits", reply)
        result = cli(*OPENAI, "--out", str(tmp_path), env=fake.env(), library=example_library)
        assert result.exit_code == 1, result.stderr
        assert last_line(result).startswith("Error: OpenAI answered but its reply cannot be read")
        assert "check usage before sending it again" in last_line(result)
        rec = json.loads((tmp_path / f"{SLUG}.generation.json").read_text(encoding="utf-8"))
        assert rec["status"] == "uncertain" and rec["request"]["endpoint"] == "images.edit"
        again = cli(*OPENAI, "--out", str(tmp_path), env=fake.env(), library=example_library)
        assert again.exit_code == 1 and "may have been accepted" in last_line(again)
        assert fake.calls["edits"] == 1  # never sent twice without --force


def test_png_for_webp_keeps_the_billed_image_under_its_real_type(example_library: Path, tmp_path: Path) -> None:
    with FakeOpenAI(encode_as="png") as fake:
        result = cli(*OPENAI, "--output-format", "webp", "--out", str(tmp_path), env=fake.env(),
                     library=example_library)
        assert result.exit_code == 0, result.stderr
        assert (tmp_path / f"{SLUG}.png").read_bytes() == fake.served[0]
        assert not (tmp_path / f"{SLUG}.webp").exists()
        assert f"Warning: asked OpenAI for webp, it returned image/png: saved as {SLUG}.png" in result.stderr


def test_a_long_retry_after_says_how_long_kie_asked_to_wait(fake_kie: FakeKie, example_library: Path,
                                                            tmp_path: Path) -> None:
    fake_kie.script("createTask", KieReply(429, retry_after=999))
    result = cli(*SHOT, "--out", str(tmp_path), env=fake_kie.env(), library=example_library)
    assert result.exit_code == 1
    assert ("rate limited by KIE (429); the provider asked to wait 999 s (Retry-After), longer than the 120 s "
            "this client waits: try again later") in last_line(result)
    assert fake_kie.calls["createTask"] == 1


def test_a_long_retry_after_says_how_long_openai_asked_to_wait(example_library: Path, tmp_path: Path) -> None:
    with FakeOpenAI() as fake:
        fake.script("edits", Reply(429, code="rate_limit_exceeded", message="Slow down", retry_after=999))
        result = cli(*OPENAI, "--out", str(tmp_path), env=fake.env(), library=example_library)
        assert result.exit_code == 1
        assert "the provider asked to wait 999 s (Retry-After)" in last_line(result)
        assert fake.calls["edits"] == 1
