"""Issue 14.6: a full disk during a campaign stops new tasks, keeps what can be kept, and the rerun resumes."""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from campaign_support import FAST, assert_each_shot_done_once, run
from fakes.kie import FakeKie

from composer.backends import download
from composer.campaign.ledger import Ledger
from composer.campaign.run import RunSettings, incomplete


class Disk:
    """Downloads fail with ENOSPC once ``full`` (the ledger is assumed to have had room)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fill_after: int) -> None:
        self.saved = 0
        self.fill_after = fill_after
        self.freed = False
        real = download.writing

        @contextlib.contextmanager
        def writing(target: Path, *, durable: bool) -> Iterator[Any]:
            if not self.freed and self.saved >= self.fill_after:
                raise OSError(errno.ENOSPC, "No space left on device")
            with real(target, durable=durable) as staged:
                yield staged
            self.saved += 1

        monkeypatch.setattr(download, "writing", writing)


def test_a_full_disk_stops_new_tasks_and_the_rerun_collects_the_rest(small_campaign: Path, mini_library: Path,
                                                                     tmp_path: Path, fake_kie: FakeKie,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    disk = Disk(monkeypatch, fill_after=4)
    out = tmp_path / "out"
    stats = run(small_campaign, mini_library, out, fake_kie, RunSettings(concurrency=2, attempts=1,
                                                                        retry_delay=0.01))
    assert stats.done == 4 and stats.no_space and stats.not_started > 0  # it stopped starting tasks
    error = incomplete(stats, out)
    assert error is not None and str(error) == (
        f"no space left on {out}: {stats.to_collect} shot(s) still to collect, {stats.not_started} not started; "
        "free space and run again")
    with Ledger(out, create=False) as ledger:
        states = [e.state for e in ledger.entries().values()]
    assert states.count("submitted") == stats.to_collect >= 1 and "failed" not in states
    disk.freed = True
    again = run(small_campaign, mini_library, out, fake_kie, FAST)
    assert again.done == 12 - 4
    assert_each_shot_done_once(out, fake_kie, 12)  # nothing paid twice


def test_a_ledger_that_cannot_be_written_is_not_an_internal_error(small_campaign: Path, mini_library: Path,
                                                                  tmp_path: Path, fake_kie: FakeKie,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    real_done = Ledger.done
    calls = {"n": 0}

    def full_once(self: Ledger, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise sqlite3.OperationalError("database or disk is full")
        real_done(self, *args, **kwargs)

    monkeypatch.setattr(Ledger, "done", full_once)
    out = tmp_path / "out"
    stats = run(small_campaign, mini_library, out, fake_kie, RunSettings(concurrency=1, retry_delay=0.01))
    assert stats.no_space and stats.done == 2  # no ExceptionGroup: one shot could not be recorded, then it stopped
    error = incomplete(stats, out)
    assert error is not None and str(error).startswith(f"no space left on {out}: 1 shot(s) still to collect")
    monkeypatch.setattr(Ledger, "done", real_done)
    run(small_campaign, mini_library, out, fake_kie, FAST)
    assert_each_shot_done_once(out, fake_kie, 12)
