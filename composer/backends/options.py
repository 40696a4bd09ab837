"""The providers' documented option rules, as pure functions checked before any request is made.

A request that breaks them is refused by the provider anyway (KIE creates no task), so refusing it
here costs nothing and gives a message that says what would work instead.
"""

from __future__ import annotations

import re

from composer.backends.errors import OptionError
from composer.backends.types import GenerationOptions, Job

KIE_ASPECT_RATIOS = ("auto", "1:1", "3:2", "2:3", "4:3", "3:4", "5:4", "4:5", "16:9", "9:16",
                     "2:1", "1:2", "3:1", "1:3", "21:9", "9:21")
KIE_RESOLUTIONS = ("1K", "2K", "4K")
KIE_PROMPT_LIMIT = 20_000
SORA_ASPECT_RATIOS = ("landscape", "portrait")
SORA_N_FRAMES = (10, 15)
MAX_REFERENCE_FRAMES = 16
"""Both KIE's ``input_urls`` and OpenAI's edit ``image`` take at most 16 images."""

OPENAI_PROMPT_LIMIT = 32_000
OPENAI_QUALITIES = ("low", "medium", "high", "auto")
OPENAI_FORMATS = ("png", "jpeg", "webp")
OPENAI_MAX_EDGE = 3840
OPENAI_MAX_PIXELS = 3840 * 2160

KIE_MODELS = {
    ("gpt-image-2", False): "gpt-image-2-text-to-image",
    ("gpt-image-2", True): "gpt-image-2-image-to-image",
    ("sora-2", False): "sora-2-text-to-video",
    ("sora-2", True): "sora-2-image-to-video",
}
"""(model family, has reference frames) -> KIE model id."""


def model_family(model: str) -> str | None:
    """``gpt-image-2`` or ``sora-2`` for any of their model ids, else None."""
    for family in ("gpt-image-2", "sora-2"):
        if model == family or model.startswith(family + "-"):
            return family
    return None


def kie_model_for(job: Job) -> str:
    """The KIE model id for a job: GPT Image 2 text- or image-to-image, Sora 2 text- or image-to-video."""
    family = model_family(job.model)
    if family is None:
        raise OptionError(f"the kie backend has no model for '{job.model}' (it serves gpt-image-2 and sora-2)")
    return KIE_MODELS[(family, bool(job.reference_frames))]


def kie_resolutions_for(aspect_ratio: str | None) -> tuple[str, ...]:
    """The resolutions KIE offers GPT Image 2 at an aspect ratio (None means ``auto``)."""
    ratio = aspect_ratio or "auto"
    if ratio in ("auto", "5:4", "4:5"):
        return ("1K",)
    if ratio == "1:1":
        return ("1K", "2K")
    if ratio in ("3:1", "1:3", "9:21"):
        return ("1K",)
    return KIE_RESOLUTIONS


def check_kie_image_options(aspect_ratio: str | None, resolution: str | None) -> None:
    """KIE's GPT Image 2 combinations: ``auto`` is 1K only, 1:1 is never 4K, 5:4 and 4:5 are 1K only,
    and 3:1, 1:3 and 9:21 are not offered at 2K or 4K."""
    if aspect_ratio is not None and aspect_ratio not in KIE_ASPECT_RATIOS:
        raise OptionError(f"aspect ratio '{aspect_ratio}' is not offered by GPT Image 2 on KIE "
                          f"(choose from {', '.join(KIE_ASPECT_RATIOS)})")
    if resolution is None:
        return
    if resolution not in KIE_RESOLUTIONS:
        raise OptionError(f"resolution '{resolution}' is not offered (choose 1K, 2K or 4K)")
    allowed = kie_resolutions_for(aspect_ratio)
    if resolution not in allowed:
        if aspect_ratio in (None, "auto"):
            raise OptionError(f"resolution {resolution} needs an explicit aspect ratio: "
                              "KIE allows only 1K with 'auto' (e.g. --aspect-ratio 16:9)")
        raise OptionError(f"aspect ratio {aspect_ratio} is offered at {' or '.join(allowed)} only, "
                          f"not {resolution}")


def check_sora_options(aspect_ratio: str | None, n_frames: int | None) -> None:
    """Sora 2 on KIE: ``landscape`` or ``portrait``, 10 or 15 seconds."""
    if aspect_ratio is not None and aspect_ratio not in SORA_ASPECT_RATIOS:
        raise OptionError(f"aspect ratio '{aspect_ratio}' is not offered by Sora 2 on KIE "
                          "(choose landscape or portrait)")
    if n_frames is not None and n_frames not in SORA_N_FRAMES:
        raise OptionError(f"n_frames {n_frames} is not offered by Sora 2 on KIE (choose 10 or 15 seconds)")


def check_openai_size(size: str) -> None:
    """``auto``, or ``WxH`` with both sides divisible by 16, a ratio between 1:3 and 3:1 and at
    most 3840x2160 (OpenAI's documented limits for gpt-image-2)."""
    if size == "auto":
        return
    match = re.fullmatch(r"(\d+)x(\d+)", size)
    if not match:
        raise OptionError(f"size '{size}' is not WIDTHxHEIGHT (e.g. 1536x1024) or 'auto'")
    width, height = int(match[1]), int(match[2])
    if width == 0 or height == 0 or width % 16 or height % 16:
        raise OptionError(f"size {size}: width and height must both be positive multiples of 16")
    if max(width, height) > 3 * min(width, height):
        raise OptionError(f"size {size}: the aspect ratio must be between 1:3 and 3:1")
    if max(width, height) > OPENAI_MAX_EDGE or width * height > OPENAI_MAX_PIXELS:
        raise OptionError(f"size {size} is larger than gpt-image-2's maximum of 3840x2160")


def check_openai_options(options: GenerationOptions) -> None:
    if options.size is not None:
        check_openai_size(options.size)
    if options.quality is not None and options.quality not in OPENAI_QUALITIES:
        raise OptionError(f"quality '{options.quality}' is not offered (choose {', '.join(OPENAI_QUALITIES)})")
    if options.output_format is not None and options.output_format not in OPENAI_FORMATS:
        raise OptionError(f"output format '{options.output_format}' is not offered "
                          f"(choose {', '.join(OPENAI_FORMATS)})")


def _refuse(options: GenerationOptions, names: tuple[str, ...], why: str) -> None:
    given = [n for n in names if getattr(options, n) is not None]
    if given:
        flags = ", ".join("--" + n.replace("_", "-") for n in given)
        raise OptionError(f"{flags}: {why}")


def _check_prompt(prompt: str, limit: int, where: str) -> None:
    if not prompt.strip():
        raise OptionError("the prompt is empty")
    if len(prompt) > limit:
        raise OptionError(f"the prompt is {len(prompt):,} characters; {where} accepts at most {limit:,} "
                          "(compose it for a shorter target or shorten it)")


def validate_kie_job(job: Job) -> None:
    """Every rule KIE documents for the job's model, options, prompt and frames."""
    family = model_family(job.model)
    opts = job.options
    kie_model_for(job)
    _refuse(opts, ("size", "quality", "output_format"),
            "not KIE options (GPT Image 2 on KIE takes --aspect-ratio and --resolution; one task, one image)")
    if family == "gpt-image-2":
        _refuse(opts, ("n_frames",), "only for video targets (sora-2)")
        check_kie_image_options(opts.aspect_ratio, opts.resolution)
        _check_prompt(job.prompt, KIE_PROMPT_LIMIT, "GPT Image 2 on KIE")
        if len(job.reference_frames) > MAX_REFERENCE_FRAMES:
            raise OptionError(f"{len(job.reference_frames)} reference frames; GPT Image 2 image-to-image "
                              f"takes at most {MAX_REFERENCE_FRAMES}")
    else:
        _refuse(opts, ("resolution",), "not a Sora 2 option (Sora 2 takes --aspect-ratio landscape|portrait "
                "and --n-frames 10|15)")
        check_sora_options(opts.aspect_ratio, opts.n_frames)
        _check_prompt(job.prompt, KIE_PROMPT_LIMIT, "KIE")
        if len(job.reference_frames) > 1:
            raise OptionError(f"{len(job.reference_frames)} frames given; Sora 2 image-to-video starts from "
                              "one locked frame (pass exactly one with --frame)")


def validate_openai_job(job: Job) -> None:
    """gpt-image-2 on OpenAI's Images API: image targets only, size/quality/format rules, 16 images."""
    if job.kind == "video" or model_family(job.model) == "sora-2":
        raise OptionError("OpenAI's Sora Videos API shut down on 2026-09-24; send video targets with "
                          "--backend kie")
    if model_family(job.model) != "gpt-image-2":
        raise OptionError(f"the openai backend serves gpt-image-2, not '{job.model}'")
    _refuse(job.options, ("aspect_ratio", "resolution"), "KIE options; for OpenAI use --size WIDTHxHEIGHT")
    _refuse(job.options, ("n_frames",), "only for video targets (sora-2 on KIE)")
    check_openai_options(job.options)
    _check_prompt(job.prompt, OPENAI_PROMPT_LIMIT, "OpenAI's Images API")
    if len(job.reference_frames) > MAX_REFERENCE_FRAMES:
        raise OptionError(f"{len(job.reference_frames)} reference frames; images.edit takes at most "
                          f"{MAX_REFERENCE_FRAMES}")


def validate_job(job: Job) -> None:
    """Raise ``OptionError`` when the job breaks its backend's documented rules."""
    if job.backend == "kie":
        validate_kie_job(job)
    elif job.backend == "openai":
        validate_openai_job(job)
    else:
        raise OptionError(f"unknown backend '{job.backend}' (choose kie or openai)")
