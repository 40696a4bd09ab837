"""Issue 14.7: a campaign killed with SIGKILL while creates are in flight says exactly which shots to check."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from campaign_support import SMALL, write
from fakes.fixtures import FAST_ENV
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
        try:
            deadline = time.monotonic() + 30
            while fake.calls["createTask"] < 3:
                assert first.poll() is None and time.monotonic() < deadline
                time.sleep(0.01)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
            first.communicate()
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
