"""Running one shot's generation: ``compose shot --generate``, ``compose generate`` and ``--resume``.

Async core (campaigns have their own loop over the same ``lifecycle.drive``)::

    check_existing(out_dir, stem, force=False)          # refuse to clobber or double-pay
    result = await run_job(backend, job, out_dir, stem, brief_file=None, progress=...)
    result = await resume_record(backend, record_path, force=False, progress=...)

Sync entry points for the CLI and the TUI: ``generate_brief``, ``generate_brief_file``,
``estimate``, ``credits``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from composer.backends import api_key, make_backend
from composer.backends.errors import GenerationError, OptionError
from composer.backends.prices import PriceTable
from composer.backends.types import Backend, Cost, Credits, GenerationResult, Job, Progress, ProgressEvent, no_progress
from composer.compose import Brief
from composer.errors import ComposerError
from composer.export import export_prompt_files
from composer.generate.jobs import GenerateSettings, job_from_brief, job_from_brief_file
from composer.generate.lifecycle import DEFAULT_LIFECYCLE, Ending, Lifecycle, Resend, drive, next_step
from composer.generate.lock import Busy, FileLock, remove_leftovers
from composer.generate.record import (
    RECORD_SUFFIX,
    GenerationRecord,
    RecordStore,
    load_record,
    new_record,
    record_path,
)
from composer.library import Library

DEFAULT_OUT_DIR = Path("out")
"""Where ``compose shot --generate`` writes when no ``--out`` is given."""
FORCE = Resend(done=True, uncertain=True, accepted=True)

T = TypeVar("T")


class ExistingGenerationError(GenerationError):
    """The output folder holds an earlier generation that a new one would clobber or pay for twice."""


@dataclass
class Outcome:
    """What a generation left on disk."""

    result: GenerationResult
    record: Path
    written: list[Path] = field(default_factory=list)
    """Every file written: prompt files (``compose shot``), the record, the results."""
    warnings: list[str] = field(default_factory=list)
    already_complete: bool = False
    """``--resume`` found the generation finished with its files in place; nothing was sent."""


def _complete(record: GenerationRecord, folder: Path) -> bool:
    return record.status == "succeeded" and bool(record.files) and all((folder / f).is_file() for f in record.files)


def check_existing(out_dir: Path, stem: str, *, force: bool) -> None:
    """Refuse to start over an earlier generation: one accepted or maybe accepted would be paid for
    twice, and a finished one's files would be replaced. ``force`` overrides both."""
    path = record_path(out_dir, stem)
    if force or not path.is_file():
        return
    record = load_record(path)
    step = next_step(record.phase, has_task=record.task_id is not None)
    if step == "collect":
        raise ExistingGenerationError(
            f"{path} holds task {record.task_id}, accepted but not collected: run `compose generate {path} "
            "--resume` to collect it (--force sends a new, paid task)")
    if step == "refuse":
        killed = "a run stopped while its create request was in flight: " if record.status == "submitting" else ""
        raise ExistingGenerationError(
            f"{path}: {killed}an earlier request may have been accepted; check the provider's dashboard, then pass "
            "--force to send a new one")
    existing = [out_dir / f for f in record.files if (out_dir / f).exists()]
    if step == "skip" and existing:
        raise ExistingGenerationError(
            f"{existing[0]} holds an earlier generation: pass --force to replace it, or --name/--out to keep both")


@contextlib.contextmanager
def locked(record: Path) -> Iterator[None]:
    """Hold the shot's record for one run: a second run on the same shot is refused in one line."""
    lock = FileLock(record.with_name(f".{record.name}.lock"), "another generation", remove=True)
    try:
        lock.acquire()
    except Busy as busy:
        raise ExistingGenerationError(f"{record} is in use by {busy.holder}; wait for it to finish (or stop it) "
                                      "and run again") from None
    try:
        remove_leftovers(record.parent, [record.name[: -len(RECORD_SUFFIX)]])
        yield
    finally:
        lock.release()


def _raise_or_return(ending: Ending) -> GenerationResult:
    if ending.result is not None:
        return ending.result
    assert ending.stop is not None and ending.stop.error is not None, "an ending is a result or an error"
    error = ending.stop.error
    error.args = (ending.stop.message,)  # one line: what happened and what to do; the record holds the rest
    raise error


def _policy(settings: GenerateSettings | None) -> Lifecycle:
    if settings is None:
        return DEFAULT_LIFECYCLE
    return Lifecycle(inspect=settings.inspect, submit_grace=settings.submit_grace, deadline=settings.deadline)


async def run_job(
    backend: Backend, job: Job, out_dir: Path, stem: str, *, brief_file: Path | None = None,
    progress: Progress = no_progress, policy: Lifecycle = DEFAULT_LIFECYCLE,
) -> GenerationResult:
    """Write the record, submit, save the task id, collect, record the result (or the failure)."""
    backend.validate(job)
    store = RecordStore(record_path(out_dir, stem), new_record(job, backend, brief_file))
    store.save()
    return _raise_or_return(await drive(backend, store, out_dir, stem, job=job, policy=policy, progress=progress))


async def resume_record(
    backend: Backend, path: Path, *, force: bool = False, progress: Progress = no_progress,
    policy: Lifecycle = DEFAULT_LIFECYCLE,
) -> GenerationResult:
    """Continue the generation a record describes: collect an accepted task (never create it again),
    or send a job that was never accepted. A succeeded record with its files is returned as is."""
    record = load_record(path)
    out_dir, stem = path.parent, path.name[: -len(RECORD_SUFFIX)]
    if _complete(record, out_dir):
        return record.result(out_dir)
    store = RecordStore(path, record)
    submission = record.submission_value()
    step = next_step(record.phase, has_task=record.task_id is not None, resend=FORCE if force else Resend())
    if submission is not None and (step == "collect" or record.status == "succeeded"):
        # Accepted (or succeeded with its files gone): collect it again, never create it again.
        progress(ProgressEvent("poll", f"resuming task {record.task_id}", task_id=record.task_id))
        return _raise_or_return(await drive(backend, store, out_dir, stem, submission=submission, policy=policy,
                                            progress=progress))
    if record.status == "failed" and record.task_id and record.error:
        raise GenerationError(f"{path}: task {record.task_id} failed ({record.error.message}); "
                              "edit the brief and send it again")
    if step == "refuse":
        raise ExistingGenerationError(
            f"{path}: the earlier request may have been accepted; check the provider's dashboard, then add "
            "--force to send it again")
    job = Job.from_json(record.job)
    backend.validate(job)
    return _raise_or_return(await drive(backend, store, out_dir, stem, job=job, policy=policy, progress=progress))


# -- sync entry points (the CLI and the TUI) -------------------------------------------------------
def _run(name: str, settings: GenerateSettings, library_root: Path | None,
         work: Callable[[Backend], Awaitable[T]]) -> T:
    """Build the backend on a fresh event loop, run ``work`` with it, close it."""
    api_key(name, settings.config)  # a missing key is reported before anything is written

    async def main() -> T:
        backend = make_backend(name, settings.config, poll=settings.poll, retry=settings.retry,
                               library_root=library_root)
        async with backend:
            return await work(backend)

    return asyncio.run(main())


def generate_brief(brief: Brief, library: Library, settings: GenerateSettings, *,
                   progress: Progress = no_progress) -> Outcome:
    """``compose shot --generate``: check, export the prompt files, write the record, generate."""
    job = job_from_brief(brief, library, settings)
    out_dir = settings.out_dir or DEFAULT_OUT_DIR
    stem = settings.stem or brief.slug
    record = record_path(out_dir, stem)
    api_key(job.backend, settings.config)  # a missing key is reported before anything is written
    with locked(record):
        check_existing(out_dir, stem, force=settings.force)
        written = export_prompt_files(brief, out_dir, options=job.options.sent())
        brief_file = next(p for p in written if p.suffix == ".json")
        result = _run(job.backend, settings, library.root,
                      lambda b: run_job(b, job, out_dir, stem, brief_file=brief_file, progress=progress,
                                        policy=_policy(settings)))
    return Outcome(result=result, record=record, written=[*written, record, *result.files],
                   warnings=list(result.warnings))


def generate_brief_file(path: Path, library: Library, settings: GenerateSettings, *, resume: bool = False,
                        progress: Progress = no_progress) -> Outcome:
    """``compose generate BRIEF.json`` (send it unchanged) or ``--resume`` (continue its record)."""
    out_dir = settings.out_dir or path.parent
    is_record = path.name.endswith(RECORD_SUFFIX)
    stem = settings.stem or (path.name[: -len(RECORD_SUFFIX)] if is_record else path.stem)
    record = path if is_record else record_path(out_dir, stem)
    if resume:
        return _resume(record, library, settings, progress)
    if is_record:
        raise OptionError(f"{path} is a generation record: add --resume to continue it, or pass the brief (.json)")
    job, warnings = job_from_brief_file(path, library, settings)
    api_key(job.backend, settings.config)
    with locked(record):
        check_existing(out_dir, stem, force=settings.force)
        result = _run(job.backend, settings, library.root,
                      lambda b: run_job(b, job, out_dir, stem, brief_file=path, progress=progress,
                                        policy=_policy(settings)))
    return Outcome(result=result, record=record, written=[record, *result.files],
                   warnings=[*warnings, *result.warnings])


def _resume(record: Path, library: Library, settings: GenerateSettings, progress: Progress) -> Outcome:
    loaded = load_record(record)
    if _complete(loaded, record.parent):
        return Outcome(result=loaded.result(record.parent), record=record, already_complete=True)
    api_key(loaded.backend, settings.config)
    with locked(record):
        result = _run(loaded.backend, settings, library.root,
                      lambda b: resume_record(b, record, force=settings.force, progress=progress,
                                              policy=_policy(settings)))
    return Outcome(result=result, record=record, written=[record, *result.files], warnings=list(result.warnings))


def interrupted_hint(path: Path) -> str | None:
    """What to tell a user who pressed Ctrl-C, from the record the interrupt left behind."""
    try:
        record = load_record(path)
    except ComposerError:
        return None
    if record.task_id and record.status != "succeeded":
        return f"task {record.task_id} is saved in {path}: `compose generate {path} --resume` collects it"
    if record.phase in ("uncertain", "submitting"):
        return (f"the request may have been accepted; it is saved in {path} (check the provider's dashboard "
                "before sending it again)")
    return None


def estimate(job: Job, library_root: Path | None = None) -> Cost:
    """What ``job`` would cost by the price table (bundled, or the library's override); sends nothing."""
    return PriceTable.load(library_root).estimate(job)


def credits(settings: GenerateSettings, library_root: Path | None = None) -> Credits:
    """The KIE balance."""
    async def read(backend: Backend) -> Credits:
        return await backend.credits()

    return _run("kie", settings, library_root, read)
