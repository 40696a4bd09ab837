"""Pixel QC in `compose campaign run`: every download checked, shown in `status` and on the sheet."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie
from PIL import Image

from composer.campaign.ledger import Ledger
from composer.campaign.sheet import QC_COLOURS
from composer.cli import main


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_run_checks_every_image_and_status_and_sheet_show_it(small_campaign: Path, mini_library: Path,
                                                             tmp_path: Path, fake_kie: FakeKie,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**fake_kie.env(), **FAST_ENV}.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "out"
    code, _, err = cli("campaign", "run", str(small_campaign), "--out", str(out), "--library", str(mini_library))
    assert code == 0, err
    with Ledger(out, create=False) as ledger:
        entries = list(ledger.entries().values())
    # The fake serves 16x16 one-colour PNGs: blank frames (and square where the campaign asks for 4:5),
    # so every shot needs review; none is deleted.
    squares = 0
    for entry in entries:
        [image] = entry.qc["images"]
        rules = {f["rule"] for f in image["findings"]}
        assert "blank" in rules
        squares += "aspect-ratio" not in rules
        assert entry.needs_review and (out / entry.files[0]["path"]).is_file()
    code, text, _ = cli("campaign", "status", str(out))
    assert "pixel QC: 12 checked, 12 need review, 0 with warnings only" in text
    assert "needs review (pixel QC; files kept, `compose qc DIR` for the findings):" in text
    assert squares == 3  # the close-up variant asks for 1:1
    assert "QC 2 errors: 16x16 is 1.000:1, requested 4:5 (0.800:1)" in text
    assert "QC 1 error: the frame is one uniform colour" in text
    status = json.loads(cli("campaign", "status", str(out), "--format", "json")[1])
    assert status["qc"]["needs_review"] == 12 and sorted(status["qc"]["needs_review_ids"]) == sorted(
        e.id for e in entries)
    code, _, err = cli("campaign", "sheet", str(out))
    assert code == 0, err
    with Image.open(out / "contact-sheet.png") as sheet:
        pixels = np.asarray(sheet.convert("RGB"))
    badge = (pixels == QC_COLOURS["error"]).all(axis=2)
    assert badge.sum() > 12 * 100  # a red badge on every tile
