"""The providers' option rules, checked as pure functions before any request."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from composer.backends import GenerationOptions, Job, OptionError, validate_job
from composer.backends.options import (
    KIE_ASPECT_RATIOS,
    check_kie_image_options,
    check_openai_size,
    kie_model_for,
    kie_resolutions_for,
)

# The contract's words (kie-jobs-api.md), as the set of combinations KIE does NOT offer.
REFUSED = {
    *(("auto", r) for r in ("2K", "4K")),
    ("1:1", "4K"),
    *((ratio, r) for ratio in ("5:4", "4:5") for r in ("2K", "4K")),
    *((ratio, r) for ratio in ("3:1", "1:3", "9:21") for r in ("2K", "4K")),
}


@pytest.mark.parametrize(("ratio", "resolution"), list(itertools.product(KIE_ASPECT_RATIOS, ("1K", "2K", "4K"))))
def test_every_kie_combination_matches_the_contract(ratio: str, resolution: str) -> None:
    if (ratio, resolution) in REFUSED:
        with pytest.raises(OptionError):
            check_kie_image_options(ratio, resolution)
        assert resolution not in kie_resolutions_for(ratio)
    else:
        check_kie_image_options(ratio, resolution)
        assert resolution in kie_resolutions_for(ratio)


def test_no_ratio_means_auto_and_allows_only_1k() -> None:
    check_kie_image_options(None, "1K")
    check_kie_image_options(None, None)
    with pytest.raises(OptionError, match=r"resolution 2K needs an explicit aspect ratio.*--aspect-ratio 16:9"):
        check_kie_image_options(None, "2K")


@pytest.mark.parametrize(("ratio", "resolution", "message"), [
    ("7:5", None, "aspect ratio '7:5' is not offered by GPT Image 2 on KIE"),
    ("16:9", "8K", "resolution '8K' is not offered"),
    ("1:1", "4K", "aspect ratio 1:1 is offered at 1K or 2K only, not 4K"),
    ("5:4", "2K", "aspect ratio 5:4 is offered at 1K only, not 2K"),
])
def test_kie_messages_say_what_would_work(ratio: str, resolution: str | None, message: str) -> None:
    with pytest.raises(OptionError) as caught:
        check_kie_image_options(ratio, resolution)
    assert message in str(caught.value)


def job(**kwargs: object) -> Job:
    options = {k: kwargs.pop(k) for k in list(kwargs) if k in GenerationOptions.__dataclass_fields__}
    return Job(**{"prompt": "a fox in a hall", **kwargs, "options": GenerationOptions(**options)})  # type: ignore[arg-type]


def test_kie_model_follows_the_frames() -> None:
    frame = Path("f.png")
    assert kie_model_for(job()) == "gpt-image-2-text-to-image"
    assert kie_model_for(job(reference_frames=(frame,))) == "gpt-image-2-image-to-image"
    assert kie_model_for(job(model="sora-2-image-to-video", kind="video", reference_frames=(frame,))) == \
        "sora-2-image-to-video"
    assert kie_model_for(job(model="sora-2-image-to-video", kind="video")) == "sora-2-text-to-video"
    with pytest.raises(OptionError, match="no model for 'dall-e-3'"):
        kie_model_for(job(model="dall-e-3"))


def test_prompt_limits_are_enforced_not_truncated() -> None:
    validate_job(job(prompt="x" * 20_000))
    with pytest.raises(OptionError, match="20,001 characters; GPT Image 2 on KIE accepts at most 20,000"):
        validate_job(job(prompt="x" * 20_001))
    validate_job(job(prompt="x" * 32_000, backend="openai"))
    with pytest.raises(OptionError, match="at most 32,000"):
        validate_job(job(prompt="x" * 32_001, backend="openai"))
    with pytest.raises(OptionError, match="empty"):
        validate_job(job(prompt="  \n"))


def test_at_most_sixteen_reference_frames() -> None:
    frames = tuple(Path(f"f{i}.png") for i in range(17))
    validate_job(job(reference_frames=frames[:16]))
    with pytest.raises(OptionError, match=r"17 reference frames.*at most 16"):
        validate_job(job(reference_frames=frames))
    with pytest.raises(OptionError, match="at most 16"):
        validate_job(job(reference_frames=frames, backend="openai"))


def test_sora_options() -> None:
    sora = {"model": "sora-2-image-to-video", "kind": "video", "reference_frames": (Path("f.png"),)}
    validate_job(job(**sora, aspect_ratio="portrait", n_frames=15))
    with pytest.raises(OptionError, match="landscape or portrait"):
        validate_job(job(**sora, aspect_ratio="16:9"))
    with pytest.raises(OptionError, match="10 or 15"):
        validate_job(job(**sora, n_frames=12))
    with pytest.raises(OptionError, match="--resolution: not a Sora 2 option"):
        validate_job(job(**sora, resolution="1K"))
    with pytest.raises(OptionError, match="one locked frame"):
        validate_job(job(**{**sora, "reference_frames": (Path("a.png"), Path("b.png"))}))


def test_options_of_the_other_backend_are_refused_not_ignored() -> None:
    with pytest.raises(OptionError, match="--size, --quality: not KIE options"):
        validate_job(job(size="1024x1024", quality="high"))
    with pytest.raises(OptionError, match="--aspect-ratio: KIE options; for OpenAI use --size"):
        validate_job(job(backend="openai", aspect_ratio="16:9"))
    with pytest.raises(OptionError, match="--n-frames: only for video targets"):
        validate_job(job(n_frames=10))
    with pytest.raises(OptionError, match="Sora Videos API shut down on 2026-09-24"):
        validate_job(job(backend="openai", model="sora-2-image-to-video", kind="video"))


@pytest.mark.parametrize("size", ["auto", "1024x1024", "1536x1024", "1536x864", "3840x2160", "2160x3840", "768x2304"])
def test_openai_sizes_accepted(size: str) -> None:
    check_openai_size(size)


@pytest.mark.parametrize(("size", "why"), [
    ("1024", "not WIDTHxHEIGHT"),
    ("1000x1000", "multiples of 16"),
    ("0x1024", "multiples of 16"),
    ("512x2048", "between 1:3 and 3:1"),
    ("4096x2160", "maximum of 3840x2160"),
    ("768x768", "589,824 pixels; gpt-image-2 needs at least 655,360 in total"),
    ("1008x640", "645,120 pixels"),
    ("3840x2400", "maximum of 3840x2160"),
])
def test_openai_sizes_refused(size: str, why: str) -> None:
    with pytest.raises(OptionError, match=why):
        check_openai_size(size)


def test_openai_quality_and_format() -> None:
    validate_job(job(backend="openai", quality="medium", output_format="webp"))
    with pytest.raises(OptionError, match="quality 'ultra'"):
        validate_job(job(backend="openai", quality="ultra"))
    with pytest.raises(OptionError, match="output format 'gif'"):
        validate_job(job(backend="openai", output_format="gif"))
