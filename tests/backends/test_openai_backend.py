"""The OpenAI backend, through the real SDK, against a fake that validates OpenAI's own schemas."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.fixtures import FAST_RETRY, run
from fakes.openai_images import FakeOpenAI, Reply

from composer.backends import (
    AuthError,
    GenerationError,
    GenerationOptions,
    GenerationResult,
    InsufficientCreditsError,
    Job,
    ModerationBlockedError,
    OptionError,
    RateLimitedError,
    RequestRejectedError,
    SubmitUncertainError,
    make_backend,
)
from composer.capabilities import OPENAI_MODELS


def generate(fake: FakeOpenAI, job: Job, out: Path) -> GenerationResult:
    async def go() -> GenerationResult:
        async with make_backend("openai", fake.settings(), retry=FAST_RETRY) as backend:
            return await backend.collect(await backend.submit(job), out, "shot")
    return run(go())


def test_text_to_image_uses_images_generate(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    job = Job("a fox in a great hall", backend="openai",
              options=GenerationOptions(size="1536x1024", quality="high", output_format="png"))
    result = generate(fake_openai, job, tmp_path)
    assert fake_openai.rejections == []
    (request,) = fake_openai.requests
    assert request == {"endpoint": "generations", "model": "gpt-image-2", "prompt": "a fox in a great hall",
                       "size": "1536x1024", "quality": "high", "output_format": "png"}
    assert result.files == [tmp_path / "shot.png"] and result.files[0].read_bytes() == fake_openai.served[0]
    assert result.sha256 == (hashlib.sha256(fake_openai.served[0]).hexdigest(),)
    assert result.usage is not None and result.usage["output_tokens"] == 4160
    assert not result.cost.estimated and result.cost.usd is not None and result.cost.usd > 0


def test_image_to_image_sends_every_frame_without_input_fidelity(fake_openai: FakeOpenAI, frame: Path,
                                                                 tmp_path: Path) -> None:
    second = frame.with_name("side.png")
    second.write_bytes(frame.read_bytes())
    result = generate(fake_openai, Job("Isla", backend="openai", reference_frames=(frame, second)), tmp_path)
    (request,) = fake_openai.requests
    # OpenAI's guide: for gpt-image-2, omit input_fidelity (the fake refuses it, as the API does).
    assert request["endpoint"] == "edits" and "input_fidelity" not in request and request["model"] == "gpt-image-2"
    assert [i["filename"] for i in request["image"]] == ["isla.png", "side.png"]
    assert [i["size"] for i in request["image"]] == [frame.stat().st_size] * 2
    assert all(i["content_type"] == "image/png" for i in request["image"])
    assert result.files[0].read_bytes() == fake_openai.served[0]


def test_input_fidelity_goes_only_to_models_that_take_it(fake_openai: FakeOpenAI, frame: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    taking = dataclasses.replace(OPENAI_MODELS["gpt-image-2"], input_fidelity=True)
    monkeypatch.setitem(OPENAI_MODELS, "gpt-image-1.5", taking)
    generate(fake_openai, Job("Isla", backend="openai", model="gpt-image-1.5", reference_frames=(frame,)), tmp_path)
    (request,) = fake_openai.requests
    assert request["model"] == "gpt-image-1.5" and request["input_fidelity"] == "high"


def test_the_fake_refuses_what_the_guide_refuses_for_gpt_image_2(fake_openai: FakeOpenAI, frame: Path) -> None:
    image = [("image[]", ("a.png", frame.read_bytes(), "image/png"))]
    fidelity = post(fake_openai, "/images/edits", data={"model": "gpt-image-2", "prompt": "p",
                                                         "input_fidelity": "high"}, files=image)
    assert fidelity.status_code == 400 and "input fidelity" in fidelity.json()["error"]["message"]
    small = post(fake_openai, "/images/generations", json={"model": "gpt-image-2", "prompt": "p", "size": "768x768"})
    assert small.status_code == 400 and "655360 pixels" in small.json()["error"]["message"]
    clear = post(fake_openai, "/images/generations", json={"model": "gpt-image-2", "prompt": "p",
                                                            "background": "transparent"})
    assert clear.status_code == 400


def test_a_size_under_the_minimum_is_refused_before_any_request(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="589,824 pixels; gpt-image-2 needs at least 655,360"):
        generate(fake_openai, Job("p", backend="openai", options=GenerationOptions(size="768x768")), tmp_path)
    assert sum(fake_openai.calls.values()) == 0


def test_output_format_decides_the_extension(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    result = generate(fake_openai, Job("p", backend="openai", options=GenerationOptions(output_format="jpeg")),
                      tmp_path)
    assert result.files == [tmp_path / "shot.jpg"] and result.files[0].read_bytes()[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize(("reply", "error", "words"), [
    (Reply(401, code="invalid_api_key", type="invalid_request_error"), AuthError, "OPENAI_API_KEY"),
    (Reply(429, code="insufficient_quota", type="insufficient_quota"), InsufficientCreditsError, "billing"),
    (Reply(400, code="moderation_blocked", message="Your request was rejected by the safety system."),
     RequestRejectedError, "rejected by the safety system"),
    (Reply(400, code="moderation_blocked", type="image_generation_user_error", message="Rejected."),
     ModerationBlockedError, r"^OpenAI's moderation refused the prompt \(moderation_blocked: Rejected.\); "
                             "this is final"),
])
def test_errors_that_are_not_retried(fake_openai: FakeOpenAI, tmp_path: Path, reply: Reply,
                                     error: type[Exception], words: str) -> None:
    fake_openai.script("generations", reply)
    with pytest.raises(error, match=words):
        generate(fake_openai, Job("p", backend="openai"), tmp_path)
    assert fake_openai.calls["generations"] == 1


@pytest.mark.parametrize("reply", [Reply(429, code="rate_limit_exceeded", retry_after=0), Reply(500), Reply(503)])
def test_transient_errors_are_retried(fake_openai: FakeOpenAI, tmp_path: Path, reply: Reply) -> None:
    fake_openai.script("generations", reply, reply)
    result = generate(fake_openai, Job("p", backend="openai"), tmp_path)
    assert fake_openai.calls["generations"] == 3 and result.files[0].is_file()


def test_retries_are_bounded(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.script("generations", *[Reply(429, retry_after=0)] * 10)
    with pytest.raises(RateLimitedError):
        generate(fake_openai, Job("p", backend="openai"), tmp_path)
    assert fake_openai.calls["generations"] == FAST_RETRY.attempts


def test_a_lost_reply_is_not_resent(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.script("generations", Reply(drop=True))
    with pytest.raises(SubmitUncertainError, match="may have been billed"):
        generate(fake_openai, Job("p", backend="openai"), tmp_path)
    assert fake_openai.calls["generations"] == 1


def test_video_is_refused_before_any_request(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="shut down on 2026-09-24"):
        generate(fake_openai, Job("p", backend="openai", model="sora-2-image-to-video", kind="video"), tmp_path)
    assert sum(fake_openai.calls.values()) == 0


def test_an_openai_generation_cannot_be_collected_twice(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    async def go() -> None:
        async with make_backend("openai", fake_openai.settings(), retry=FAST_RETRY) as backend:
            submission = await backend.submit(Job("p", backend="openai"))
            await backend.collect(submission, tmp_path, "a")
            await backend.collect(submission, tmp_path, "b")

    with pytest.raises(GenerationError, match="cannot be resumed"):
        run(go())


def post(fake: FakeOpenAI, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    return httpx.post(f"{fake.base_url}{path}", headers=headers, timeout=10, **kwargs)


def test_the_fake_validates_against_openais_schemas(fake_openai: FakeOpenAI) -> None:
    """The fake is only worth something if it refuses what OpenAI's schema refuses."""
    assert post(fake_openai, "/images/generations", json={"model": "gpt-image-2", "prompt": "p"}).status_code == 200
    for body in ({"model": "gpt-image-2"}, {"prompt": "p", "quality": "ultra"}, {"prompt": "p", "n": 11},
                 {"prompt": "p", "output_format": "gif"}, {"prompt": "p", "input_fidelity": "high"}):
        assert post(fake_openai, "/images/generations", json=body).status_code == 400, body
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII=")
    ok = post(fake_openai, "/images/edits", data={"prompt": "p", "input_fidelity": "high", "n": "2"},
              files=[("image[]", ("a.png", png, "image/png"))])
    assert ok.status_code == 200 and len(ok.json()["data"]) == 2
    refused = [
        {"data": {"prompt": "p"}, "files": [("mask", ("m.png", png, "image/png"))]},  # no image
        {"data": {"prompt": "p", "input_fidelity": "max"}, "files": [("image[]", ("a.png", png, "image/png"))]},
        {"data": {"prompt": "p"}, "files": [("image[]", ("a.txt", b"not an image", "text/plain"))]},
        {"data": {"prompt": "p"}, "files": [("image[]", ("a.png", png, "image/png"))] * 17},
    ]
    for request in refused:
        assert post(fake_openai, "/images/edits", **request).status_code == 400, request
    assert len(fake_openai.rejections) == 9
