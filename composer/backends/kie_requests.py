"""What KIE's createTask bodies look like: GPT Image 2's fields, and each video model's as its motion block says.

Pure: ``create_body`` builds the body from a job and its frames' uploaded URLs (``preview_request``
passes placeholders), and sends nothing.
"""

from __future__ import annotations

from typing import Any

from composer.backends.options import is_motion, kie_model_for, motion_for
from composer.backends.types import Job
from composer.models import MotionModel


def create_body(job: Job, urls: list[str]) -> dict[str, Any]:
    """The createTask body for ``job`` with its frames at ``urls``."""
    model = kie_model_for(job)
    if is_motion(job):
        return {"model": model, "input": motion_input(job, motion_for(job), urls)}
    fields: dict[str, Any] = {"prompt": job.prompt}
    opts = job.options
    if urls:
        fields["input_urls"] = urls
    if opts.aspect_ratio is not None:
        fields["aspect_ratio"] = opts.aspect_ratio
    if opts.resolution is not None:
        fields["resolution"] = opts.resolution
    return {"model": model, "input": fields}


def motion_input(job: Job, motion: MotionModel, urls: list[str]) -> dict[str, Any]:
    """A video model's ``input``, laid out as its motion block says: the first frame's URL in
    ``frame_field`` (a list or one URL), the length (as a string, as KIE documents it) and ratio."""
    fields: dict[str, Any] = {"prompt": job.prompt, **motion.input}
    if urls:
        fields[motion.frame_field] = urls if motion.frame_list else urls[0]
    if job.options.aspect_ratio is not None:
        fields[motion.aspect_ratio_field] = job.options.aspect_ratio
    if job.options.n_frames is not None:
        fields[motion.duration_field] = str(job.options.n_frames)
    return fields
