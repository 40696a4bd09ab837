"""Composing a big campaign on every core: the shots split into chunks, each chunk in a forked worker.

Composing (render, guard, count tokens, lint) is pure CPU per shot and shares nothing between
shots, so it parallelises perfectly; a 10,000-shot export otherwise spends most of its time on one
core. The workers are forked from this process, so they start with its library caches, templates
and tokenizer already loaded, and receive only chunk numbers: the shots and the planner are
inherited, never pickled. Each worker composes its chunk, writes the chunk's prompt files itself,
and sends back only each shot's ``PlanRow`` without its shot (which this process already holds),
or why the shot could not be composed. Sending the files' text back for this process to write, as
an earlier version did, cost a pickle, a pipe copy and an unpickle per file; with each row's
pydantic shot pickled back too, a quarter of the export's CPU went on transport.

Small campaigns, platforms other than Linux, and processes with other threads running (forking
those is unsafe) are planned in this process instead, exactly as ``Planner.stream`` does.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, fields
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from composer.campaign.expand import Expansion, Shot
from composer.campaign.plan import Planner, PlanRow, compose_failures
from composer.campaign.writer import FileWriter, writer_for
from composer.compose import Brief

BriefFiles = Callable[[Brief], dict[Path, str]]
"""The files to write for a brief (``{}`` to write none)."""

PARALLEL_MIN_SHOTS = 400
"""Below this, forking workers costs more than it saves."""
CHUNK = 50


@dataclass(frozen=True)
class _Job:
    shots: list[Shot]
    planner: Planner
    files: BriefFiles | None
    stop: Event
    """Set when the export fails or is interrupted, so the workers
    skip the chunks still queued instead of being killed halfway through writing a file."""


_job: _Job | None = None
"""What forked workers inherit: set just before the pool forks, cleared after."""


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def can_fork() -> bool:
    """Linux only (macOS has ``fork`` but system libraries there are not fork-safe), no other threads."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def plan_rows(expansion: Expansion, planner: Planner, files: BriefFiles | None = None, *,
              workers: int | None = None) -> list[PlanRow]:
    """Every shot's row, in campaign order, its ``files`` written; every shot that fails is reported together."""
    shots = expansion.shots
    workers = default_workers() if workers is None else workers
    if workers > 1 and len(shots) >= PARALLEL_MIN_SHOTS and can_fork():
        rows, failures = _in_workers(shots, planner, files, workers)
    else:
        rows, failures = _in_process(shots, planner, files)
    if failures:
        raise compose_failures(expansion.source.path, failures)
    return rows


Outcome = tuple[list[PlanRow], dict[str, list[str]]]
Sink = Callable[[dict[Path, str]], None]


def _chunk(shots: list[Shot], planner: Planner, files: BriefFiles | None, sink: Sink) -> Outcome:
    rows: list[PlanRow] = []
    failures: dict[str, list[str]] = defaultdict(list)
    for shot in shots:
        outcome = planner.attempt(shot)
        if isinstance(outcome, str):
            failures[outcome].append(shot.id)
            continue
        row, brief = outcome
        if files is not None:
            sink(files(brief))
        rows.append(row)
    return rows, dict(failures)


def _in_process(shots: list[Shot], planner: Planner, files: BriefFiles | None) -> Outcome:
    with writer_for(3 * len(shots)) if files else FileWriter() as writer:
        return _chunk(shots, planner, files, writer.write)


_ROW_FIELDS = tuple(f.name for f in fields(PlanRow) if f.name != "shot")
Detached = tuple[int, tuple[Any, ...]]
"""A row as a worker sends it: the shot's position in the campaign, and every other field's value."""


def _worker(index: int) -> tuple[list[Detached], dict[str, list[str]]]:
    """Compose chunk ``index`` and write its files; return its rows without their shots."""
    assert _job is not None, "campaign workers must be forked by plan_rows"
    if _job.stop.is_set():
        return [], {}
    start = index * CHUNK
    chunk = _job.shots[start : start + CHUNK]
    rows, failures = _chunk(chunk, _job.planner, _job.files, FileWriter().write)
    positions = {shot.id: start + offset for offset, shot in enumerate(chunk)}
    return [(positions[row.id], tuple(getattr(row, name) for name in _ROW_FIELDS)) for row in rows], failures


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group: only this process handles it (see ``_Job.stop``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _in_workers(shots: list[Shot], planner: Planner, files: BriefFiles | None, workers: int) -> Outcome:
    global _job
    context = multiprocessing.get_context("fork")
    _job = _Job(shots, planner, files, context.Event())
    rows: list[PlanRow] = []
    failures: dict[str, list[str]] = defaultdict(list)
    pool = context.Pool(workers, initializer=_ignore_interrupts)
    try:
        for part_rows, part_failures in pool.imap(_worker, range(-(-len(shots) // CHUNK))):
            rows += [PlanRow(shots[at], **dict(zip(_ROW_FIELDS, values, strict=True))) for at, values in part_rows]
            for reason, ids in part_failures.items():
                failures[reason] += ids
    except BaseException:
        _job.stop.set()  # the workers finish the file they are writing, and the chunk it is in
        raise
    finally:
        pool.close()
        pool.join()
        _job = None
    return rows, dict(failures)
