"""Building a job: from a composed brief, or from an exported brief file a designer may have edited.

Every job is checked against the provider's rules here, before anything is written or sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from composer.backends.errors import OptionError
from composer.backends.options import validate_job
from composer.backends.schedule import PollSchedule, RetryPolicy
from composer.backends.types import BACKENDS, BackendName, GenerationOptions, Job
from composer.compose import Brief
from composer.errors import LibraryError
from composer.export import read_brief_json
from composer.frames import check_frame, verify_frame
from composer.generate.inspection import Inspector
from composer.library import Library
from composer.settings import Settings


@dataclass(frozen=True)
class GenerateSettings:
    """How to generate: which backend and options, where to write, how patiently to wait."""

    backend: str | None = None
    """``kie`` or ``openai``; default: the target's backend."""
    options: GenerationOptions = field(default_factory=GenerationOptions)
    frame: Path | None = None
    """The locked first frame of a video target (default: the brief's first reference frame)."""
    out_dir: Path | None = None
    """Output folder (``compose shot``: ``out/``; ``compose generate``: the brief's folder)."""
    stem: str | None = None
    """File name stem (default: the brief's slug or file name)."""
    force: bool = False
    """Start anew even over an earlier generation, or one that may already be paid for."""
    poll: PollSchedule = field(default_factory=PollSchedule)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    config: Settings = field(default_factory=Settings)
    """Keys, base URLs, proxies and deadlines (``composer.settings``; the front end builds it once)."""
    inspect: Inspector | None = None
    """Run on every download before the shot is recorded (pixel QC): see ``inspection.Inspector``."""
    submit_grace: float = 30.0
    """After Ctrl-C, how long an in-flight create may take to answer so its task is kept."""
    deadline: float | None = None
    """Seconds the whole job may take, submit to download (``--deadline``; polling also stops at
    ``poll.deadline``)."""

    @classmethod
    def of(cls, config: Settings, **given: Any) -> GenerateSettings:
        """Generation over ``config``: its poll schedule (its deadline ``deadline`` when given) and
        retry policy, with the ``given`` fields on top (the CLI's flags; the TUI gives the folder)."""
        poll = config.poll if given.get("deadline") is None else replace(config.poll, deadline=given["deadline"])
        return cls(**{"poll": poll, "retry": config.retry, "config": config, **given})


def make_job(prompt: str, frames: list[Path], *, target: str, library: Library, settings: GenerateSettings) -> Job:
    """A job for ``target`` (its backend, model and kind from the library), checked before any request."""
    spec = library.target(target)
    if spec.kind == "video":
        frames = [settings.frame] if settings.frame else frames[:1]
    elif settings.frame is not None:
        raise OptionError("--frame is for video targets (e.g. --target sora-2); add frames to an image shot "
                          "with --reference")
    name = settings.backend or spec.backend
    if name not in BACKENDS:
        raise OptionError(f"unknown backend '{name}' (choose kie or openai)")
    backend: BackendName = "openai" if name == "openai" else "kie"
    job = Job(prompt=prompt, reference_frames=tuple(frames), target=target, model=spec.model, kind=spec.kind,
              backend=backend, options=settings.options, motion=spec.motion)
    validate_job(job)
    for frame in job.reference_frames:  # what is uploaded must decode fully, not just carry a signature
        verify_frame(frame)
    return job


def job_from_brief(brief: Brief, library: Library, settings: GenerateSettings) -> Job:
    return make_job(brief.prompt, list(brief.reference_frames), target=brief.target_name, library=library,
                    settings=settings)


def read_brief_file(path: Path) -> dict[str, Any]:
    """An exported ``<slug>.json`` brief: its prompt, target and reference frames, checked."""
    data = read_brief_json(path)
    for name, kind in (("prompt", str), ("target", str), ("reference_frames", list)):
        if not isinstance(data.get(name), kind):
            raise LibraryError(f"required field is missing or not a {kind.__name__}", path=path, field=name)
    frames = [check_frame(path.parent / str(p), root=None, source=path, field=f"reference_frames.{i}")
              for i, p in enumerate(data["reference_frames"])]
    return {**data, "reference_frames": frames}


def options_of_brief_file(data: dict[str, Any], path: Path) -> GenerationOptions:
    """The generation options an exported brief records (``options``), checked field by field."""
    given = data.get("options") or {}
    if not isinstance(given, dict):
        raise LibraryError("expected an object of generation options", path=path, field="options")
    known = {f.name: f for f in fields(GenerationOptions)}
    for name, value in given.items():
        if name not in known:
            raise LibraryError(f"unknown generation option (known: {', '.join(known)})", path=path,
                               field=f"options.{name}")
        wanted = int if name == "n_frames" else str
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise LibraryError(f"expected {'a whole number' if wanted is int else 'text'}", path=path,
                               field=f"options.{name}")
    return GenerationOptions(**given)


def job_from_brief_file(path: Path, library: Library, settings: GenerateSettings) -> tuple[Job, list[str]]:
    """The job for an exported brief, sent unchanged with the options it records (a flag given on
    the command line wins, option by option); warns when the ``.txt`` beside it differs."""
    data = read_brief_file(path)
    recorded = options_of_brief_file(data, path)
    settings = replace(settings, options=GenerationOptions(**{**recorded.sent(), **settings.options.sent()}))
    warnings = []
    txt = path.with_suffix(".txt")
    if txt.is_file() and txt.read_text(encoding="utf-8", errors="replace") != data["prompt"]:
        warnings.append(f"{txt.name} differs from the prompt in {path.name}; sending {path.name}'s prompt")
    job = make_job(data["prompt"], data["reference_frames"], target=data["target"], library=library,
                   settings=settings)
    return job, warnings
