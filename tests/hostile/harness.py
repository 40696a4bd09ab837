"""Run hostile cases through ``compose`` in a child process bounded in memory and time, and check them.

Each case must end the same way: a non-zero exit, exactly one ``Error:`` line naming the file, no
traceback, no file written, inside ``MEMORY_LIMIT`` of address space (``resource.setrlimit``) and
``TIME_LIMIT``. A class's cases run in one child (the CLI invoked in-process once per case), so a
class costs one interpreter start, not one per case; the bound holds for every case in it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT = 512 * 1024 * 1024
"""Address space of the child (Python, composer and its libraries take about 150 MB of it)."""
TIME_LIMIT = 120.0
"""Seconds before the child is killed: a bound against hangs (a FIFO, a bomb), not a speed test."""

_CHILD = """
import json, os, resource, sys, time
from click.testing import CliRunner
from composer.cli import main
results = {}
for name, (cwd, args) in json.loads(sys.stdin.read()).items():
    os.chdir(cwd)
    start = time.monotonic()
    result = CliRunner().invoke(main, args)
    crash = result.exception if not isinstance(result.exception, SystemExit | None) else None
    results[name] = {"code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr,
                     "crash": repr(crash) if crash else None, "seconds": time.monotonic() - start}
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"results": results, "peak_kb": peak}))
"""


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    crash: str | None = None
    """An exception that escaped the CLI (a traceback in a real run)."""
    seconds: float = 0.0


@dataclass(frozen=True)
class Batch:
    runs: dict[str, Run]
    peak_kb: int
    """The child's peak resident memory over every case."""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _child(command: list[str], stdin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}  # each thread's malloc arena would count as address space
    return subprocess.run(command, input=stdin, cwd=cwd, capture_output=True, text=True, timeout=TIME_LIMIT,
                          env=env, preexec_fn=_limit_memory, check=False)


def run_cases(cases: dict[str, tuple[Path, list[str]]]) -> Batch:
    """Run each case's ``compose`` arguments (from its working directory) in one bounded child."""
    stdin = json.dumps({name: (str(cwd), args) for name, (cwd, args) in cases.items()})
    done = _child([sys.executable, "-c", _CHILD], stdin, Path.cwd())
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Batch({name: Run(**run) for name, run in data["results"].items()}, data["peak_kb"])


def run_bounded(args: list[str], *, cwd: Path, code: str | None = None) -> Run:
    """One ``compose *args`` (or ``python -c code *args``) as its own bounded process."""
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "composer.cli", *args]
    done = _child(command, "", cwd)
    return Run(done.returncode, done.stdout, done.stderr)


def assert_refused(run: Run, *expected: str) -> str:
    """Exit 1, one ``Error:`` line on stderr containing every ``expected`` text, no traceback; the line."""
    assert run.crash is None, run.crash
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("Error: "), run.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    assert run.code == 1, (run.code, run.stderr)
    return lines[0]


def assert_reported(run: Run, *expected: str) -> str:
    """``compose validate``: exit 1, every ``expected`` text in its report, no traceback."""
    output = run.stdout + run.stderr
    assert run.crash is None, run.crash
    assert "Traceback" not in output and "internal error" not in output, output
    assert run.code == 1, output
    for text in expected:
        assert text in output, output
    return output


def shot_args(root: Path, out: Path, *extra: str) -> list[str]:
    """``compose shot`` on the mini library (ada at the harbour unless a shot file is given)."""
    args = ["shot", "--library", str(root), "--out", str(out)]
    return [*args, *([] if "--shot" in extra else ["-c", "ada", "-s", "harbour"]), *extra]


def files_under(folder: Path) -> set[Path]:
    return set(folder.rglob("*")) if folder.exists() else set()
