"""What each still-image model accepts, as data from its provider's documentation (checked
2026-12-02): how many reference images, how large, and OpenAI's per-model rules.

Kept apart from ``composer.backends`` so composing a brief (which caps its attachments by the
target's model) does not import the generation client. Video models are data in their target's
``motion`` block (``composer.models.MotionModel``); they take one first frame.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1_000_000
"""The providers state file limits in MB; refusing at 10,000,000 bytes errs on the safe side."""


@dataclass(frozen=True)
class ImageModel:
    """What a still-image model accepts, from its provider's documentation."""

    max_input_images: int
    """Reference images one request may attach."""
    max_image_mb: float
    """The largest reference image, in MB."""
    input_fidelity: bool = False
    """OpenAI: whether the model takes ``input_fidelity`` (gpt-image-2 does not: the API refuses it)."""
    min_pixels: int = 0
    """OpenAI: the smallest output size, in total pixels."""
    max_pixels: int = 0
    max_edge: int = 0


KIE_IMAGE_MODELS = {"gpt-image-2": ImageModel(max_input_images=16, max_image_mb=50)}
"""By model family. KIE's GPT Image 2 image-to-image takes 1 to 16 ``input_urls``; its docs name no
file limit, so composer's own 50 MB frame limit applies."""
GPT_IMAGE_2 = ImageModel(max_input_images=16, max_image_mb=50, input_fidelity=False, min_pixels=655_360,
                         max_pixels=3840 * 2160, max_edge=3840)
OPENAI_MODELS = {"gpt-image-2": GPT_IMAGE_2, "gpt-image-2-2026-04-21": GPT_IMAGE_2}
"""By model. OpenAI's image-generation guide for gpt-image-2: up to 16 images of under 50 MB each,
``input_fidelity`` omitted (the API does not allow changing it), outputs of 655,360 to 8,294,400 pixels."""

def model_family(model: str) -> str | None:
    """``gpt-image-2`` or ``sora-2`` for any of their model ids, else None."""
    for family in ("gpt-image-2", "sora-2"):
        if model == family or model.startswith(family + "-"):
            return family
    return None


def input_image_cap(backend: str, model: str, kind: str) -> int:
    """How many images a request to ``model`` may attach: reference frames for stills, one first
    frame for a video model."""
    if kind == "video":
        return 1
    table = OPENAI_MODELS if backend == "openai" else KIE_IMAGE_MODELS
    spec = table.get(model) or table.get(model_family(model) or model)
    return spec.max_input_images if spec else 1
