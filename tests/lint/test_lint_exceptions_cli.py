"""Named exceptions, severities and what the CLI does with findings (compose shot, compose lint)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lint.conftest import LintLibrary, line_of_text

from composer.cli import main
from composer.lint import Severity

BRAND = "brand_kits/acme.yaml"
ADA = "bibles/characters/ada.yaml"


@pytest.fixture
def red_ada(lib: LintLibrary) -> LintLibrary:
    """Acme forbids red; Ada has auburn hair: one conflict error."""
    lib.edit(BRAND, "do_not_include: [lens flare]", "do_not_include:\n  - red anywhere in frame\n  - lens flare")
    lib.edit(ADA, "hair: short straight black bob", "hair: short auburn bob")
    return lib


def allow(lib: LintLibrary, exception: str) -> None:
    lib.edit(BRAND, "mood: calm and warm", f"mood: calm and warm\nlint_exceptions:\n  - {exception}")


def test_a_brand_exception_turns_the_error_into_a_cited_notice(red_ada: LintLibrary) -> None:
    allow(red_ada, "{rule: conflict, term: red, asset: ada, reason: approved by the art director}")
    [finding] = red_ada.findings("conflict", characters=["ada"])
    assert finding.severity is Severity.NOTICE
    line = line_of_text(red_ada.root / BRAND, "rule: conflict")
    assert f"{red_ada.root / BRAND}:{line}: lint_exceptions.0: approved by the art director" in finding.message


@pytest.mark.parametrize("exception", [
    "{rule: conflict, term: red, asset: bo, reason: only for Bo}",
    "{rule: palette, term: red, reason: wrong rule}",
    "{rule: conflict, term: blue, reason: wrong term}",
])
def test_an_exception_only_covers_its_rule_term_and_asset(red_ada: LintLibrary, exception: str) -> None:
    allow(red_ada, exception)
    [finding] = red_ada.findings("conflict", characters=["ada"])
    assert finding.severity is Severity.ERROR


def test_a_shot_exception(red_ada: LintLibrary) -> None:
    exception = {"rule": "conflict", "term": "auburn", "reason": "this spread only"}
    [finding] = red_ada.findings("conflict", characters=["ada"], deltas={"lint_exceptions": [exception]})
    assert finding.severity is Severity.NOTICE and "shot: deltas.lint_exceptions.0" in finding.message


def test_an_exception_needs_a_known_rule_and_a_reason(red_ada: LintLibrary) -> None:
    allow(red_ada, "{rule: colours, term: red, reason: typo in the rule}")
    result = CliRunner().invoke(main, ["shot", "--library", str(red_ada.root), "-c", "ada", "-s", "harbour"])
    assert result.exit_code == 1 and "lint_exceptions.0.rule" in result.output


def run(lib: LintLibrary, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--library", str(lib.root)])
    return result.exit_code, result.stdout, result.stderr


def test_shot_prints_the_brief_and_findings_then_exits_1_on_an_error(red_ada: LintLibrary) -> None:
    code, out, err = run(red_ada, "shot", "-c", "ada", "-s", "harbour")
    assert code == 1
    assert "Hair: short auburn bob" in out
    line = line_of_text(red_ada.root / ADA, "hair:")
    assert f"error: {red_ada.root / ADA}:{line}: identity.hair: " in err and "(fix: " in err
    assert err.strip().splitlines()[-1].startswith("Error: brief ada--harbour: 1 blocking lint finding(s)")


def test_warnings_block_only_with_strict(lib: LintLibrary) -> None:
    lib.edit("bibles/scenes/harbour.yaml", "lighting: low dawn sun from the right", "lighting: sun, lens flare")
    code, _, err = run(lib, "shot", "-s", "harbour")
    assert code == 0 and err.startswith("warning: ")
    code, _, err = run(lib, "shot", "-s", "harbour", "--strict")
    assert code == 1 and "errors and warnings (--strict)" in err


def test_lint_command_reports_every_shot_and_json(red_ada: LintLibrary) -> None:
    shots = red_ada.root / "shots"
    shots.mkdir()
    (shots / "a.yaml").write_text("characters: [ada]\nscene: harbour\n", encoding="utf-8")
    (shots / "b.yaml").write_text("characters: [bo]\nscene: harbour\n", encoding="utf-8")
    (shots / "c.yaml").write_text("characters: [zed]\nscene: harbour\n", encoding="utf-8")
    code, out, _ = run(red_ada, "lint", str(shots / "a.yaml"), str(shots / "b.yaml"), str(shots / "c.yaml"))
    assert code == 1
    assert "a.yaml (ada--harbour): 1 error" in out and "b.yaml (bo--harbour): 0 errors" in out
    assert "unknown character 'zed'" in out
    code, out, _ = run(red_ada, "lint", "-c", "bo", "-s", "harbour", "--format", "json")
    assert code == 0 and json.loads(out)["summary"] == {"error": 0, "warning": 0, "notice": 0}
    code, out, _ = run(red_ada, "lint", "-c", "ada", "-s", "harbour", "--format", "json")
    [shot] = json.loads(out)["shots"]
    assert code == 1 and shot["findings"][0]["severity"] == "error"
    assert shot["findings"][0]["locations"][1]["field"] == "do_not_include.0"


def test_generate_refuses_a_brief_with_lint_errors(red_ada: LintLibrary, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = run(red_ada, "shot", "-c", "ada", "-s", "harbour", "--generate", "--out", str(out))
    assert code == 1
    assert "Error: not generating ada--harbour: 1 blocking lint finding(s)" in err
    assert not out.exists()  # nothing sent, nothing written
