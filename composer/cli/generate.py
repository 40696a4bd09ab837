"""``compose generate`` and ``compose credits``, and the generation options ``compose shot`` shares.

Only click is imported here; ``composer.generate`` (and through it aiohttp or openai) is imported
when a command actually generates, so ``compose shot`` without ``--generate`` stays light.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from composer.cli.options import cli_settings, library_option, open_library

if TYPE_CHECKING:
    from composer.backends import Job, Progress, ProgressEvent
    from composer.compose import Brief
    from composer.generate import GenerateSettings, Outcome
    from composer.library import Library
    from composer.settings import Settings

HEARTBEAT_SECONDS = 30.0
"""While a task's state does not change, say it is still running this often."""


@dataclass(frozen=True)
class GenerationFlags:
    """The generation options as given on the command line."""

    backend: str | None
    aspect_ratio: str | None
    resolution: str | None
    size: str | None
    quality: str | None
    output_format: str | None
    frame: Path | None
    n_frames: int | None
    deadline: float | None
    force: bool
    estimate: bool

    @classmethod
    def none(cls) -> GenerationFlags:
        """No option given."""
        return cls(backend=None, aspect_ratio=None, resolution=None, size=None, quality=None, output_format=None,
                   frame=None, n_frames=None, deadline=None, force=False, estimate=False)

    def provider_options_given(self) -> list[str]:
        names = ("backend", "aspect_ratio", "resolution", "size", "quality", "output_format", "frame", "n_frames")
        return ["--" + n.replace("_", "-") for n in names if getattr(self, n) is not None]

    def settings(self, *, out_dir: Path | None, stem: str | None, config: Settings | None = None) -> GenerateSettings:
        """These flags over ``config`` (default: the settings the ``compose`` group built)."""
        from composer.backends import GenerationOptions
        from composer.generate import GenerateSettings

        options = GenerationOptions(aspect_ratio=self.aspect_ratio, resolution=self.resolution, size=self.size,
                                    quality=self.quality, output_format=self.output_format, n_frames=self.n_frames)
        return GenerateSettings.of(config or cli_settings(), backend=self.backend, options=options, frame=self.frame,
                                   out_dir=out_dir, stem=stem, force=self.force, deadline=self.deadline)


_OPTIONS = [
    click.option("--backend", type=click.Choice(["kie", "openai"]),
                 help="Generation backend (default: the target's; kie for gpt-image-2 and sora-2)."),
    click.option("--aspect-ratio", metavar="R",
                 help="KIE: auto, 1:1, 3:2, 2:3, 4:3, 3:4, 5:4, 4:5, 16:9, 9:16, 2:1, 1:2, 3:1, 1:3, 21:9, 9:21; "
                      "sora-2: landscape or portrait."),
    click.option("--resolution", type=click.Choice(["1K", "2K", "4K"]),
                 help="KIE GPT Image 2 resolution (2K/4K need an explicit aspect ratio)."),
    click.option("--size", metavar="WxH", help="OpenAI: auto or WIDTHxHEIGHT (multiples of 16, up to 3840x2160)."),
    click.option("--quality", type=click.Choice(["low", "medium", "high", "auto"]), help="OpenAI image quality."),
    click.option("--output-format", type=click.Choice(["png", "jpeg", "webp"]), help="OpenAI image format."),
    click.option("--frame", metavar="RESULT",
                 help="Locked first frame for a video target: an image, or a result by shot id (DIR/SHOT_ID, or "
                      "SHOT_ID with --campaign DIR: its latest approved image, else its latest). Default: the "
                      "brief's first reference frame."),
    click.option("--campaign", "frame_campaigns", multiple=True, metavar="DIR",
                 type=click.Path(path_type=Path, file_okay=False, exists=True),
                 help="An output folder (campaign or shot results) where --frame SHOT_ID is looked up (repeatable)."),
    click.option("--n-frames", type=click.IntRange(min=1), metavar="SECONDS",
                 help="Video clip length (sora-2: 10 or 15; the target's motion.durations)."),
    click.option("--deadline", type=click.FloatRange(min=1), metavar="SECONDS",
                 help="The most the whole generation may take, create to download (polling stops at 900 s "
                      "without it); an accepted task is kept for --resume."),
    click.option("--force", is_flag=True,
                 help="Start anew over an earlier generation in --out (replacing its files), or one that may "
                      "already be paid for."),
    click.option("--estimate", is_flag=True, help="Print what the generation would cost; send nothing."),
]
_NAMES = [f.name for f in fields(GenerationFlags)]


def generation_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the generation options to a command; it receives them as one ``generation`` argument."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _NAMES}
        values["n_frames"] = int(values["n_frames"]) if values["n_frames"] else None
        values["frame"] = _first_frame(values["frame"], kwargs.pop("frame_campaigns"))
        return func(*args, generation=GenerationFlags(**values), **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def _first_frame(value: str | None, campaigns: tuple[Path, ...]) -> Path | None:
    """``--frame``: an image as given, else a result named by its shot (``composer.frames_lifecycle.results``)."""
    if value is None:
        if campaigns:
            raise click.UsageError("--campaign names where --frame SHOT_ID is looked up: give --frame too")
        return None
    if Path(value).is_file() and not campaigns:
        return Path(value)
    from composer.frames_lifecycle.results import resolve_frame

    return resolve_frame(value, campaigns)


# -- output --------------------------------------------------------------------------------------
def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def progress_printer() -> Progress:
    """Progress on stderr: every step, and while polling each state change plus a heartbeat."""
    last: dict[str, Any] = {"state": None, "at": 0.0}

    def show(event: ProgressEvent) -> None:
        if event.stage == "poll" and event.state is not None:
            if event.state == last["state"] and event.elapsed - last["at"] < HEARTBEAT_SECONDS:
                return
            still = "still " if event.state == last["state"] else ""
            last.update(state=event.state, at=event.elapsed)
            click.echo(f"  task {event.task_id}: {still}{event.state} ({_duration(event.elapsed)})", err=True)
        else:
            click.echo(event.message, err=True)

    return show


def report(outcome: Outcome, *, paths_to_stdout: bool) -> None:
    for warning in outcome.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if outcome.already_complete:
        click.echo(f"already complete: {outcome.record}", err=True)
    for path in outcome.written:
        click.echo(f"wrote {path}", err=True)
    for path in outcome.result.files:  # the exact name (it may carry a digest): no guessing for a handoff
        handoff = "" if path.suffix == ".mp4" else f" (to animate it: --target sora-2 --frame {path})"
        click.echo(f"result: {path}{handoff}", err=True)
    if paths_to_stdout:  # `compose generate` prints the results for scripts; `compose shot` prints the brief
        for path in outcome.result.files:
            click.echo(str(path))
    click.echo(f"cost: {outcome.result.cost.describe()}", err=True)
    _report_qc(outcome.record)


def _report_qc(record_file: Path) -> None:
    """The pixel QC the lifecycle ran on the results: one line, and each error."""
    from composer.generate import load_record
    from composer.generate.inspection import report_lines

    record = load_record(record_file)
    if record.qc is not None:
        for line in report_lines(record.qc, needs_review=record.needs_review):
            click.echo(line, err=True)


def _estimate_line(job: Job, library: Library) -> str:
    from composer.generate import estimate

    frames = f", {len(job.reference_frames)} reference frame(s)" if job.reference_frames else ""
    return f"estimate: {estimate(job, library.root).describe()} [{job.backend} {job.model}{frames}]"


def send_brief(brief: Brief, library: Library, flags: GenerationFlags, *, out: Path | None, fmt: str) -> None:
    """``compose shot --generate`` / ``--estimate``, after composing: print, export, generate."""
    from composer.cli.output import echo_brief
    from composer.generate import DEFAULT_OUT_DIR, generate_brief, job_from_brief

    settings = flags.settings(out_dir=out, stem=None)
    if flags.estimate:
        click.echo(_estimate_line(job_from_brief(brief, library, settings), library))
        click.echo(brief.summary_line(), err=True)
        return
    job_from_brief(brief, library, settings)  # option errors before any output
    echo_brief(brief, fmt)
    from composer.qc.hook import brief_inspector

    settings = replace(settings, inspect=brief_inspector(library, brief, settings.options.sent()))
    with _hint_on_interrupt((settings.out_dir or DEFAULT_OUT_DIR), brief.slug):
        outcome = generate_brief(brief, library, settings, progress=progress_printer())
    report(outcome, paths_to_stdout=False)


@contextlib.contextmanager
def _hint_on_interrupt(out_dir: Path, stem: str) -> Iterator[None]:
    """On Ctrl-C, say where the task went before the group reports the interrupt."""
    from composer.generate import interrupted_hint, record_path

    try:
        yield
    except KeyboardInterrupt:
        hint = interrupted_hint(record_path(out_dir, stem))
        if hint:
            click.echo(hint, err=True)
        raise


# -- commands ------------------------------------------------------------------------------------
@click.command()
@click.argument("brief_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--resume", is_flag=True,
              help="Continue the generation recorded beside the brief (<stem>.generation.json): collect an "
                   "accepted task without creating it again.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder (default: the brief's folder).")
@click.option("--name", help="File name stem (default: the brief's file name).")
@generation_options
@library_option
def generate(brief_file: Path, resume: bool, out: Path | None, name: str | None, generation: GenerationFlags,
             library_dir: Path | None) -> None:
    """Send an exported brief (BRIEF_FILE, a <slug>.json) unchanged, or --resume its generation.

    A designer may edit the exported JSON's prompt first. Results go beside the brief as <stem>.png
    (or .jpg/.webp/.mp4) with <stem>.generation.json. BRIEF_FILE may also be a .generation.json.

    Example: compose generate out/red-curls--castle.json --aspect-ratio 16:9 --resolution 2K
    """
    from composer.generate import RECORD_SUFFIX, generate_brief_file, job_from_brief_file

    library = open_library(library_dir)
    settings = generation.settings(out_dir=out, stem=name)
    if resume and generation.provider_options_given():
        from composer.backends import OptionError

        raise OptionError(f"{', '.join(generation.provider_options_given())}: a resumed generation keeps its "
                          "recorded request; send the brief again without --resume to change it")
    if generation.estimate:
        job, _ = job_from_brief_file(brief_file, library, settings)
        click.echo(_estimate_line(job, library))
        return
    stem = name or brief_file.name.removesuffix(RECORD_SUFFIX).removesuffix(".json")
    from composer.qc.hook import brief_file_inspector

    settings = replace(settings, inspect=brief_file_inspector(library, brief_file, settings.options.sent()))
    with _hint_on_interrupt(out or brief_file.parent, stem):
        outcome = generate_brief_file(brief_file, library, settings, resume=resume, progress=progress_printer())
    report(outcome, paths_to_stdout=True)


@click.command()
@library_option
def credits(library_dir: Path | None) -> None:
    """Show the KIE credit balance (needs KIE_API_KEY)."""
    from composer.generate import credits as read_credits

    library = open_library(library_dir)
    settings = GenerationFlags.none().settings(out_dir=None, stem=None)
    balance = read_credits(settings, library.root)
    dollars = f" (~${balance.usd:,.2f})" if balance.usd is not None else ""
    click.echo(f"KIE balance: {balance.balance:,.2f} {balance.unit}{dollars}")
