"""``compose qc``: the JSON shape, exit codes, folders, and bad input as one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image
from qc_support import BRAKE_RED, paint, save, scene

from composer.cli import main
from composer.models import BrandKit, LogoRules, PaletteColour, Typography
from composer.qc import QcContext, check_image
from composer.qc.settings import QcSettings


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_per_image_with_the_documented_fields_and_exit_1_on_an_error(qc_library: Path, tmp_path: Path) -> None:
    red = save(paint(scene(), (400, 300, 440, 320), BRAKE_RED), tmp_path / "red.png")
    clean = save(scene(seed=5), tmp_path / "clean.png")
    code, out, err = run("qc", str(red), str(clean), "--brand", "nored", "--library", str(qc_library),
                         "--format", "json")
    assert code == 1
    entries = json.loads(out)
    assert [e["path"] for e in entries] == [str(red), str(clean)]
    assert all(set(e) == {"path", "width", "height", "findings"} for e in entries)
    assert (entries[0]["width"], entries[0]["height"]) == (640, 480)
    for f in entries[0]["findings"]:
        assert set(f) == {"rule", "severity", "message", "fix", "area_fraction", "boxes", "palette"}
    banned = next(f for f in entries[0]["findings"] if f["rule"] == "banned-colour")
    assert banned["severity"] == "error" and len(banned["boxes"]) == 1
    palette = next(f for f in entries[1]["findings"] if f["rule"] == "palette")
    assert set(palette["palette"][0]) == {"hex", "share", "nearest", "delta_e"}
    assert err.strip().endswith("2 image(s) checked, 1 with errors")
    code, out, _ = run("qc", str(clean), "--brand", "nored", "--library", str(qc_library))
    assert code == 0 and out.startswith(f"{clean} (640x480): 0 error(s)")


def test_overlay_png_is_written_per_image(qc_library: Path, tmp_path: Path) -> None:
    red = save(paint(scene(), (400, 300, 440, 320), BRAKE_RED), tmp_path / "red.png")
    code, _, err = run("qc", str(red), "--brand", "nored", "--library", str(qc_library),
                       "--overlay", str(tmp_path / "qc"))
    assert code == 1
    overlay = tmp_path / "qc" / "red.qc.png"
    assert f"wrote {overlay}" in err
    with Image.open(overlay) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert image.width > 640  # the picture and the swatch strip beside it
    assert (pixels == (255, 0, 255)).all(axis=2).any()  # the region is outlined


def test_brief_gives_the_brand_and_cast(example_library: Path, tmp_path: Path) -> None:
    _, out, _ = run("shot", "-c", "red-curls", "-s", "castle", "--brand", "bramble-books", "--format", "json")
    brief = tmp_path / "isla.json"
    brief.write_text(out, encoding="utf-8")
    image = save(scene(), tmp_path / "isla.png")
    _, out, _ = run("qc", str(image), "--brief", str(brief), "--format", "json")
    messages = [f["message"] for f in json.loads(out)[0]["findings"]]
    assert any("red-curls's key colour copper-red curls #B24A28 (hair) is absent" in m for m in messages)
    assert any("Oat Paper" in m or "palette" in m for m in messages)


def test_shot_folder_reads_its_generation_records(qc_library: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    save(paint(scene(), (100, 100, 200, 200), BRAKE_RED), folder / "isla.png")
    (folder / "isla.json").write_text(json.dumps({"sources": [{"kind": "brand", "id": "nored"}]}), encoding="utf-8")
    (folder / "isla.generation.json").write_text(json.dumps({
        "schema": "composer.generation/2", "status": "succeeded", "brief": str(folder / "isla.json"),
        "backend": "kie", "target": "gpt-image-2", "model": "gpt-image-2-text-to-image", "request": {},
        "estimate": {"usd": 0.06}, "files": ["isla.png"], "job": {"options": {"aspect_ratio": "1:1"}}}),
        encoding="utf-8")
    code, out, _ = run("qc", str(folder), "--library", str(qc_library), "--format", "json")
    assert code == 1
    [entry] = json.loads(out)
    assert {f["rule"] for f in entry["findings"]} >= {"banned-colour", "aspect-ratio"}


def test_bad_inputs_are_one_line_errors_and_the_other_images_are_still_checked(qc_library: Path,
                                                                             tmp_path: Path) -> None:
    good = save(scene(), tmp_path / "good.png")
    data = good.read_bytes()
    (tmp_path / "truncated.png").write_bytes(data[: len(data) // 2])
    (tmp_path / "notes.png").write_text("not an image", encoding="utf-8")
    Image.new("1", (9000, 8000)).save(tmp_path / "bomb.png")  # 72 megapixels in a few kilobytes
    paths = [str(tmp_path / n) for n in ("truncated.png", "notes.png", "bomb.png", "missing.png")]
    code, out, err = run("qc", *paths, str(good), "--brand", "nored", "--library", str(qc_library))
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith(f"Error: {tmp_path / 'truncated.png'}: broken image data (image file is truncated")
    assert lines[1] == f"Error: {tmp_path / 'notes.png'}: not a PNG, JPEG or WebP image"
    assert lines[2] == (f"Error: {tmp_path / 'bomb.png'}: image is 9,000x8,000 px, over the limit (16,384 px a side, "
                        "40 megapixels)")
    assert lines[3].startswith(f"Error: {tmp_path / 'missing.png'}: ")
    assert len(lines) == 5  # four errors and the summary, one line each
    assert "Traceback" not in err
    assert out.startswith(f"{good} (640x480)")  # still checked


def test_usage_errors(qc_library: Path, tmp_path: Path) -> None:
    image = save(scene(), tmp_path / "a.png")
    assert run("qc", str(image), "--library", str(qc_library))[2] == (
        "Error: say what the images were made from: --brief BRIEF.json, or --brand ID (with --character/--product "
        "ID), or give one campaign or shot folder\n")
    assert run("qc", str(tmp_path), "--library", str(qc_library))[2] == (
        f"Error: {tmp_path}: neither a campaign folder (ledger.sqlite) nor a shot folder (*.generation.json); "
        "name the images and --brand or --brief instead\n")
    assert run("qc", str(image), "--brand", "nope", "--library", str(qc_library))[2].startswith(
        "Error: unknown brand 'nope'")


PALETTES = st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pixels=arrays(np.uint8, st.tuples(st.integers(1, 90), st.integers(1, 90), st.just(3))), palette=PALETTES,
       ban=st.sampled_from(["red", "pink", "orange", "brown", "yellow", "green", "blue", "purple", "black",
                            "white", "grey"]))
def test_any_image_any_palette_no_crash_fractions_in_range_boxes_inside(tmp_path: Path, pixels: np.ndarray,
                                                                        palette: list[tuple[int, int, int]],
                                                                        ban: str) -> None:
    colours = [PaletteColour(name=f"c{i}", hex="#{:02X}{:02X}{:02X}".format(*c), role="primary")
               for i, c in enumerate(palette)]
    kit = BrandKit(name="Any", palette=colours,
                   typography=Typography(headline="h", body="b"), logo=LogoRules(clear_space="c"), mood="m",
                   do_not_include=[f"{ban} anywhere"])
    ctx = QcContext(brand_id="any", brand=kit, negatives=((f"{ban} anywhere", "brand"),))
    path = tmp_path / "any.png"
    Image.fromarray(pixels).save(path)
    report = check_image(path, ctx, QcSettings(min_region_pixels=1, min_region_fraction=0.0))
    height, width = pixels.shape[:2]
    assert (report.width, report.height) == (width, height)
    for f in report.findings:
        assert f.area_fraction is None or 0.0 <= f.area_fraction <= 1.0
        for x0, y0, x1, y1 in f.boxes:
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        for s in f.palette:
            assert 0.0 <= s.share <= 1.0 and (s.delta_e is None or s.delta_e >= 0)
    json.dumps(report.as_dict())


def campaign_folder(root: Path, library: Path) -> Path:
    """A campaign folder with two done shots (the second a near-duplicate take of the first) and one
    shot never generated."""
    from composer.campaign.ledger import Ledger

    (root / "briefs").mkdir(parents=True)
    (root / "images").mkdir()
    base = paint(paint(scene(seed=9), (50, 50, 300, 300), (110, 127, 69)), (350, 100, 600, 400), (217, 164, 65))
    rows = []
    for shot in ("hero-a", "hero-b", "hero-c"):
        (root / "briefs" / f"{shot}.json").write_text(json.dumps({"sources": [{"kind": "brand", "id": "nored"}]}),
                                                      encoding="utf-8")
        rows.append({"id": shot, "group": "hero", "cast": "isla", "scene": "s", "variant": "", "take": 1,
                     "brief_hash": "h", "credits": 12.0, "blocked": None})
    save(paint(base, (500, 50, 540, 70), BRAKE_RED), root / "images" / "hero-a.png")
    save(base, root / "images" / "hero-b.png")
    with Ledger(root) as ledger:
        ledger.plan(rows)
        for shot in ("hero-a", "hero-b"):
            job = {"prompt": "p", "reference_frames": [], "target": "gpt-image-2", "model": "gpt-image-2",
                   "kind": "image", "backend": "kie", "options": {"aspect_ratio": "4:3"}}
            ledger.submitted(shot, f"task-{shot}", {"job": job, "backend": "kie", "task_id": f"task-{shot}"}, "kie")
            ledger.done(shot, [{"path": f"images/{shot}.png", "sha256": "x"}], 12.0, 0.06)
    return root


def test_campaign_folder_checks_each_done_shot_against_its_brief(qc_library: Path, tmp_path: Path) -> None:
    folder = campaign_folder(tmp_path / "spring", qc_library)
    code, out, _ = run("qc", str(folder), "--library", str(qc_library), "--format", "json")
    assert code == 1
    first, second = json.loads(out)
    assert first["path"].endswith("images/hero-a.png") and second["path"].endswith("images/hero-b.png")
    assert "banned-colour" in {f["rule"] for f in first["findings"]}
    assert "aspect-ratio" not in {f["rule"] for f in first["findings"]}  # 640x480 is the 4:3 requested
    [dup] = [f for f in second["findings"] if f["rule"] == "near-duplicate"]
    assert "hero-a.png" in dup["message"]


def test_shot_findings_for_the_review_app_are_the_json_objects(qc_library: Path, tmp_path: Path) -> None:
    from composer.library import Library
    from composer.qc.api import shot_findings
    from composer.qc.folders import FolderError

    folder = campaign_folder(tmp_path / "spring", qc_library)
    library = Library.find(qc_library)
    [entry] = shot_findings(library, folder, "hero-a")
    _, out, _ = run("qc", str(folder), "--library", str(qc_library), "--format", "json")
    assert entry == json.loads(out)[0]
    assert shot_findings(library, folder, "hero-c") == []  # not generated yet
    with pytest.raises(FolderError, match="no shot 'nope' in the campaign ledger"):
        shot_findings(library, folder, "nope")


def test_a_video_is_skipped_and_said_so(qc_library: Path, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    result = CliRunner().invoke(main, ["qc", str(clip), "--brand", "nored", "--library", str(qc_library)])
    assert result.exit_code == 0, result.output
    assert f"skipped 1 video(s), e.g. {clip}: pixel QC checks still images" in result.stderr
    assert "0 image(s) checked, 0 with errors" in result.stderr
