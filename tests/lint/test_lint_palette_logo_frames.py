"""Palette, logo clear space and image-to-image: must fire, and must not."""

from __future__ import annotations

from dataclasses import replace

from lint.conftest import LintLibrary, line_of_text

from composer.attachments import Attachments
from composer.library import bundled_library
from composer.lint import Severity, lint_brief

BRAND = "brand_kits/acme.yaml"
SCENE = "bibles/scenes/harbour.yaml"
PALETTE_LINE = "- {{ colour.name }} {{ colour.hex }} ({{ colour.role }})"


def template_without(lib: LintLibrary, old: str, new: str) -> None:
    """The bundled brief template, copied into the library with one line changed."""
    text = (bundled_library() / "templates/brief.txt.j2").read_text(encoding="utf-8")
    assert old in text
    lib.write("templates/brief.txt.j2", text.replace(old, new))


def test_a_complete_brief_is_clean(lib: LintLibrary) -> None:
    assert lib.findings(characters=["ada", "bo"], deltas={"logo": "bottom right"}) == []


def test_required_palette_colours_need_name_and_hex(lib: LintLibrary) -> None:
    lib.edit(BRAND, '{name: Cream, hex: "#FFF8E7", role: background}',
             '{name: Cream, hex: "#FFF8E7", role: background, required: false}')
    template_without(lib, PALETTE_LINE, "- {{ colour.name }} ({{ colour.role }})")
    [finding] = lib.findings("palette")
    assert finding.severity is Severity.ERROR
    assert "Sage #8A9A5B" in finding.message and "hex" in finding.message
    loc = finding.locations[0]
    assert (loc.path, loc.line, loc.field) == (str(lib.root / BRAND), line_of_text(lib.root / BRAND, "Sage"),
                                               "palette.0.name")


def test_palette_is_not_checked_for_motion_prompts(lib: LintLibrary) -> None:
    assert lib.findings("palette", target="sora-2") == []


def test_off_palette_hex_is_reported_where_it_was_written(lib: LintLibrary) -> None:
    lib.edit(SCENE, "mood: quiet", "mood: quiet\ncolour_grade: teal shadows (#123456), warm highlights (#8a9a5b)")
    [finding] = lib.findings("palette")  # the lower-case Sage hex is in the palette
    assert finding.severity is Severity.WARNING and "#123456" in finding.message
    assert finding.locations[0].field == "colour_grade"
    assert finding.locations[0].line == line_of_text(lib.root / SCENE, "colour_grade")


def test_no_brand_no_palette_rule(lib: LintLibrary) -> None:
    lib.write("composer.yaml", "name: mini\n")
    assert lib.findings("palette") == []


def test_logo_placement_states_the_clear_space_rule(lib: LintLibrary) -> None:
    brief = lib.brief(deltas={"logo": "bottom right"})
    assert "Clear space equal to the cap height" in brief.prompt
    assert [f for f in brief.findings if f.rule == "logo"] == []


def test_logo_without_a_brand_is_an_error(lib: LintLibrary) -> None:
    lib.write("composer.yaml", "name: mini\n")
    [finding] = lib.findings("logo", deltas={"logo": "bottom right"})
    assert finding.severity is Severity.ERROR and finding.locations[0].field == "deltas.logo"


def test_logo_placed_in_notes_whose_clear_space_was_cut(lib: LintLibrary) -> None:
    template_without(lib, "Logo clear space: {{ brand.logo.clear_space }}", "")
    [finding] = lib.findings("logo", deltas={"notes": ["the logo sits bottom right"]})
    assert finding.locations[0].field == "deltas.notes.0"
    assert finding.locations[1].field == "logo.clear_space"
    assert lib.findings("logo", deltas={"notes": ["no logo in this one"]}) == []


def test_a_cast_member_with_frames_sent_text_only_is_a_warning(lib: LintLibrary) -> None:
    brief = lib.brief(characters=["ada", "bo"])
    assert brief.mode == "image-to-image" and [f for f in brief.findings if f.rule == "frames"] == []
    text_only = replace(brief, assets=replace(brief.assets, attachments=Attachments()))
    [finding] = [f for f in lint_brief(text_only) if f.rule == "frames"]
    assert finding.severity is Severity.WARNING and "ada" in finding.message and "drift" in finding.message


def test_a_cast_member_without_frames_is_fine_text_only(lib: LintLibrary) -> None:
    brief = lib.brief(characters=["bo"])
    assert brief.mode == "text-to-image" and brief.findings == []
