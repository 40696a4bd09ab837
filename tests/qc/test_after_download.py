"""QC after every download: `compose shot --generate` against the fake KIE stores the report in the
generation record and marks the shot "needs review" on an error, keeping every file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import kie
from fakes.fixtures import FAST_ENV
from fakes.kie import FakeKie
from PIL import Image
from qc_support import BRAKE_RED, paint, scene

from composer.cli import main
from composer.library import Library
from composer.qc.api import shot_findings


def png(pixels: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")  # type: ignore[arg-type]
    return buffer.getvalue()


def generate(fake: FakeKie, library: Path, out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["shot", "-c", "bear", "-s", "woodland-clearing", "--brand", "bramble-books",
                                       "--generate", "--out", str(out), *args, "--library", str(library)],
                                env={**FAST_ENV, **fake.env()})
    return result.exit_code, result.stderr


def test_a_red_brake_light_in_a_result_marks_the_shot_for_review(fake_kie: FakeKie, example_library: Path,
                                                                 tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    image = png(paint(scene(768, 960), (500, 700, 540, 720), BRAKE_RED))
    monkeypatch.setattr(kie, "make_png", lambda seed, label, size=16: image)
    out = tmp_path / "out"
    code, err = generate(fake_kie, example_library, out, "--aspect-ratio", "4:5")
    assert code == 0, err
    [record_file] = out.glob("*.generation.json")  # the slug carries a digest of the non-default brand
    stem = record_file.name.removesuffix(".generation.json")
    record = json.loads(record_file.read_text(encoding="utf-8"))
    assert record["status"] == "succeeded" and record["needs_review"] is True
    [result] = record["qc"]["images"]
    assert (out / f"{stem}.png").read_bytes() == image  # never deleted
    banned = [f for f in result["findings"] if f["rule"] == "banned-colour"]
    assert banned[0]["severity"] == "error" and len(banned[0]["boxes"]) == 1
    assert "aspect-ratio" not in {f["rule"] for f in result["findings"]}  # 768x960 is the 4:5 asked for
    assert record["qc"]["counts"]["error"] == 1
    assert "qc: 1 error(s)" in err and "needs review (the files are kept)" in err
    assert f"qc error: {out / f'{stem}.png'}: banned-colour: red" in err
    # The review app reads the stored report: the --format json objects, without the hash.
    [stored] = shot_findings(Library.find(example_library), out, stem)
    assert stored == {k: v for k, v in result.items() if k != "phash"}


def test_a_clean_result_is_not_marked(fake_kie: FakeKie, example_library: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    image = png(paint(scene(768, 960, colour=(242, 232, 213)), (100, 300, 400, 900), (90, 58, 36)))
    monkeypatch.setattr(kie, "make_png", lambda seed, label, size=16: image)
    out = tmp_path / "out"
    code, err = generate(fake_kie, example_library, out)
    assert code == 0, err
    [record_file] = out.glob("*.generation.json")
    record = json.loads(record_file.read_text(encoding="utf-8"))
    assert record["needs_review"] is False and record["qc"]["counts"]["error"] == 0
    assert "qc: 0 error(s)" in err and "needs review" not in err
