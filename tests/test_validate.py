"""``compose validate``: a library seeded with a fault of every kind reports all of them, located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from composer.cli import main
from composer.library import Library
from composer.lint import Finding, Severity
from composer.validate import validate_library

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def line(root: Path, name: str, needle: str) -> int:
    for number, text in enumerate((root / name).read_text(encoding="utf-8").splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {name}")


def seed_faults(root: Path) -> list[tuple[Severity, str, str, int | None, str | None, str]]:
    """Break the mini library a dozen ways; return what validate must say about each:
    (severity, rule, file, line, field, words in the message)."""
    write(root, "composer.yaml", "name: mini\ndefaults:\n  brand: acme\n  style: wahs\n")
    write(root, "bibles/scenes/pier.yaml", "name: Pier\nsummary: [a pier\nsetting: x\n")
    (root / "bibles/scenes/cliff.yaml").write_bytes("name: Cliff\nsummary: caf\u00e9\n".encode("latin-1"))
    ada = (root / "bibles/characters/ada.yaml").read_text(encoding="utf-8")
    write(root, "bibles/characters/ada.yaml", ada.replace("wardrobe:", "hairstyle: bob\nwardrobe:")
          .replace("  bo: older brother", "  bo: older brother\n  zed: her rival")
          + "  - frames/missing.png\n  - frames/notes.png\n  - frames/huge.png\n")
    write(root, "bibles/characters/frames/notes.png", "not an image")
    with (root / "bibles/characters/frames/huge.png").open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)  # sparse: costs no disk
        fh.seek(0)
        fh.write(PNG)
    (root / "bibles/characters/frames/stray.png").write_bytes(PNG)
    write(root, "bibles/products/bo.yaml", "name: Bo\nsummary: s\nshape: tall\nlabel: plain\nmaterials: 5\n")
    write(root, "bibles/styles/ink.yaml", "name: Ink\nsummary: pen and ink\nsubject_matter: s\ncomposition: c\n"
          "colour_handling: c\nlighting: l\n")
    brand = (root / "brand_kits/acme.yaml").read_text(encoding="utf-8")
    write(root, "brand_kits/acme.yaml", brand.replace(
        '  - {name: Cream, hex: "#FFF8E7", role: background}',
        '  - {name: Cream, hex: "#FFF8E7", role: background}\n  - {name: Fern, hex: "#8a9a5b", role: accent}'))
    write(root, "brand_kits/acme-kids.yaml", "extends: acme-junior\nname: Acme Kids\n")
    write(root, "brand_kits/loop-a.yaml", "extends: loop-b\n")
    write(root, "brand_kits/loop-b.yaml", "extends: loop-a\n")
    write(root, "brand_kits/notes.yml", "name: stray\n")
    write(root, "templates/extra.txt.j2", "{% if x %}\nunclosed\n")
    write(root, "templates/card.txt.j2", "Card\n{{ scene.nmae }}\n{{ moodboard }}\n")
    write(root, "composer.yaml", "name: mini\ndefaults:\n  brand: acme\n  style: wahs\n"
          "targets:\n  card:\n    max_chars: 500\n    template: card.txt.j2\n    model: gpt-image-2\n")
    write(root, "shots/one.yaml", "characters: [bo]\nscene: lighthouse\n")
    c, s, b = "bibles/characters/ada.yaml", "bibles/scenes", "brand_kits"
    return [
        (Severity.ERROR, "reference", "composer.yaml", 4, "defaults.style", "unknown style 'wahs'"),
        (Severity.ERROR, "schema", f"{s}/pier.yaml", 3, None, "YAML syntax error"),
        (Severity.ERROR, "schema", f"{s}/cliff.yaml", 2, None, "not UTF-8"),
        (Severity.ERROR, "schema", c, line(root, c, "hairstyle"), "hairstyle", "unknown field"),
        (Severity.ERROR, "reference", c, line(root, c, "zed:"), "relationships.zed", "unknown character 'zed'"),
        (Severity.ERROR, "frames", c, line(root, c, "missing.png"), "reference_frames.1", "file not found"),
        (Severity.ERROR, "frames", c, line(root, c, "notes.png"), "reference_frames.2", "not a PNG"),
        (Severity.ERROR, "frames", c, line(root, c, "huge.png"), "reference_frames.3", "too large"),
        (Severity.ERROR, "schema", "bibles/products/bo.yaml", 5, "materials", "valid list"),
        (Severity.ERROR, "duplicate", "bibles/products/bo.yaml", 1, None, "both a character and a product"),
        (Severity.ERROR, "schema", "bibles/styles/ink.yaml", 1, "medium", "required field is missing"),
        (Severity.ERROR, "duplicate", f"{b}/acme.yaml", line(root, f"{b}/acme.yaml", "Fern"), "palette.2.hex",
         "repeats the hex of colour 0"),
        (Severity.ERROR, "reference", f"{b}/acme-kids.yaml", 1, "extends", "unknown brand 'acme-junior'"),
        (Severity.ERROR, "reference", f"{b}/loop-a.yaml", 1, "extends", "cycle: loop-a -> loop-b -> loop-a"),
        (Severity.ERROR, "reference", f"{b}/loop-b.yaml", 1, "extends", "cycle: loop-b -> loop-a -> loop-b"),
        (Severity.ERROR, "template", "templates/extra.txt.j2", 2, None, "syntax error"),
        (Severity.ERROR, "template", "templates/card.txt.j2", 3, None, "undefined name 'moodboard'"),
        (Severity.ERROR, "reference", "shots/one.yaml", 2, "scene", "unknown scene 'lighthouse'"),
        (Severity.NOTICE, "ignored", f"{b}/notes.yml", None, None, "only .yaml files"),
        (Severity.NOTICE, "unused", "bibles/characters/frames/stray.png", None, None, "not a reference frame"),
        (Severity.NOTICE, "unused", "templates/extra.txt.j2", None, None, "not used by any target"),
    ]


def matches(finding: Finding, root: Path, expected: tuple[Severity, str, str, int | None, str | None, str]) -> bool:
    severity, rule, name, line_no, field, words = expected
    loc = finding.locations[0]
    return (finding.severity, finding.rule, loc.path, loc.line, loc.field) == (
        severity, rule, str(root / name), line_no, field) and words in finding.message


def test_every_seeded_fault_is_reported_with_its_line(mini_library: Path) -> None:
    expected = seed_faults(mini_library)
    findings = validate_library(Library(mini_library))
    missing = [e for e in expected if not any(matches(f, mini_library, e) for f in findings)]
    assert missing == [], "\n".join(map(str, findings))
    # No error beyond the seeded ones (the trial render of card.txt.j2 stops at its undefined name).
    unexpected = [f for f in findings if f.severity is Severity.ERROR
                  and not any(matches(f, mini_library, e) for e in expected)]
    assert unexpected == []


def test_a_clean_library_has_no_errors_or_warnings(mini_library: Path) -> None:
    findings = validate_library(Library(mini_library))
    assert [f for f in findings if f.severity is not Severity.NOTICE] == []


def test_trial_render_catches_a_misspelt_field(mini_library: Path) -> None:
    write(mini_library, "templates/card.txt.j2", "Card\n{% if scene %}\n{{ scene.nmae }}\n{% endif %}\n")
    write(mini_library, "composer.yaml", "name: mini\ntargets:\n  card:\n    max_chars: 500\n"
          "    template: card.txt.j2\n    model: gpt-image-2\n")
    [finding] = [f for f in validate_library(Library(mini_library)) if f.rule == "template"]
    assert "trial render" in finding.message and "nmae" in finding.message
    assert finding.fix is not None and "fields the schema defines" in finding.fix  # not the generic hint
    assert finding.locations[0].line == 3


def test_an_incomplete_brand_chain(mini_library: Path) -> None:
    write(mini_library, "brand_kits/bare.yaml", "name: Bare\nmood: plain\n")
    write(mini_library, "brand_kits/bare-kids.yaml", "extends: bare\n")
    findings = [f for f in validate_library(Library(mini_library)) if f.severity is Severity.ERROR]
    kids = [f for f in findings if f.locations[0].path.endswith("bare-kids.yaml")]
    assert {f.locations[0].field for f in kids} == {"palette", "typography", "logo"}
    assert all("after merging bare" in f.message for f in kids)


def test_cli_text_and_json(mini_library: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["validate", "--library", str(mini_library)])
    assert result.exit_code == 0 and result.stdout.strip().endswith("0 errors, 0 warnings, 2 notices")
    assert "notice: " in result.stdout and "character 'ada' is not used" in result.stdout  # no shot names her
    seed_faults(mini_library)
    result = runner.invoke(main, ["validate", "--library", str(mini_library), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["summary"]["error"] >= 18
    assert {"severity", "rule", "message", "fix", "locations"} <= set(report["findings"][0])
    assert "is not valid" in result.stderr


def test_strict_fails_on_warnings(mini_library: Path) -> None:
    write(mini_library, "brand_kits/acme.yaml", (mini_library / "brand_kits/acme.yaml").read_text(encoding="utf-8")
          + "lint_exceptions:\n  - {rule: conflict, term: red, asset: nobody, reason: typo}\n")
    runner = CliRunner()
    assert runner.invoke(main, ["validate", "--library", str(mini_library)]).exit_code == 0
    result = runner.invoke(main, ["validate", "--library", str(mini_library), "--strict"])
    assert result.exit_code == 1 and "unknown asset 'nobody'" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_example_library_is_valid(example_library: Path, fmt: str) -> None:
    result = CliRunner().invoke(main, ["validate", "--library", str(example_library), "--format", fmt])
    assert result.exit_code == 0, result.output
