"""``composer.yaml``: the library's defaults and its targets (models, windows, templates)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from composer.models.base import Asset


class MotionModel(Asset):
    """How a KIE video model takes its input, as data: a team adds a video model to its
    ``composer.yaml`` without code (docs/generation.md has a worked example).

    The target's ``model`` is the KIE model id sent with a first frame; every task sends
    ``prompt``, the frame's uploaded URL in ``frame_field``, and the options below when given.
    """

    text_model: str | None = None
    """The KIE model id used when no first frame is sent (``sora-2-text-to-video``); None when
    the model needs a first frame."""
    frame_field: str = Field(default="image_urls", min_length=1)
    """The input field that takes the first frame's uploaded URL."""
    frame_list: bool = True
    """Whether ``frame_field`` is a list of URLs (``image_urls: [url]``) or one URL (``image_url: url``)."""
    max_frame_mb: float = Field(default=10, gt=0)
    """The largest first frame the model accepts, in MB of 1,000,000 bytes (10 for Sora 2 on KIE);
    a larger one is refused before it is uploaded."""
    duration_field: str = Field(default="n_frames", min_length=1)
    """The input field that takes the clip length (``--n-frames``), sent as a string as KIE documents it."""
    durations: list[int] = []
    """Allowed clip lengths in seconds; empty when the model takes no length."""
    aspect_ratio_field: str = Field(default="aspect_ratio", min_length=1)
    """The input field that takes ``--aspect-ratio``."""
    aspect_ratios: list[str] = []
    """Allowed aspect ratios; empty when the model takes none (the clip follows the first frame)."""
    input: dict[str, str | int | float | bool] = {}
    """Fixed input fields sent with every task (e.g. ``remove_watermark: true``)."""


class Target(Asset):
    max_chars: int = Field(gt=0)
    """The model's prompt window in characters."""
    template: str = Field(min_length=1)
    """Template file (in the library's ``templates/``) that renders briefs for this target."""
    backend: Literal["kie", "openai"] = "kie"
    """Which generation backend serves this target."""
    model: str = Field(min_length=1)
    """The model id the backend is asked for."""
    kind: Literal["image", "video"] = "image"
    """Whether the target makes stills or motion."""
    description: str = ""
    """What the target is and where its window comes from."""
    motion: MotionModel | None = None
    """For a video target on KIE: how its model takes the first frame, lengths and aspect ratios."""


class Defaults(Asset):
    brand: str | None = None
    """Brand kit used when a shot names none."""
    style: str | None = None
    """Style dossier used when a shot names none."""
    target: str = "gpt-image-2"
    """Target used when a shot names none."""
    poll: dict[str, float | None] = {}
    """The poll schedule's defaults for this library, under ``COMPOSER_POLL`` (which replaces them):
    ``initial``, ``later``, ``switch_after``, ``deadline``, ``max_rate`` (seconds; ``max_rate`` per second)."""
    retry: dict[str, float | None] = {}
    """The retry policy's defaults, under ``COMPOSER_RETRY``: ``attempts``, ``base_delay``, ``max_delay``,
    ``max_retry_after``."""
    request_deadline: dict[str, float | None] = {}
    """The most one request may take, under ``COMPOSER_REQUEST_DEADLINE``: ``api``, ``download``, ``openai``."""


class LibraryConfig(Asset):
    name: str = "composer library"
    """Display name of the library."""
    defaults: Defaults = Defaults()
    """Defaults for shots."""
    targets: dict[str, Target] = {}
    """Extra targets, or overrides of the built-in ones, by name."""
