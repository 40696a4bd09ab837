"""A real SIGKILL of `compose campaign run` mid-run, then a second run: nothing lost, nothing paid twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from campaign_support import SMALL, assert_each_shot_done_once, write
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie

from composer.campaign.status import read_status

POLL = "initial=0.01,later=0.02,switch_after=1,deadline=120,max_rate=none"


def ledger_states(out: Path) -> Counter[str]:
    path = out / "ledger.sqlite"
    if not path.is_file():
        return Counter()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return Counter(dict(db.execute("SELECT state, COUNT(*) FROM shots GROUP BY state").fetchall()))
    except sqlite3.OperationalError:  # the schema is still being created
        return Counter()
    finally:
        db.close()


def test_sigkill_mid_run_then_resume_finishes_every_shot_exactly_once(tmp_path: Path, mini_library: Path) -> None:
    campaign = write(tmp_path / "campaign.yaml", SMALL)
    out = tmp_path / "out"
    with FakeKie(polls_to_finish=1) as fake:
        # The first four tasks finish; the next four hang, so four workers end up polling four submitted
        # tasks with no create request in flight: the moment to kill.
        fake.outcome("success", times=4)
        fake.outcome("hang", times=4)
        env = {**os.environ, **fake.env(), **FAST_ENV, "COMPOSER_POLL": POLL}
        command = [sys.executable, "-m", "composer.cli", "campaign", "run", str(campaign), "--library",
                   str(mini_library), "--out", str(out), "--concurrency", "4"]
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while not (ledger_states(out)["done"] == 4 and ledger_states(out)["submitted"] == 4
                       and fake.calls["createTask"] == 8):
                assert first.poll() is None, first.communicate()[1].decode()
                assert time.monotonic() < deadline, f"run never reached the kill point: {ledger_states(out)}"
                time.sleep(0.02)
            assert (read_status(out).running or "").startswith("a campaign run (pid")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
            first.communicate()
        assert first.returncode == -signal.SIGKILL
        states = ledger_states(out)
        assert (states["done"], states["submitted"], states["composed"]) == (4, 4, 4)
        submitted = [task_id for task_id, task in fake.tasks.items() if task.outcome == "hang"]
        polls = {task_id: fake.tasks[task_id].polls for task_id in submitted}

        for task in fake.tasks.values():  # the provider finishes the tasks the killed run was polling
            task.outcome = "success"
        second = subprocess.run(command, env=env, capture_output=True, timeout=60)
        assert second.returncode == 0, second.stderr.decode()

        assert_each_shot_done_once(out, fake, 12)
        assert fake.calls["createTask"] == 12  # 8 before the kill, 4 after: no task created twice
        assert all(fake.tasks[t].polls > polls[t] for t in submitted)  # the second run polled them
        assert read_status(out).running is None
        assert "4 already done" in second.stderr.decode()


def test_ctrl_c_mid_create_keeps_the_task_ids(tmp_path: Path, mini_library: Path) -> None:
    """SIGINT while create requests are in flight: the run waits for their replies, records the task
    ids, and exits 130; nothing is left uncertain and the next run only collects."""
    campaign = write(tmp_path / "campaign.yaml", SMALL)
    out = tmp_path / "out"
    with FakeKie(polls_to_finish=1, latency=0.5) as fake:
        original = fake._createTask

        def slow_create(request: object) -> None:
            time.sleep(0.5)
            original(request)  # type: ignore[arg-type]

        fake._createTask = slow_create  # type: ignore[method-assign]
        env = {**os.environ, **fake.env(), **FAST_ENV, "COMPOSER_POLL": POLL}
        command = [sys.executable, "-m", "composer.cli", "campaign", "run", str(campaign), "--library",
                   str(mini_library), "--out", str(out), "--concurrency", "3"]
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while fake.calls["createTask"] < 3:
                assert first.poll() is None and time.monotonic() < deadline
                time.sleep(0.01)
            assert not fake.tasks  # three creates in flight, none answered
            first.send_signal(signal.SIGINT)
            _, err = first.communicate(timeout=20)
        finally:
            if first.poll() is None:
                first.kill()
        assert first.returncode == 130, err.decode()
        assert "Interrupted." in err.decode()
        states = ledger_states(out)
        assert states["submitted"] == len(fake.tasks) == 3
        assert states["uncertain"] == states["submitting"] == 0
        fake._createTask = original  # type: ignore[method-assign]
        second = subprocess.run(command, env=env, capture_output=True, timeout=60)
        assert second.returncode == 0, second.stderr.decode()
        assert_each_shot_done_once(out, fake, 12)
