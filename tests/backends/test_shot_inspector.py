"""The post-download hook (pixel QC) for a single shot: its report lands in the record, never loses the files."""

from __future__ import annotations

from pathlib import Path

from fakes.fixtures import FAST_POLL, FAST_RETRY, run
from fakes.kie import FakeKie

from composer.backends import GenerationResult, Job, make_backend
from composer.generate import Inspection, Lifecycle, load_record, run_job


def generate(fake_kie: FakeKie, out: Path, policy: Lifecycle) -> GenerationResult:
    async def go() -> GenerationResult:
        async with make_backend("kie", fake_kie.settings(), poll=FAST_POLL, retry=FAST_RETRY) as kie:
            return await run_job(kie, Job("p"), out, "shot", policy=policy)

    return run(go())


def test_the_inspector_sees_the_downloaded_files_and_its_report_is_recorded(fake_kie: FakeKie,
                                                                           tmp_path: Path) -> None:
    seen: list[bytes] = []

    def inspector(result: GenerationResult) -> Inspection:
        seen.extend(path.read_bytes() for path in result.files)
        return Inspection({"blur": 0.91, "verdict": "blurred"}, needs_review=True)

    result = generate(fake_kie, tmp_path, Lifecycle(inspect=inspector))
    assert seen == [(tmp_path / "shot.png").read_bytes()] and result.files == [tmp_path / "shot.png"]
    record = load_record(tmp_path / "shot.generation.json")
    assert record.status == "succeeded" and record.qc == {"blur": 0.91, "verdict": "blurred"}
    assert record.needs_review is True


def test_an_inspector_that_raises_marks_the_shot_for_review_and_keeps_it(fake_kie: FakeKie, tmp_path: Path) -> None:
    def broken(result: GenerationResult) -> Inspection:
        raise ValueError("cannot decode")

    generate(fake_kie, tmp_path, Lifecycle(inspect=broken))
    record = load_record(tmp_path / "shot.generation.json")
    assert record.status == "succeeded" and (tmp_path / "shot.png").is_file()
    assert record.qc == {"error": "ValueError: cannot decode"} and record.needs_review is True


def test_without_an_inspector_nothing_is_recorded(fake_kie: FakeKie, tmp_path: Path) -> None:
    generate(fake_kie, tmp_path, Lifecycle())
    record = load_record(tmp_path / "shot.generation.json")
    assert record.qc is None and record.needs_review is False
