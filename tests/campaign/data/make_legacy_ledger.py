"""Makes legacy-ledger/ (a campaign output folder whose ledger has the ids of before ids had words).

It was run once with composer and its tests as of commit 78dd1ea (ids ``<group>-<digest>``): copy it
into a checkout of that commit, then ``PYTHONPATH=<checkout> python <checkout>/tests/campaign/data/
make_legacy_ledger.py <this folder>``. It runs the small test campaign with a 50-credit budget
against the fake KIE, so 4 shots are done and 8 never started, and keeps the ledger and the images.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(TESTS), str(TESTS / "campaign")]

from campaign_support import SMALL, run, write  # noqa: E402
from conftest import write_mini_library  # noqa: E402
from fakes.kie import FakeKie  # noqa: E402

from composer.campaign.run import RunSettings  # noqa: E402

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp, FakeKie() as fake:
        root = Path(tmp)
        library = write_mini_library(root / "lib")
        out = root / "out"
        run(write(root / "campaign.yaml", SMALL), library, out, fake, RunSettings(budget_credits=50, retry_delay=0.01))
        target = Path(sys.argv[1]) / "legacy-ledger"
        shutil.rmtree(target, ignore_errors=True)
        (target / "images").mkdir(parents=True)
        shutil.copy(out / "ledger.sqlite", target / "ledger.sqlite")
        for image in (out / "images").iterdir():
            shutil.copy(image, target / "images" / image.name)
