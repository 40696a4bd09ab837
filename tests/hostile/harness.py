"""Run ``compose`` in a child process bounded in memory (RLIMIT_AS) and time, and check its refusal.

Each hostile case must end the same way: a non-zero exit, exactly one ``Error:`` line naming the
file, no traceback, no file written, inside ``MEMORY_LIMIT`` of address space and ``TIME_LIMIT``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 512 * 1024 * 1024
"""Address space of the child (Python, composer and its libraries take about 150 MB of it)."""
TIME_LIMIT = 60.0
"""Seconds before the child is killed: a bound against hangs (a FIFO, a bomb), not a speed test."""


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_bounded(args: list[str], *, cwd: Path, code: str | None = None) -> Run:
    """``compose *args`` (or ``python -c code``) under the memory and time limits."""
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "composer.cli", *args]
    env = {**os.environ, "MALLOC_ARENA_MAX": "2", "COLUMNS": "200"}  # threads' malloc arenas count as address space
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIME_LIMIT, env=env,
                            preexec_fn=_limit_memory, check=False)
    return Run(result.returncode, result.stdout, result.stderr)


def assert_refused(run: Run, *expected: str) -> str:
    """Exit 1, one ``Error:`` line on stderr containing every ``expected`` text, no traceback; the line."""
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("Error: "), run.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    assert run.code == 1, (run.code, run.stderr)
    return lines[0]


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")} if folder.exists() else set()
