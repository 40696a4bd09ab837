"""Brand inheritance: lists merge, scalars override, palettes merge by name, cycles are errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from composer.brands import explain_brand
from composer.cli import main
from composer.compose import Composer
from composer.errors import LibraryError
from composer.library import Library
from composer.shot import ShotSpec

MASTER = """\
name: Acme
palette:
  - {name: Sage, hex: "#8A9A5B", role: primary}
  - {name: Cream, hex: "#FFF8E7", role: background}
typography:
  headline: Serif bold
  body: Sans regular
  rules: [no outlines]
logo: {clear_space: Clear space equal to the cap height., placement: [bottom right]}
mood: calm and warm
must_include: [soft natural light]
do_not_include: [lens flare]
"""
SUB = """\
extends: acme
name: Acme Kids
palette:
  - {name: Cream, hex: "#FFF4D6", role: background, required: false}
  - {name: Sky, hex: "#7FB3D5", role: accent}
typography:
  rules: [rounded letters only]
do_not_include: [lens flare, sharp corners]
"""
CAMPAIGN = """\
extends: acme-kids
mood: bright and playful
must_include: [a kite in the sky]
lint_exceptions:
  - {rule: conflict, term: red, reason: the kite is red this season}
"""


@pytest.fixture
def brands(mini_library: Path) -> Library:
    for name, text in (("acme", MASTER), ("acme-kids", SUB), ("acme-spring", CAMPAIGN)):
        (mini_library / "brand_kits" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return Library(mini_library)


def test_three_levels_merge(brands: Library) -> None:
    brand = brands.brand("acme-spring").model
    assert brand.name == "Acme Kids"  # set by the sub-brand, kept by the campaign
    assert brand.mood == "bright and playful"  # campaign overrides the master
    assert [(c.name, c.hex, c.required) for c in brand.palette] == [
        ("Sage", "#8A9A5B", True), ("Cream", "#FFF4D6", False), ("Sky", "#7FB3D5", True)]
    assert brand.typography.headline == "Serif bold" and brand.typography.rules == ["no outlines",
                                                                                     "rounded letters only"]
    assert brand.logo.placement == ["bottom right"]
    assert brand.must_include == ["soft natural light", "a kite in the sky"]
    assert brand.do_not_include == ["lens flare", "sharp corners"]  # merged without repeating
    assert [e.term for e in brand.lint_exceptions] == ["red"]


def test_every_file_in_the_chain_is_a_source(brands: Library) -> None:
    brief = Composer(brands).compose(ShotSpec(scene="harbour", brand="acme-spring"))
    assert [s["id"] for s in brief.sources if s["kind"] == "brand"] == ["acme-spring", "acme-kids", "acme"]
    assert "Sky #7FB3D5" in brief.prompt and "No sharp corners" in brief.prompt


def test_explain_names_the_level_of_each_value(brands: Library) -> None:
    rows = {row.field: row for row in explain_brand(brands, "acme-spring")}
    assert (rows["name"].brand, rows["name"].overrides) == ("acme-kids", ("acme",))
    assert (rows["mood"].brand, rows["mood"].line) == ("acme-spring", 2)
    assert rows["palette[1]"].brand == "acme-kids" and rows["palette[1]"].overrides == ("acme",)
    assert rows["palette[1]"].line == 4  # the Cream entry in acme-kids.yaml
    assert rows["typography.headline"].brand == "acme"
    assert rows["typography.rules[1]"].brand == "acme-kids"
    assert rows["do_not_include[1]"].brand == "acme-kids" and rows["do_not_include[1]"].line == 8
    assert rows["lint_exceptions.0"].brand == "acme-spring"


@pytest.mark.parametrize(("files", "brand", "words", "where"), [
    ({"acme": "extends: acme-spring\n" + MASTER}, "acme-spring",
     "cycle: acme-spring -> acme-kids -> acme -> acme-spring", ("acme.yaml", 1)),
    ({"solo": "extends: solo\nname: Solo\n"}, "solo", "cycle: solo -> solo", ("solo.yaml", 1)),
    ({"orphan": "name: Orphan\nextends: acme-junior\n"}, "orphan", "extends unknown brand 'acme-junior'",
     ("orphan.yaml", 2)),
    ({"bare": "name: Bare\nmood: plain\n", "bare-kids": "extends: bare\n"}, "bare-kids",
     "required field is missing (after merging bare)", ("bare-kids.yaml", 1)),
])
def test_broken_chains_are_located_errors(brands: Library, files: dict[str, str], brand: str, words: str,
                                          where: tuple[str, int]) -> None:
    for name, text in files.items():
        (brands.root / "brand_kits" / f"{name}.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(LibraryError) as caught:
        Library(brands.root).brand(brand)
    assert words in caught.value.reason
    assert (Path(str(caught.value.path)).name, caught.value.line) == where


def test_show_explain_cli(brands: Library) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["show", "brand", "acme-spring", "--explain", "--library", str(brands.root)])
    assert result.exit_code == 0
    assert "# brand acme-spring: acme-spring -> acme-kids -> acme" in result.stdout
    assert f"    <- acme-kids ({brands.root / 'brand_kits/acme-kids.yaml'}:2); overrides acme" in result.stdout
    result = runner.invoke(main, ["show", "brand", "acme-spring", "--explain", "--format", "json",
                                  "--library", str(brands.root)])
    data = json.loads(result.stdout)
    assert data["chain"] == ["acme-spring", "acme-kids", "acme"]
    assert {"field": "mood", "set_by": "acme-spring"}.items() <= data["fields"][
        [f["field"] for f in data["fields"]].index("mood")].items()
    result = runner.invoke(main, ["show", "character", "ada", "--explain", "--library", str(brands.root)])
    assert result.exit_code == 2 and "brands only" in result.output


def test_show_brand_resolves_the_chain(brands: Library) -> None:
    result = CliRunner().invoke(main, ["show", "brand", "acme-kids", "--library", str(brands.root)])
    assert result.exit_code == 0 and "resolved: acme-kids -> acme" in result.stdout
    assert "Serif bold" in result.stdout  # inherited, shown
