"""The post-download hook (pixel QC) in a campaign run: each shot's report is stored in its ledger row."""

from __future__ import annotations

from pathlib import Path

from campaign_support import run
from fakes.kie import FakeKie

from composer.backends import GenerationResult
from composer.campaign.ledger import Ledger
from composer.campaign.run import RunSettings
from composer.generate import Inspection


def test_every_download_is_inspected_and_its_report_kept(small_campaign: Path, mini_library: Path, tmp_path: Path,
                                                         fake_kie: FakeKie) -> None:
    def inspector(result: GenerationResult) -> Inspection:
        (path,) = result.files
        flagged = path.stem.endswith(("1", "3", "5", "7", "9"))  # some shots, by id
        return Inspection({"file": path.name, "bytes": path.stat().st_size}, needs_review=flagged)

    out = tmp_path / "out"
    stats = run(small_campaign, mini_library, out, fake_kie, RunSettings(retry_delay=0.01, inspect=inspector))
    assert stats.done == 12
    with Ledger(out, create=False) as ledger:
        entries = list(ledger.entries().values())
    for entry in entries:
        (record,) = entry.files
        assert entry.qc == {"file": Path(record["path"]).name, "bytes": (out / record["path"]).stat().st_size}
        assert entry.needs_review == entry.id.endswith(("1", "3", "5", "7", "9"))
