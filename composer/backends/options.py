"""The providers' documented option rules, as pure functions checked before any request is made.

A request that breaks them is refused by the provider anyway (KIE creates no task), so refusing it
here costs nothing and gives a message that says what would work instead.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from composer.backends.errors import OptionError
from composer.backends.types import GenerationOptions, Job
from composer.capabilities import (
    KIE_IMAGE_MODELS,
    MB,
    OPENAI_MODELS,
    model_family,
)
from composer.models import MotionModel

KIE_ASPECT_RATIOS = ("auto", "1:1", "3:2", "2:3", "4:3", "3:4", "5:4", "4:5", "16:9", "9:16",
                     "2:1", "1:2", "3:1", "1:3", "21:9", "9:21")
KIE_RESOLUTIONS = ("1K", "2K", "4K")
KIE_PROMPT_LIMIT = 20_000

OPENAI_PROMPT_LIMIT = 32_000
OPENAI_QUALITIES = ("low", "medium", "high", "auto")
OPENAI_FORMATS = ("png", "jpeg", "webp")
KIE_IMAGE_IDS = {False: "gpt-image-2-text-to-image", True: "gpt-image-2-image-to-image"}
"""Has reference frames -> GPT Image 2's KIE model id."""


def is_motion(job: Job) -> bool:
    return job.kind == "video" or model_family(job.model) == "sora-2"


@functools.cache
def builtin_motion() -> dict[str, MotionModel]:
    """The built-in targets' motion blocks (``composer/targets.yaml``) by model id."""
    raw = yaml.safe_load((Path(__file__).resolve().parent.parent / "targets.yaml").read_text(encoding="utf-8"))
    return {spec["model"]: MotionModel.model_validate(spec["motion"]) for spec in raw.values() if spec.get("motion")}


def motion_for(job: Job) -> MotionModel:
    """The video model's data: the job's own (its target's ``motion`` block), else the built-in one
    for Sora 2 (a job recorded before motion models were data)."""
    if job.motion is not None:
        return job.motion
    for model, motion in builtin_motion().items():
        if job.model == model or model_family(job.model) == model_family(model) is not None:
            return motion
    raise OptionError(f"video target '{job.target}' (model {job.model}) has no motion block: say in composer.yaml "
                      "how the model takes its first frame, lengths and aspect ratios (docs/generation.md)")


def motion_name(job: Job) -> str:
    return "Sora 2" if model_family(job.model) == "sora-2" else job.model


def kie_model_for(job: Job) -> str:
    """The KIE model id for a job: GPT Image 2 text- or image-to-image, or the video model's id
    (its ``text_model`` when no first frame is sent)."""
    if is_motion(job):
        if job.reference_frames:
            return job.model
        text_model = motion_for(job).text_model
        if text_model is None:
            raise OptionError(f"{job.model} needs a first frame (pass one with --frame)")
        return text_model
    if model_family(job.model) != "gpt-image-2":
        raise OptionError(f"the kie backend has no model for '{job.model}' (it serves gpt-image-2 and the video "
                          "models of the targets' motion blocks)")
    return KIE_IMAGE_IDS[bool(job.reference_frames)]


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


def check_motion_options(job: Job, motion: MotionModel) -> None:
    """The video model's documented lengths and aspect ratios (its ``motion`` block)."""
    opts, name = job.options, motion_name(job)
    if opts.aspect_ratio is not None and opts.aspect_ratio not in motion.aspect_ratios:
        offered = f"choose {' or '.join(motion.aspect_ratios)}" if motion.aspect_ratios else \
            "it takes none: the clip follows the first frame"
        raise OptionError(f"aspect ratio '{opts.aspect_ratio}' is not offered by {name} on KIE ({offered})")
    if opts.n_frames is not None and opts.n_frames not in motion.durations:
        offered = f"choose {' or '.join(map(str, motion.durations))} seconds" if motion.durations else \
            "it takes no length"
        raise OptionError(f"n_frames {opts.n_frames} is not offered by {name} on KIE ({offered})")


def check_frame_sizes(frames: tuple[Path, ...], limit_mb: float, what: str) -> None:
    """Refuse a frame over the model's file limit before it is uploaded (a missing file is left to
    the upload, which names it)."""
    for frame in frames:
        try:
            size = frame.stat().st_size
        except OSError:
            continue
        if size > limit_mb * MB:
            raise OptionError(f"{frame.name} is {size / MB:.1f} MB; {what} takes at most {limit_mb:g} MB: "
                              "export it smaller (e.g. as JPEG or WebP)")


def check_openai_size(size: str, model: str = "gpt-image-2") -> None:
    """``auto``, or ``WxH`` with both sides divisible by 16, a ratio between 1:3 and 3:1, and a
    total within the model's limits (gpt-image-2: 655,360 to 3840x2160 pixels, OpenAI's guide)."""
    if size == "auto":
        return
    spec = OPENAI_MODELS[model]
    match = re.fullmatch(r"(\d+)x(\d+)", size)
    if not match:
        raise OptionError(f"size '{size}' is not WIDTHxHEIGHT (e.g. 1536x1024) or 'auto'")
    width, height = int(match[1]), int(match[2])
    if width == 0 or height == 0 or width % 16 or height % 16:
        raise OptionError(f"size {size}: width and height must both be positive multiples of 16")
    if max(width, height) > 3 * min(width, height):
        raise OptionError(f"size {size}: the aspect ratio must be between 1:3 and 3:1")
    if max(width, height) > spec.max_edge or width * height > spec.max_pixels:
        raise OptionError(f"size {size} is larger than {model}'s maximum of 3840x2160")
    if width * height < spec.min_pixels:
        raise OptionError(f"size {size} is {width * height:,} pixels; {model} needs at least "
                          f"{spec.min_pixels:,} in total (e.g. 1024x1024 or 1024x640)")


def check_openai_options(options: GenerationOptions, model: str = "gpt-image-2") -> None:
    if options.size is not None:
        check_openai_size(options.size, model)
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


def _check_inputs(job: Job, *, prompt_limit: int, api: str, edit: str, most_frames: int, max_mb: float) -> None:
    """The prompt's length, and the reference frames' number and sizes, as ``api`` documents them
    (``edit``: what takes the frames, for the message)."""
    _check_prompt(job.prompt, prompt_limit, api)
    if len(job.reference_frames) > most_frames:
        raise OptionError(f"{len(job.reference_frames)} reference frames; {edit} takes at most {most_frames}")
    check_frame_sizes(job.reference_frames, max_mb, api)


def validate_kie_job(job: Job) -> None:
    """Every rule KIE documents for the job's model, options, prompt and frames."""
    opts = job.options
    kie_model_for(job)
    _refuse(opts, ("size", "quality", "output_format"),
            "not KIE options (GPT Image 2 on KIE takes --aspect-ratio and --resolution; one task, one image)")
    if is_motion(job):
        _validate_kie_motion(job)
        return
    spec = KIE_IMAGE_MODELS["gpt-image-2"]
    _refuse(opts, ("n_frames",), "only for video targets (sora-2)")
    check_kie_image_options(opts.aspect_ratio, opts.resolution)
    _check_inputs(job, prompt_limit=KIE_PROMPT_LIMIT, api="GPT Image 2 on KIE", edit="GPT Image 2 image-to-image",
                  most_frames=spec.max_input_images, max_mb=spec.max_image_mb)


def _validate_kie_motion(job: Job) -> None:
    motion, name = motion_for(job), motion_name(job)
    _refuse(job.options, ("resolution",), f"not a {name} option ({name} takes --aspect-ratio and --n-frames; "
            "see `compose show target`)")
    check_motion_options(job, motion)
    _check_prompt(job.prompt, KIE_PROMPT_LIMIT, "KIE")
    if len(job.reference_frames) > 1:
        raise OptionError(f"{len(job.reference_frames)} frames given; {name} image-to-video starts from "
                          "one locked frame (pass exactly one with --frame)")
    check_frame_sizes(job.reference_frames, motion.max_frame_mb, f"{name}'s first frame on KIE")


def validate_openai_job(job: Job) -> None:
    """gpt-image-2 on OpenAI's Images API: image targets only, size/quality/format rules, 16 images."""
    if is_motion(job):
        raise OptionError("OpenAI's Sora Videos API shut down on 2026-09-24; send video targets with "
                          "--backend kie")
    if job.model not in OPENAI_MODELS:
        raise OptionError(f"the openai backend serves {', '.join(OPENAI_MODELS)}, not '{job.model}'")
    spec = OPENAI_MODELS[job.model]
    _refuse(job.options, ("aspect_ratio", "resolution"), "KIE options; for OpenAI use --size WIDTHxHEIGHT")
    _refuse(job.options, ("n_frames",), "only for video targets (sora-2 on KIE)")
    check_openai_options(job.options, job.model)
    _check_inputs(job, prompt_limit=OPENAI_PROMPT_LIMIT, api="OpenAI's Images API", edit="images.edit",
                  most_frames=spec.max_input_images, max_mb=spec.max_image_mb)


def validate_job(job: Job) -> None:
    """Raise ``OptionError`` when the job breaks its backend's documented rules."""
    if job.backend == "kie":
        validate_kie_job(job)
    elif job.backend == "openai":
        validate_openai_job(job)
    else:
        raise OptionError(f"unknown backend '{job.backend}' (choose kie or openai)")
