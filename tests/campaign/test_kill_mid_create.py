"""Issue 14.7: a campaign killed with SIGKILL while creates are in flight says exactly which shots to check."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from campaign_support import SMALL, assert_each_shot_done_once, write
from fakes.fixtures import FAST_ENV, kill_when
from fakes.kie import FakeKie, Reply

from composer.campaign.ledger import Ledger
from composer.campaign.status import read_status, status_text

POLL = "initial=0.01,later=0.02,switch_after=1,deadline=120,max_rate=none"


def test_sigkill_mid_create_names_the_shots_to_check_and_pays_for_none_twice(tmp_path: Path,
                                                                            mini_library: Path) -> None:
    campaign = write(tmp_path / "campaign.yaml", SMALL)
    out = tmp_path / "out"
    with FakeKie(polls_to_finish=1) as fake:
        fake.script("createTask", *[Reply(delay=1.0, serve=True)] * 3)  # KIE accepts them after the kill
        env = {**os.environ, **fake.env(), **FAST_ENV, "COMPOSER_POLL": POLL}
        command = [sys.executable, "-m", "composer.cli", "campaign", "run", str(campaign), "--library",
                   str(mini_library), "--out", str(out), "--concurrency", "3"]
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        kill_when(first, lambda: fake.calls["createTask"] == 3, "three creates in flight")
        (out / "images").mkdir(exist_ok=True)
        (out / "images" / ".leftover-download.0badf00d.tmp").write_bytes(b"half")  # what a killed download leaves
        with Ledger(out, create=False) as ledger:
            in_flight = sorted(e.id for e in ledger.entries().values() if e.state == "submitting")
        assert len(in_flight) == 3
        text = status_text(read_status(out))
        for shot_id in in_flight:
            assert f"{shot_id} [submitting]: the run stopped while its create request (sent " in text
        assert "check its dashboard for this shot" in text

        time.sleep(1.2)  # the creates the killed run sent are accepted, and billed, on KIE's side
        second = subprocess.run(command, env=env, capture_output=True, timeout=60)
        assert second.returncode == 1, second.stderr.decode()
        assert "3 uncertain" in second.stderr.decode()
        status = read_status(out)
        assert sorted(e.id for e in status.entries if e.state == "uncertain") == in_flight
        assert status.states["done"] == 9
        assert fake.calls["createTask"] == 12  # 3 lost replies were not sent again
        assert not list((out / "images").glob(".*.tmp"))


def test_sigkill_mid_download_leaves_no_temp_file_after_the_rerun(tmp_path: Path, mini_library: Path) -> None:
    campaign = write(tmp_path / "campaign.yaml", SMALL)
    out = tmp_path / "out"
    with FakeKie(polls_to_finish=1) as fake:
        fake.script("download", Reply(body=b"\x89PNG\r\n\x1a\n" + b"x" * 5000, content_type="image/png", trickle=0.01))
        env = {**os.environ, **fake.env(), **FAST_ENV, "COMPOSER_POLL": POLL}
        command = [sys.executable, "-m", "composer.cli", "campaign", "run", str(campaign), "--library",
                   str(mini_library), "--out", str(out), "--concurrency", "1"]
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        kill_when(first, lambda: any((out / "images").glob(".*.tmp")), "a download half written")
        assert list((out / "images").glob(".*.tmp"))  # what a SIGKILL mid-download leaves
        second = subprocess.run(command, env=env, capture_output=True, timeout=60)
        assert second.returncode == 0, second.stderr.decode()
        assert not list((out / "images").glob(".*.tmp"))
        assert_each_shot_done_once(out, fake, 12)
