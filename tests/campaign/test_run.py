"""Campaign runs against the fake KIE server: ledger, resume, budget, stale, lock, failures."""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from campaign_support import (
    FAST,
    SMALL,
    assert_each_shot_done_once,
    expansion_of,
    factory,
    planner_for,
    run,
    write,
)
from fakes.fixtures import FAST_POLL, FAST_RETRY
from fakes.kie import FakeKie, Reply

from composer.backends import make_backend
from composer.campaign import LedgerError
from composer.campaign.expand import legacy_shot_id
from composer.campaign.ledger import FolderLock, Ledger
from composer.campaign.run import RunSettings, RunStats, incomplete, run_campaign
from composer.campaign.sheet import make_sheets
from composer.campaign.status import read_status, recheck, status_text


def test_a_run_generates_every_shot_once(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                         fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    stats = run(small_campaign, mini_library, out, fake_kie)
    assert (stats.total, stats.done, stats.failed, stats.not_started) == (12, 12, 0, 0)
    assert incomplete(stats, out) is None
    assert_each_shot_done_once(out, fake_kie, 12)
    assert stats.credits == 12 * 12
    # The prompts sent are the exported briefs, byte for byte.
    sent = {body["input"]["prompt"] for body in fake_kie.requests}
    assert sent == {p.read_text(encoding="utf-8") for p in (out / "briefs").glob("*.txt")}
    assert (out / "manifest.csv").is_file() and (out / "index.md").is_file()
    # Ada's frame was uploaded once and reused by every image-to-image task.
    assert fake_kie.calls["upload"] == 1
    # A second run has nothing to do and sends nothing.
    calls = sum(fake_kie.calls.values())
    again = run(small_campaign, mini_library, out, fake_kie)
    assert (again.total, again.skipped) == (0, 12)
    assert sum(fake_kie.calls.values()) == calls


def test_concurrency_is_bounded(small_campaign: Path, mini_library: Path, tmp_path: Path) -> None:
    with FakeKie(latency=0.05, polls_to_finish=1) as fake:
        out = tmp_path / "out"
        seen: list[int] = []
        stats = run_campaign(expansion_of(small_campaign, mini_library), planner_for(mini_library), out,
                             factory(fake), RunSettings(concurrency=3, retry_delay=0.01),
                             on_update=lambda s: seen.append(s.running))
        assert stats.done == 12
        assert max(seen) == 3


def test_the_budget_stops_new_tasks(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                    fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    stats = run(small_campaign, mini_library, out, fake_kie, RunSettings(concurrency=2, budget_credits=50,
                                                                        retry_delay=0.01))
    assert stats.done == 4 and stats.not_started == 8  # 4 x 12 = 48 credits; a fifth would make 60
    assert len(fake_kie.tasks) == 4
    assert "budget of 50 credits would be exceeded" in (stats.stop_reason or "")
    error = incomplete(stats, out)
    assert error is not None and "8 not started" in str(error)
    # The budget counts what this folder has spent across runs.
    with pytest.raises(Exception, match="48 of the 50-credit budget are already spent"):
        run(small_campaign, mini_library, out, fake_kie, RunSettings(budget_credits=50, retry_delay=0.01))
    rest = run(small_campaign, mini_library, out, fake_kie, RunSettings(budget_credits=200, retry_delay=0.01))
    assert rest.done == 8 and rest.skipped == 4
    assert_each_shot_done_once(out, fake_kie, 12)


def test_a_budget_below_one_image_sends_nothing(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                                fake_kie: FakeKie) -> None:
    with pytest.raises(Exception, match="below the price of one image"):
        run(small_campaign, mini_library, tmp_path / "out", fake_kie, RunSettings(budget_credits=11))
    assert sum(fake_kie.calls.values()) == 0


def run_with_hanging_tasks(campaign: Path, library: Path, out: Path, fake_kie: FakeKie, hanging: int) -> RunStats:
    """A run whose first ``hanging`` tasks never finish before its poll deadline: they stay submitted."""
    fake_kie.outcome("hang", times=hanging)
    short = make_backend("kie", fake_kie.settings(), poll=FAST_POLL.__class__(initial=0.005, deadline=0.2,
                                                                             max_rate=None), retry=FAST_RETRY)
    return run_campaign(expansion_of(campaign, library), planner_for(library), out, lambda name: short,
                        RunSettings(concurrency=4, attempts=1, retry_delay=0.01))


def test_submitted_tasks_are_collected_not_recreated(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                                     fake_kie: FakeKie) -> None:
    """A run that stopped while polling (the tasks hang until its deadline) leaves them submitted; the next
    run polls those task ids and creates only the shots never sent."""
    out = tmp_path / "out"
    stats = run_with_hanging_tasks(small_campaign, mini_library, out, fake_kie, hanging=4)
    assert stats.done == 8 and stats.failed == 4
    with Ledger(out, create=False) as ledger:
        hung = {e.id: e.task_id for e in ledger.entries().values() if e.state == "submitted"}
    assert len(hung) == 4 and all(hung.values())
    assert "still 'generating'" in status_text(read_status(out))
    for task in fake_kie.tasks.values():
        task.outcome = "success"
    polls_before = {task_id: fake_kie.tasks[task_id].polls for task_id in hung.values()}  # type: ignore[index]
    again = run(small_campaign, mini_library, out, fake_kie)
    assert again.done == 4 and again.skipped == 8
    assert all(fake_kie.tasks[t].polls > polls_before[t] for t in hung.values())  # type: ignore[index]
    assert_each_shot_done_once(out, fake_kie, 12)


def test_twenty_percent_failing_requests_still_finish_every_shot(small_campaign: Path, mini_library: Path,
                                                                 tmp_path: Path) -> None:
    """429s on a fifth of API requests, plus scripted 500s and timeouts on polls, uploads and downloads.
    (A create whose reply is lost is the one failure not retried: see the uncertain test.)"""
    with FakeKie(rate_limit_rate=0.2, seed=5, polls_to_finish=2) as fake:
        fake.script("createTask", Reply(status=500), Reply(status=429, retry_after=0))
        fake.script("recordInfo", Reply(status=500), Reply(delay=0.6), Reply(status=500), Reply(delay=0.6))
        fake.script("upload", Reply(status=500), Reply(delay=0.6))
        fake.script("download", Reply(status=500), Reply(delay=0.6), Reply(status=503))
        out = tmp_path / "out"
        stats = run(small_campaign, mini_library, out, fake, timeout=0.3)
        assert (stats.done, stats.failed) == (12, 0), stats.errors
        assert_each_shot_done_once(out, fake, 12)
        api_calls = fake.calls["createTask"] + fake.calls["recordInfo"] + fake.calls["upload"]
        assert api_calls > 12 * 4  # the failures really happened and were retried


def test_a_lost_create_reply_is_uncertain_and_resent_only_on_request(small_campaign: Path, mini_library: Path,
                                                                     tmp_path: Path, fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    fake_kie.script("createTask", Reply(drop=True))
    stats = run(small_campaign, mini_library, out, fake_kie)
    assert stats.done == 11 and len(stats.uncertain) == 1
    error = incomplete(stats, out)
    assert error is not None and "1 uncertain" in str(error) and "--retry-uncertain" in str(error)
    again = run(small_campaign, mini_library, out, fake_kie)
    assert again.total == 0 and again.uncertain == stats.uncertain  # not re-sent by default
    assert fake_kie.calls["createTask"] == 12
    final = run(small_campaign, mini_library, out, fake_kie, RunSettings(retry_uncertain=True, retry_delay=0.01))
    assert final.done == 1
    assert read_status(out).states["done"] == 12


def test_failed_tasks_are_recorded_and_retried_by_the_next_run(small_campaign: Path, mini_library: Path,
                                                               tmp_path: Path, fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    fake_kie.outcome("fail", times=2, fail_code="400", fail_msg="content policy")
    stats = run(small_campaign, mini_library, out, fake_kie)
    assert (stats.done, stats.failed) == (10, 2)
    status = read_status(out)
    assert status.states["failed"] == 2
    assert all("content policy" in (e.error or "") for e in status.problems())
    assert status.spent_credits == 10 * 12
    again = run(small_campaign, mini_library, out, fake_kie)
    assert (again.done, again.skipped) == (2, 10)
    assert read_status(out).repeated and read_status(out).tasks == 14  # the two failed shots were sent again


def test_a_changed_brief_is_stale_and_regenerated_only_on_request(small_campaign: Path, mini_library: Path,
                                                                  tmp_path: Path, fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    run(small_campaign, mini_library, out, fake_kie)
    edited = write(small_campaign, SMALL.replace("framing: close-up", "framing: extreme close-up"))
    again = run(edited, mini_library, out, fake_kie)
    assert again.total == 0 and len(again.stale) == 3  # ada, bo and pair close-ups
    assert len(fake_kie.tasks) == 12
    stale_ids = set(again.stale)
    assert {e.id for e in read_status(out).stale()} == stale_ids
    old_files = {e.id: e.files[0]["path"] for e in read_status(out).entries if e.id in stale_ids}
    final = run(edited, mini_library, out, fake_kie, RunSettings(regenerate_stale=True, retry_delay=0.01))
    assert final.done == 3 and len(fake_kie.tasks) == 15
    assert read_status(out).stale() == []
    kept = list((out / "images" / "superseded").iterdir())
    assert len(kept) == 3 and all((out / path).is_file() for path in old_files.values())


def test_a_second_run_on_the_same_folder_is_refused(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                                    fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    with FolderLock(out), pytest.raises(LedgerError, match=r"is in use by a campaign run \(pid \d+\)"):
        run(small_campaign, mini_library, out, fake_kie)
    assert sum(fake_kie.calls.values()) == 0
    run(small_campaign, mini_library, out, fake_kie)  # the lock is released: it runs


def test_status_and_sheet(small_campaign: Path, mini_library: Path, tmp_path: Path, fake_kie: FakeKie) -> None:
    from PIL import Image

    from composer.campaign.sheet import TILE, SheetLayout, page_layout

    out = tmp_path / "out"
    fake_kie.outcome("fail", times=1)
    run(small_campaign, mini_library, out, fake_kie)
    status = read_status(out)
    assert (status.states["done"], status.states["failed"], status.running) == (11, 1, None)
    text = status_text(status)
    assert "12 shots: 11 done" in text and "1 failed" in text and "spent: 132 credits ($0.66)" in text
    layout = SheetLayout(columns=5)
    [sheet] = make_sheets(out, layout)
    page = page_layout(status.entries, layout)
    assert [text for text, _ in page.headings] == ["portraits (12)"]
    assert len({y for _, y in page.tiles}) == 3 and len({x for x, _ in page.tiles}) == 5  # 12 tiles, 5 a row
    with Image.open(sheet) as image:
        assert image.format == "PNG" and image.size == (page.width, page.height)
        for entry, (x, y) in zip(status.entries, page.tiles, strict=True):
            corner = image.getpixel((x + 3, y + 3))
            if entry.state == "failed":
                assert corner == TILE
            else:  # the fake's results are single-colour PNGs, scaled up to fill the tile
                with Image.open(out / entry.files[0]["path"]) as result:
                    assert corner == result.convert("RGB").getpixel((0, 0))


def test_a_corrupt_ledger_is_a_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "ledger.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(LedgerError, match="not a usable campaign ledger"):
        read_status(out)
    with pytest.raises(LedgerError, match="has no campaign ledger"):
        read_status(tmp_path)


def test_the_ledger_commits_the_task_id_before_polling(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                                       fake_kie: FakeKie) -> None:
    """While the first task is being polled, another connection already sees its task id."""
    out = tmp_path / "out"
    seen: list[tuple[str, str]] = []
    original = fake_kie._recordInfo

    def spy(request: Any) -> None:
        db = sqlite3.connect(out / "ledger.sqlite")
        seen.extend(db.execute("SELECT id, task_id FROM shots WHERE state = 'submitted'").fetchall())
        db.close()
        original(request)

    fake_kie._recordInfo = spy  # type: ignore[method-assign]
    run(small_campaign, mini_library, out, fake_kie, RunSettings(concurrency=1, retry_delay=0.01))
    assert {task for _, task in seen} == set(fake_kie.tasks)


def test_interrupting_a_run_keeps_in_flight_task_ids(small_campaign: Path, mini_library: Path,
                                                     tmp_path: Path) -> None:
    """Cancelled (Ctrl-C) while create requests are in flight, the runner waits for their replies and
    records the task ids, so the next run collects them instead of paying for them again."""
    from composer.campaign.run import CampaignRunner

    out = tmp_path / "out"
    expansion = expansion_of(small_campaign, mini_library)
    with FakeKie(latency=30.0) as slow:
        original = slow._createTask

        def slow_create(request: Any) -> None:
            time.sleep(0.3)
            original(request)

        slow._createTask = slow_create  # type: ignore[method-assign]

        async def scenario() -> None:
            with Ledger(out) as ledger:
                runner = CampaignRunner(expansion, planner_for(mini_library), out, ledger, factory(slow),
                                        RunSettings(concurrency=3, retry_delay=0.01))
                task = asyncio.ensure_future(runner.run(runner.prepare()))
                while slow.calls["createTask"] < 3:
                    await asyncio.sleep(0.01)
                assert not slow.tasks  # all three creates are in flight, none answered yet
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                states = Counter(e.state for e in ledger.entries().values())
                assert len(slow.tasks) == 3 and states["submitted"] == 3 and states["uncertain"] == 0
                recorded = {e.task_id for e in ledger.entries().values() if e.state == "submitted"}
                assert recorded == set(slow.tasks)

        asyncio.run(asyncio.wait_for(scenario(), 20))


def test_shots_with_lint_errors_are_never_generated(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                                    fake_kie: FakeKie) -> None:
    brand = mini_library / "brand_kits" / "acme.yaml"
    brand.write_text(brand.read_text().replace("[lens flare]", "[lens flare, yellow anywhere in frame]"))
    out = tmp_path / "out"
    stats = run(small_campaign, mini_library, out, fake_kie)
    assert stats.done == 4 and len(stats.blocked) == 8  # only bo alone is free of Ada's yellow raincoat
    assert len(fake_kie.tasks) == 4
    assert all("Ada" not in body["input"]["prompt"] for body in fake_kie.requests)
    error = incomplete(stats, out)
    assert error is not None and "8 blocked by lint errors" in str(error)
    assert read_status(out).states["blocked"] == 8


def test_a_campaign_on_the_openai_backend(mini_library: Path, tmp_path: Path) -> None:
    from fakes.openai_images import FakeOpenAI

    text = SMALL.replace('options: {aspect_ratio: "4:5", resolution: 1K}',
                         "backend: openai\noptions: {size: 1024x1536, quality: low}").replace(
        ', options: {aspect_ratio: "1:1"}', ", options: {size: 1024x1024}")
    campaign = write(tmp_path / "openai.yaml", text)
    out = tmp_path / "out"
    with FakeOpenAI() as fake:
        stats = run_campaign(expansion_of(campaign, mini_library), planner_for(mini_library), out,
                             lambda name: make_backend(name, fake.settings(), retry=FAST_RETRY), FAST)
        assert (stats.done, stats.failed) == (12, 0), stats.errors
        assert fake.calls["edits"] == 8 and fake.calls["generations"] == 4  # Ada's frame: image edits
        assert fake.rejections == []
    entries = read_status(out).entries
    assert all(e.state == "done" and e.backend == "openai" and (out / e.files[0]["path"]).is_file()
               for e in entries)


def test_shots_dropped_from_the_campaign_are_kept_and_still_counted(small_campaign: Path, mini_library: Path,
                                                                    tmp_path: Path, fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    run(small_campaign, mini_library, out, fake_kie)
    smaller = write(small_campaign, SMALL.replace("cast: [ada, bo, pair]", "cast: [ada, bo]"))
    again = run(smaller, mini_library, out, fake_kie)
    assert again.total == 0 and again.skipped == 8
    status = read_status(out)
    assert len(status.entries) == 8 and len(status.retired) == 4
    assert status.spent_credits == 12 * 12  # the dropped shots were paid for
    assert "4 shot(s) no longer in the campaign" in status_text(status)
    [sheet] = make_sheets(out)
    from PIL import Image

    from composer.campaign.sheet import SheetLayout, page_layout

    with Image.open(sheet) as image:
        assert image.size[1] == page_layout(status.entries, SheetLayout()).height  # 8 tiles, not 12


def test_tasks_of_shots_dropped_while_submitted_are_still_collected(small_campaign: Path, mini_library: Path,
                                                                     tmp_path: Path, fake_kie: FakeKie) -> None:
    """Paid for, then dropped from the campaign before their images came back: the next run downloads them."""
    out = tmp_path / "out"
    only_pair = write(tmp_path / "pair.yaml", SMALL.replace("cast: [ada, bo, pair]", "cast: [pair]"))
    first = run_with_hanging_tasks(only_pair, mini_library, out, fake_kie, hanging=4)
    assert first.failed == 4 and first.done == 0
    for task in fake_kie.tasks.values():
        task.outcome = "success"
    without_pair = write(small_campaign, SMALL.replace("cast: [ada, bo, pair]", "cast: [ada, bo]"))
    again = run(without_pair, mini_library, out, fake_kie)
    assert (again.total, again.done, again.failed) == (12, 12, 0)
    status = read_status(out)
    assert len(status.entries) == 8 and len(status.retired) == 4
    assert {e.state for e in status.retired} == {"done"}
    assert all((out / record["path"]).is_file() for e in status.retired for record in e.files)
    assert status.spent_credits == 12 * 12
    assert_each_shot_done_once(out, fake_kie, 12)


LEGACY = Path(__file__).parent / "data" / "legacy-ledger"
"""A folder whose ledger composer wrote before shot ids had words (data/make_legacy_ledger.py): 4 shots
done under ``portraits-<digest>`` ids, 8 never started."""


def test_a_ledger_written_with_the_old_ids_still_resumes(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                                          fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    shutil.copytree(LEGACY, out)
    with Ledger(out, create=False) as ledger:
        old = {e.id: e for e in ledger.entries().values()}
    done_before = {i for i, e in old.items() if e.state == "done"}
    assert len(old) == 12 and len(done_before) == 4 and all(re.fullmatch(r"portraits-[0-9a-f]{10}", i) for i in old)
    # Before the next run, status --recheck already reads the old rows as today's shots.
    rows = planner_for(mini_library).plan(expansion_of(small_campaign, mini_library)).rows
    checked = recheck(read_status(out), {row.id: row.brief_hash for row in rows})
    assert {e.id for e in checked.entries} == {row.id for row in rows} and not checked.retired
    stats = run(small_campaign, mini_library, out, fake_kie)
    assert (stats.done, stats.skipped, len(fake_kie.tasks)) == (8, 4, 8)  # the 4 paid for are not made again
    with Ledger(out, create=False) as ledger:
        entries = ledger.entries()
        tasks = ledger.tasks()
    assert set(entries) == {row.id for row in rows} and {e.state for e in entries.values()} == {"done"}
    renamed = {legacy_shot_id(i, "portraits"): e for i, e in entries.items()}
    assert {i for i in renamed if i in done_before} == done_before
    for shot_id in done_before:  # their files, credits and tasks kept, now under the new id
        assert renamed[shot_id].files == old[shot_id].files and renamed[shot_id].credits == old[shot_id].credits
        assert (out / renamed[shot_id].files[0]["path"]).is_file()
    assert {shot for _, shot in tasks} == set(entries)
