"""Conflicts: what a negative forbids, asked for by a positive section. Must fire, and must not."""

from __future__ import annotations

import pytest
from lint.conftest import LintLibrary, line_of_text

from composer.lint import Severity

BRAND = "brand_kits/acme.yaml"
ADA = "bibles/characters/ada.yaml"
SCENE = "bibles/scenes/harbour.yaml"


def forbid_red(lib: LintLibrary) -> None:
    lib.edit(BRAND, "do_not_include: [lens flare]", "do_not_include:\n  - red anywhere in frame\n  - lens flare")


def test_red_hair_against_no_red_brand_names_both_files(lib: LintLibrary) -> None:
    forbid_red(lib)
    lib.edit(ADA, "hair: short straight black bob", "hair: long copper-red curls")
    [finding] = lib.findings("conflict", characters=["ada"])
    assert finding.severity is Severity.ERROR
    hair, forbid = finding.locations
    assert (hair.path, hair.line, hair.field) == (str(lib.root / ADA), line_of_text(lib.root / ADA, "hair:"),
                                                  "identity.hair")
    assert (forbid.path, forbid.line, forbid.field) == (
        str(lib.root / BRAND), line_of_text(lib.root / BRAND, "red anywhere"), "do_not_include.0")
    assert '"copper-red"' in finding.message and "red" in finding.message
    assert "lint_exceptions" in finding.fix
    assert str(finding).startswith(f"error: {lib.root / ADA}:{hair.line}: identity.hair: ")


@pytest.mark.parametrize("word", ["crimson", "scarlet", "auburn", "ginger", "vermilion", "burgundy", "cherry",
                                  "ruby", "maroon", "blood-red", "reddish"])
def test_every_red_word_conflicts(lib: LintLibrary, word: str) -> None:
    forbid_red(lib)
    lib.edit(SCENE, "setting: a small stone harbour with fishing boats",
             f"setting: a small stone harbour with {word} fishing boats")
    [finding] = lib.findings("conflict")
    assert finding.locations[0].field == "setting" and word in finding.message


@pytest.mark.parametrize("text", [
    "reduce the clutter", "Fred mends nets", "shredded sails", "a redwood mast", "credit where due",
    "a hundred gulls", "no red anywhere", "not a hint of red", "lanterns that never turn red",
    "without any crimson or scarlet",
])
def test_words_and_negations_that_are_not_red(lib: LintLibrary, text: str) -> None:
    forbid_red(lib)
    lib.edit(SCENE, "setting: a small stone harbour with fishing boats", f"setting: a small stone harbour; {text}")
    assert lib.findings("conflict") == []


def test_the_negative_section_is_never_blamed(lib: LintLibrary) -> None:
    forbid_red(lib)
    lib.edit(ADA, "wardrobe:", "do_not:\n  - red lipstick or a crimson scarf\nwardrobe:")
    lib.edit(SCENE, "props:", "do_not: [red buoys]\nprops:")
    brief = lib.brief(characters=["ada"])
    assert "No red anywhere in frame" in brief.prompt and "red buoys" in brief.prompt
    assert [f for f in brief.findings if f.rule == "conflict"] == []


def test_asset_ids_and_display_names_are_not_requests(lib: LintLibrary) -> None:
    forbid_red(lib)
    lib.write("bibles/characters/red-curls.yaml",
              (lib.root / ADA).read_text(encoding="utf-8").replace("name: Ada", "name: Ruby")
              .replace("frames/ada.png", "frames/ada.png"))
    brief = lib.brief(characters=["red-curls"])
    assert "Ruby (red-curls)" in brief.prompt
    assert [f for f in brief.findings if f.rule == "conflict"] == []


def test_palette_hex_in_the_red_range_conflicts(lib: LintLibrary) -> None:
    forbid_red(lib)
    lib.edit(BRAND, '  - {name: Cream, hex: "#FFF8E7", role: background}',
             '  - {name: Cream, hex: "#FFF8E7", role: background}\n  - {name: Signal, hex: "#C0392B", role: accent}')
    [finding] = lib.findings("conflict")
    assert finding.severity is Severity.ERROR
    assert finding.locations[0].field == "palette.2.hex"
    assert finding.locations[0].line == line_of_text(lib.root / BRAND, "#C0392B")
    assert "#C0392B" in finding.message


def test_non_red_palette_and_brand_allowing_red(lib: LintLibrary) -> None:
    lib.edit(ADA, "hair: short straight black bob", "hair: long copper-red curls")
    assert lib.findings("conflict", characters=["ada"]) == []  # acme does not forbid red
    forbid_red(lib)
    lib.edit(ADA, "hair: long copper-red curls", "hair: long black curls")
    assert lib.findings("conflict", characters=["ada"]) == []  # Sage #8A9A5B is green


def test_narrowed_colour_ban_catches_the_family_on_those_nouns_only(lib: LintLibrary) -> None:
    lib.edit(ADA, "wardrobe:", "do_not:\n  - red lipstick\nwardrobe:")
    lib.edit(ADA, "hair: short straight black bob", "hair: short auburn bob")
    assert lib.findings("conflict", characters=["ada"]) == []  # auburn hair is not lipstick
    findings = lib.findings("conflict", characters=["ada"], deltas={"action": "she wears scarlet lipstick"})
    assert [(f.severity, f.locations[0].field) for f in findings] == [(Severity.ERROR, "deltas.action")]
    assert findings[0].locations[0].path == "shot"


def test_colours_shared_by_a_list(lib: LintLibrary) -> None:
    lib.edit(ADA, "wardrobe:", "do_not:\n  - yellow or orange eyes\nwardrobe:")
    lib.edit(ADA, "face: oval face, dark brown eyes", "face: oval face, amber eyes")
    [finding] = lib.findings("conflict", characters=["ada"])
    assert finding.locations[0].field == "identity.face" and "orange" in finding.message
    lib.edit(ADA, "face: oval face, amber eyes", "face: oval face, brown eyes")
    assert lib.findings("conflict", characters=["ada"]) == []  # the yellow raincoat is not an eye


def test_phrase_conflicts_are_warnings(lib: LintLibrary) -> None:
    lib.edit(SCENE, "lighting: low dawn sun from the right", "lighting: low dawn sun from the right, soft lens flare")
    [finding] = lib.findings("conflict")
    assert finding.severity is Severity.WARNING
    assert (finding.locations[0].field, finding.locations[1].field) == ("lighting", "do_not_include.0")


def test_phrase_ban_adjective_lists_share_their_noun(lib: LintLibrary) -> None:
    lib.edit(SCENE, "motion: boats rock gently",
             "motion: boats rock gently\ndo_not: ['dark, dense or threatening sea']")
    lib.edit(SCENE, "setting: a small stone harbour with fishing boats",
             "setting: a small stone harbour, dense with fishing boats, by a dark sea")
    [finding] = lib.findings("conflict")
    assert '"dark sea"' in finding.message


def test_a_part_the_guard_dropped_is_not_linted(lib: LintLibrary) -> None:
    forbid_red(lib)
    lib.edit(SCENE, "props: [lobster pots, coiled rope, gulls]", "props: [red lobster pots, coiled rope, gulls]")
    full = lib.brief()
    assert [f.locations[0].field for f in full.findings if f.rule == "conflict"] == ["props.0"]
    fitted = lib.brief(max_chars=full.chars - 1)
    assert fitted.cuts.get("scene.props") == "drop"
    assert [f for f in fitted.findings if f.rule == "conflict"] == []


def test_conflicts_from_inherited_negatives_point_at_the_parent(lib: LintLibrary) -> None:
    forbid_red(lib)
    lib.write("brand_kits/acme-kids.yaml", "extends: acme\nname: Acme Kids\n")
    lib.edit(ADA, "hair: short straight black bob", "hair: a short scarlet bob")
    [finding] = lib.findings("conflict", characters=["ada"], brand="acme-kids")
    assert finding.locations[1].path == str(lib.root / BRAND)
    assert finding.locations[1].line == line_of_text(lib.root / BRAND, "red anywhere")
