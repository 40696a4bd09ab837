"""QC rules on synthetic images whose content is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qc_support import BRAKE_RED, PALETTE, paint, save, scene

from composer.library import Library
from composer.location import Severity
from composer.qc import Expected, QcContext, build_context, check_image, check_images
from composer.qc.context import NOTHING_EXPECTED
from composer.qc.pixels import hex_to_lab


def context(library: Path, brand: str = "nored", characters: tuple[str, ...] = (),
            expected: Expected = NOTHING_EXPECTED) -> QcContext:
    return build_context(Library.find(library), brand=brand, characters=list(characters), expected=expected)


def rules(report: object) -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for f in report.findings:  # type: ignore[attr-defined]
        found.setdefault(f.rule, []).append(f)
    return found


def test_a_brake_light_in_a_beige_scene_is_found_with_its_box(qc_library: Path, tmp_path: Path) -> None:
    image = save(paint(scene(), (400, 300, 440, 320), BRAKE_RED), tmp_path / "street.png")
    report = check_image(image, context(qc_library))
    [banned] = rules(report)["banned-colour"]
    assert banned.severity is Severity.ERROR
    [box] = banned.boxes
    x0, y0, x1, y1 = box
    # The box is found within the analysis copy's resolution (640 px -> 214 px: 3 px a cell).
    assert abs(x0 - 400) <= 3 and abs(y0 - 300) <= 3 and abs(x1 - 440) <= 3 and abs(y1 - 320) <= 3
    assert banned.area_fraction == pytest.approx(40 * 20 / (640 * 480), rel=0.35)
    assert report.has_error


def test_the_same_scene_without_it_is_clean(qc_library: Path, tmp_path: Path) -> None:
    report = check_image(save(scene(), tmp_path / "street.png"), context(qc_library))
    assert "banned-colour" not in rules(report)
    assert not report.has_error


def test_noise_below_the_minimum_region_is_ignored(qc_library: Path, tmp_path: Path) -> None:
    pixels = scene(1024, 1024)
    rng = np.random.default_rng(3)
    for x, y in rng.integers(0, 1024, size=(200, 2)):
        pixels[y, x] = BRAKE_RED  # 200 isolated red pixels: noise, not a region
    report = check_image(save(pixels, tmp_path / "speckled.png"), context(qc_library))
    assert "banned-colour" not in rules(report)


@pytest.mark.parametrize("name, colour", [
    ("pale skin", (243, 198, 165)), ("light skin", (241, 194, 125)), ("medium skin", (198, 134, 66)),
    ("dark skin", (141, 85, 36)), ("rosy skin", (215, 158, 138)), ("oak", (181, 131, 90)),
    ("teak", (168, 112, 58)), ("walnut", (119, 63, 26)), ("warm wood", (156, 90, 52)),
    ("copper hair", (184, 115, 51)), ("copper-red hair", (181, 86, 47)), ("russet fur", (196, 92, 40)),
])
def test_skin_wood_and_copper_are_not_red(qc_library: Path, tmp_path: Path, name: str,
                                          colour: tuple[int, int, int]) -> None:
    image = save(paint(scene(), (100, 100, 400, 400), colour), tmp_path / "warm.png")
    assert "banned-colour" not in rules(check_image(image, context(qc_library))), name


@pytest.mark.parametrize("colour", [(255, 0, 0), (220, 20, 60), (255, 36, 0), (210, 4, 45), (224, 17, 95),
                                    (128, 0, 32), (165, 42, 42)])
def test_every_named_red_is_red(qc_library: Path, tmp_path: Path, colour: tuple[int, int, int]) -> None:
    image = save(paint(scene(), (100, 100, 200, 200), colour), tmp_path / "red.png")
    assert "banned-colour" in rules(check_image(image, context(qc_library))), colour


def test_a_named_exception_makes_the_red_hair_a_notice_naming_it(qc_library: Path, tmp_path: Path) -> None:
    image = save(paint(scene(), (200, 50, 440, 300), (165, 42, 42)), tmp_path / "isla.png")
    [banned] = rules(check_image(image, context(qc_library, "allowed", ("isla",))))["banned-colour"]
    assert banned.severity is Severity.NOTICE
    assert "her auburn hair is approved by the art director" in banned.message
    # Scoped to isla: without her in the shot, the exception does not apply.
    [banned] = rules(check_image(image, context(qc_library, "allowed")))["banned-colour"]
    assert banned.severity is Severity.ERROR


def hex_rgb(code: str) -> tuple[int, int, int]:
    return int(code[1:3], 16), int(code[3:5], 16), int(code[5:7], 16)


def palette_image(width: int = 384, height: int = 256) -> np.ndarray:
    """Three vertical bands, one per palette colour, exactly (on analysis pixel boundaries)."""
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    for i, code in enumerate(PALETTE.values()):
        pixels[:, i * width // 3 : (i + 1) * width // 3] = hex_rgb(code)
    return pixels


def test_an_image_made_only_of_the_palette_scores_full_adherence(qc_library: Path, tmp_path: Path) -> None:
    report = check_image(save(palette_image(), tmp_path / "palette.png"), context(qc_library))
    [palette] = rules(report)["palette"]
    assert palette.severity is Severity.NOTICE
    assert palette.area_fraction == pytest.approx(1.0)
    assert {s.nearest for s in palette.palette} == set(PALETTE)
    assert all(s.delta_e is not None and s.delta_e < 1.0 for s in palette.palette)
    assert sum(s.share for s in palette.palette) == pytest.approx(1.0)
    assert "palette-missing" not in rules(report)


def test_an_off_palette_image_warns_and_a_missing_required_colour_is_named(qc_library: Path, tmp_path: Path) -> None:
    pixels = palette_image()
    pixels[:, 128:] = (40, 60, 160)  # the Moss and Ochre bands become blue
    found = rules(check_image(save(pixels, tmp_path / "blue.png"), context(qc_library)))
    [palette] = found["palette"]
    assert palette.severity is Severity.WARNING
    assert palette.area_fraction == pytest.approx(1 / 3, abs=0.01)
    largest = palette.palette[0]  # the blue: two thirds of the frame, far from every palette colour
    assert largest.share == pytest.approx(2 / 3, abs=0.01) and largest.delta_e is not None and largest.delta_e > 12
    assert [m.message.split(" is absent")[0] for m in found["palette-missing"]] == [
        "required palette colour Moss #6E7F45", "required palette colour Ochre #D9A441"]


def test_a_removed_key_colour_is_reported(qc_library: Path, tmp_path: Path) -> None:
    with_jacket = save(paint(scene(), (200, 200, 400, 480), hex_rgb("#6E7F45")), tmp_path / "isla.png")
    assert "key-colour" not in rules(check_image(with_jacket, context(qc_library, characters=("isla",))))
    without = save(paint(scene(), (200, 200, 400, 480), (60, 70, 150)), tmp_path / "isla-blue.png")
    [key] = rules(check_image(without, context(qc_library, characters=("isla",))))["key-colour"]
    assert key.severity is Severity.WARNING
    assert "isla's key colour moss-green jacket #6E7F45 (jacket)" in key.message


def test_a_near_duplicate_pair_is_flagged_and_a_different_take_is_not(qc_library: Path, tmp_path: Path) -> None:
    base = paint(paint(scene(seed=1), (50, 50, 300, 300), (110, 127, 69)), (350, 100, 600, 400), (217, 164, 65))
    first = save(base, tmp_path / "take-1.png")
    second = save(np.clip(base.astype(int) + 3, 0, 255).astype(np.uint8), tmp_path / "take-2.jpg", "JPEG")
    other = save(paint(scene(seed=2), (0, 240, 640, 480), (110, 127, 69)), tmp_path / "take-3.png")
    ctx = context(qc_library)
    reports = list(check_images([(first, ctx), (second, ctx), (other, ctx)]))
    assert "near-duplicate" not in rules(reports[0])
    [dup] = rules(reports[1])["near-duplicate"]
    assert str(first) in dup.message
    assert "near-duplicate" not in rules(reports[2])


def test_size_aspect_ratio_and_file_type_as_requested(qc_library: Path, tmp_path: Path) -> None:
    image = save(scene(640, 480), tmp_path / "shot.png")
    ok = check_image(image, context(qc_library, expected=Expected(640, 480, None, "png")))
    assert not {"dimensions", "aspect-ratio", "file-type"} & set(rules(ok))
    [size] = rules(check_image(image, context(qc_library, expected=Expected(1024, 1536))))["dimensions"]
    assert size.message == "640x480, requested 1024x1536"
    [ratio] = rules(check_image(image, context(qc_library, expected=Expected(aspect_ratio="4:5"))))["aspect-ratio"]
    assert "requested 4:5" in ratio.message
    assert "aspect-ratio" not in rules(check_image(image, context(qc_library, expected=Expected(aspect_ratio="4:3"))))
    jpeg_named_png = save(scene(), tmp_path / "liar.png", "JPEG")
    [kind] = rules(check_image(jpeg_named_png, context(qc_library)))["file-type"]
    assert kind.message == "named .png but the content is jpeg"


def test_a_blank_frame_is_an_error(qc_library: Path, tmp_path: Path) -> None:
    flat = np.full((300, 300, 3), 128, dtype=np.uint8)
    [blank] = rules(check_image(save(flat, tmp_path / "grey.png"), context(qc_library)))["blank"]
    assert blank.severity is Severity.ERROR
    assert "blank" not in rules(check_image(save(scene(), tmp_path / "scene.png"), context(qc_library)))


def test_no_brand_lists_the_dominant_colours_only(tmp_path: Path) -> None:
    report = check_image(save(paint(scene(), (0, 0, 320, 480), (40, 60, 160)), tmp_path / "x.png"), QcContext())
    [palette] = report.findings
    assert palette.rule == "palette" and palette.severity is Severity.NOTICE
    assert {s.nearest for s in palette.palette} == {None}
    assert sum(s.share for s in palette.palette) == pytest.approx(1.0)
    blue, *rest = palette.palette  # the flat blue half, then the lit-and-shaded beige half in shades
    assert blue.share == pytest.approx(0.5, abs=0.01)
    assert np.linalg.norm(lab_of(blue.hex) - lab_of("#283CA0")) < 2
    # (a sliver of blended edge pixels where the halves meet may get a cluster of its own)
    assert all(np.linalg.norm(lab_of(s.hex) - lab_of("#DECDB2")) < 10 for s in rest if s.share > 0.01)


def lab_of(code: str) -> np.ndarray:
    return hex_to_lab([code])[0]
