"""What a target's template leaves out is reported with the guard's cuts, never silently.

The Sora motion template has no place for counts, order, composition or notes; a shot that sets
them used to say "nothing dropped". Each delta the template never reads is now one line of
``Brief.dropped``: in the stderr summary, in ``--format json`` and in the exported ``.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from composer.cli import main
from composer.compose import Composer
from composer.library import Library
from composer.omitted import ReadDeltas, left_out
from composer.shot import ShotSpec

REPO = Path(__file__).resolve().parents[1]
STILL = ShotSpec.model_validate({
    "characters": ["bear"], "scene": "woodland-clearing", "target": "sora-2",
    "deltas": {"counts": ["3 cups"], "order": ["Barnaby Bear", "Fennel Fox"], "composition": "teapot centre",
               "notes": ["calm canopy"], "motion": "a slow pan", "action": "Barnaby pours tea",
               "lint_exceptions": [{"rule": "conflict", "term": "red", "reason": "a test"}]},
})
LEFT_OUT = [f"deltas.{name} left out (motion.txt.j2 does not use it)"
            for name in ("composition", "order", "counts", "notes")]


def test_the_motion_template_reports_every_delta_it_leaves_out() -> None:
    brief = Composer(Library(REPO)).compose(STILL)
    assert brief.dropped == LEFT_OUT  # action and motion are in the prompt; lint exceptions never are
    assert "Barnaby pours tea" in brief.prompt and "a slow pan" in brief.prompt and "3 cups" not in brief.prompt
    assert "nothing dropped" not in brief.summary_line()


def test_the_image_template_uses_what_a_still_sets_and_leaves_out_motion() -> None:
    brief = Composer(Library(REPO)).compose(STILL.model_copy(update={"target": "gpt-image-2"}))
    assert brief.dropped == ["deltas.motion left out (brief.txt.j2 does not use it)"]


def test_the_cli_summary_json_and_export_name_what_was_left_out(tmp_path: Path) -> None:
    args = ["shot", "--library", str(REPO), "-c", "bear", "--scene", "woodland-clearing", "--target", "sora-2",
            "--set", "counts=3 cups",
            "--set", "order=Barnaby Bear;Fennel Fox", "--set", "composition=teapot centre", "--set", "notes=calm"]
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert json.loads(result.stdout)["dropped"] == LEFT_OUT
    assert "; ".join(LEFT_OUT) in result.stderr
    exported = CliRunner().invoke(main, [*args, "--out", str(tmp_path)])
    assert exported.exit_code == 0, exported.output
    (record,) = tmp_path.glob("*.json")
    assert json.loads(record.read_text(encoding="utf-8"))["dropped"] == LEFT_OUT


def test_reading_a_field_any_way_counts_as_using_it() -> None:
    fields = {"counts": ["3 cups"], "order": ["a"], "notes": ["n"], "mood": "calm"}
    deltas = ReadDeltas(fields)
    assert deltas["counts"] and deltas.get("order") and "mood" in deltas
    assert left_out(fields, deltas, "t.j2") == ["deltas.notes left out (t.j2 does not use it)"]
    list(deltas.items())  # a template that walks the whole mapping reads every field
    assert left_out(fields, deltas, "t.j2") == []
