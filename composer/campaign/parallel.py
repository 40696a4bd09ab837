"""Composing a big campaign on every core: the shots split into chunks, each chunk in a forked worker.

Composing (render, guard, count tokens, lint) is pure CPU per shot and shares nothing between
shots, so it parallelises perfectly; a 10,000-shot export otherwise spends most of its time on one
core. The workers are forked from this process, so they start with its library caches, templates
and tokenizer already loaded, and receive only chunk numbers: the shots and the planner are
inherited, never pickled. Each worker composes its chunk and sends back, in order, the small
``PlanRow`` of each shot (or why it could not be composed) and the text of its prompt files, which
this process writes while the workers compose the next chunks.

Small campaigns, platforms other than Linux, and processes with other threads running (forking
those is unsafe) are planned in this process instead, exactly as ``Planner.stream`` does.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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


def _worker(index: int) -> tuple[Outcome, list[dict[Path, str]]]:
    """Compose one chunk; its files go back to the parent, the one process that writes them (several
    processes creating files in one folder queue up on the folder's lock)."""
    assert _job is not None, "campaign workers must be forked by plan_rows"
    written: list[dict[Path, str]] = []
    outcome = _chunk(_job.shots[index * CHUNK : (index + 1) * CHUNK], _job.planner, _job.files, written.append)
    return outcome, written


def _in_workers(shots: list[Shot], planner: Planner, files: BriefFiles | None, workers: int) -> Outcome:
    global _job
    _job = _Job(shots, planner, files)
    rows: list[PlanRow] = []
    failures: dict[str, list[str]] = defaultdict(list)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool, FileWriter() as writer:
            for (part_rows, part_failures), written in pool.imap(_worker, range(-(-len(shots) // CHUNK))):
                for batch in written:  # the workers compose the next chunks meanwhile
                    writer.write(batch)
                rows += part_rows
                for reason, ids in part_failures.items():
                    failures[reason] += ids
    finally:
        _job = None
    return rows, dict(failures)
