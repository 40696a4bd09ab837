"""Issue 14.4 and 14.5: real processes of `compose shot --generate`, killed or run twice at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from fakes.fixtures import FAST_ENV, kill_when
from fakes.kie import FakeKie, Reply

from composer.cli import main

SLUG = "red-curls--castle"


def shot_command(library: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "composer.cli", "shot", "--character", "red-curls", "--scene", "castle",
            "--generate", "--out", str(out), "--library", str(library)]


def wait_for(reached: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while not reached():
        assert process.poll() is None, process.communicate()[1].decode()
        assert time.monotonic() < deadline, f"never reached: {what}"
        time.sleep(0.01)


def test_sigkill_during_create_leaves_the_shot_to_check_not_to_resend(fake_kie: FakeKie, example_library: Path,
                                                                     tmp_path: Path) -> None:
    fake_kie.script("createTask", Reply(delay=1.0, serve=True))  # KIE creates the task after the kill
    env = {**os.environ, **FAST_ENV, **fake_kie.env()}
    first = subprocess.Popen(shot_command(example_library, tmp_path), env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    kill_when(first, lambda: fake_kie.calls["createTask"] == 1, "the create request")
    rec = json.loads((tmp_path / f"{SLUG}.generation.json").read_text(encoding="utf-8"))
    assert rec["status"] == "submitting"  # written, durably, before the create request left
    time.sleep(1.2)  # the fake finishes the create the killed process sent: a paid task nobody has
    assert len(fake_kie.tasks) == 1
    again = CliRunner().invoke(main, shot_command(example_library, tmp_path)[3:], env={**FAST_ENV, **fake_kie.env()})
    assert again.exit_code == 1
    assert ("a run stopped while its create request was in flight: an earlier request may have been accepted"
            in again.stderr.strip().splitlines()[-1])
    assert fake_kie.calls["createTask"] == 1


def test_a_second_run_on_the_same_shot_is_refused_while_the_first_runs(fake_kie: FakeKie, example_library: Path,
                                                                        tmp_path: Path) -> None:
    fake_kie.script("createTask", Reply(delay=1.0, serve=True))
    env = {**os.environ, **FAST_ENV, **fake_kie.env()}
    first = subprocess.Popen(shot_command(example_library, tmp_path), env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        wait_for(lambda: fake_kie.calls["createTask"] == 1, first, "the create request")
        second = CliRunner().invoke(main, shot_command(example_library, tmp_path)[3:],
                                    env={**FAST_ENV, **fake_kie.env()})
        assert second.exit_code == 1
        assert second.stderr.strip().splitlines()[-1] == (
            f"Error: {tmp_path / SLUG}.generation.json is in use by another generation (pid {first.pid}); "
            "wait for it to finish (or stop it) and run again")
        _, err = first.communicate(timeout=30)
        assert first.returncode == 0, err.decode()
    finally:
        if first.poll() is None:
            first.kill()
    assert fake_kie.calls["createTask"] == 1 and len(fake_kie.tasks) == 1
    assert not list(tmp_path.glob(".*.lock"))  # the lock leaves no file behind


def test_a_run_sweeps_the_temp_files_a_killed_run_of_the_same_shot_left(fake_kie: FakeKie, example_library: Path,
                                                                        tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    mine = [tmp_path / f".{SLUG}.0badf00d.tmp", tmp_path / f".{SLUG}.generation.json.12345678.tmp",
            tmp_path / f".{SLUG}-2.deadbeef.part"]
    others = [tmp_path / ".other-shot.0badf00d.tmp", tmp_path / f".{SLUG}.notes.txt"]
    for path in (*mine, *others):
        path.write_bytes(b"half a download")
    result = CliRunner().invoke(main, shot_command(example_library, tmp_path)[3:], env={**FAST_ENV, **fake_kie.env()})
    assert result.exit_code == 0, result.stderr
    assert not any(path.exists() for path in mine)
    assert all(path.exists() for path in others)  # another shot's (it may be running) and not ours to judge
