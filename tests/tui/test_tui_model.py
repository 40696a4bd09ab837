"""The TUI's plain-Python parts: draft, session, watcher, campaign file, problems, frames, preview
helpers. None of these import Textual, so they are tested without a terminal."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from tui_helpers import bump, write_png

from composer.errors import LibraryError, ShotError
from composer.location import Location, Severity
from composer.settings import Settings
from composer.shot import ShotSpec
from composer.tui import generation
from composer.tui.campaign_file import append_shot
from composer.tui.draft import Draft
from composer.tui.frame_preview import describe_frame
from composer.tui.problems import Problem, brief_problems, from_error, from_finding
from composer.tui.session import Session
from composer.tui.watch import LibraryWatcher


# -- draft ---------------------------------------------------------------------------------------
def test_toggle_adds_and_removes_cast_and_replaces_single_kinds() -> None:
    draft = Draft().toggle("character", "ada").toggle("character", "bo").toggle("scene", "harbour")
    assert draft.characters == ("ada", "bo") and draft.scene == "harbour"
    draft = draft.toggle("character", "ada").toggle("scene", "quay")
    assert draft.characters == ("bo",) and draft.scene == "quay"
    assert draft.toggle("scene", "quay").scene is None  # picking it again returns to "none"


def test_spec_goes_through_parse_set_like_the_cli() -> None:
    draft = Draft(characters=("ada",), scene="harbour").with_text("counts", "4 candles; 2 cups")
    draft = draft.with_text("composition", "boats left").with_text("max_chars", "1,500").with_text("order", " ")
    spec = draft.spec()
    assert spec.deltas.counts == ["4 candles", "2 cups"]
    assert spec.deltas.composition == "boats left"
    assert spec.deltas.order == []  # blank fields are left out, not sent as empty
    assert spec.max_chars == 1500


def test_bad_form_input_is_a_one_line_shot_error() -> None:
    with pytest.raises(ShotError, match="max chars: expected a whole number, got 'lots'"):
        Draft(scene="harbour").with_text("max_chars", "lots").spec()
    with pytest.raises(ShotError, match="name"):
        Draft(scene="harbour").with_text("name", "no spaces allowed").spec()


def test_from_spec_round_trips_even_list_items_with_semicolons() -> None:
    spec = ShotSpec(
        characters=["ada"],
        products=["jar"],
        scene="harbour",
        max_chars=900,
        name="hero",
        deltas={"counts": ["3 gulls"], "mood": "calm", "notes": ["calm top third; text goes there"]},
    )
    draft = Draft.from_spec(spec)
    assert draft.spec() == spec
    assert draft.texts["notes"] == "calm top third; text goes there"
    edited = draft.with_text("notes", "calm top third; text goes there; no birds")
    assert edited.spec().deltas.notes == ["calm top third", "text goes there", "no birds"]  # typed: as --set


# -- session -------------------------------------------------------------------------------------
def test_session_hints_until_a_scene_is_picked(mini_library: Path) -> None:
    session = Session(mini_library)
    outcome = session.recompose()
    assert outcome.brief is None and outcome.hint and "scene" in outcome.hint
    with pytest.raises(Exception, match="scene"):
        session.export(mini_library / "out")


def test_session_keeps_the_last_good_brief_when_a_file_breaks(mini_library: Path, exact_tokens: None) -> None:
    session = Session(mini_library, Draft(characters=("ada",), scene="harbour"))
    good = session.recompose()
    assert good.brief is not None and not good.problems
    bump(mini_library / "bibles/characters/ada.yaml", "name: Ada\nidentity: [oops\n")
    session.poll()
    bad = session.recompose()
    assert bad.stale and bad.brief is good.brief and bad.current is None
    [problem] = bad.problems
    assert problem.severity == "error" and problem.path and problem.path.endswith("ada.yaml")
    with pytest.raises(Exception, match="fix them first"):
        session.export(mini_library / "out")


def test_session_reloads_composer_yaml(mini_library: Path) -> None:
    session = Session(mini_library, Draft(scene="harbour"))
    assert session.recompose().brief is not None
    bump(
        mini_library / "composer.yaml",
        "name: mini\ndefaults:\n  brand: acme\n  style: wash\n"
        "targets:\n  tiny:\n    max_chars: 900\n    template: brief.txt.j2\n    model: m\n",
    )
    assert session.poll().any
    assert "tiny" in session.catalogue()["target"]


# -- watcher -------------------------------------------------------------------------------------
def test_watcher_reports_edits_new_and_deleted_files(mini_library: Path) -> None:
    watcher = LibraryWatcher(Session(mini_library).library)
    watcher.prime()
    assert not watcher.poll().any
    scene = mini_library / "bibles/scenes/harbour.yaml"
    bump(scene, scene.read_text() + "colour_grade: teal\n")
    changes = watcher.poll()
    assert changes.touches(scene) and not changes.listing
    new = mini_library / "bibles/scenes/quay.yaml"
    new.write_text(scene.read_text())
    assert watcher.poll().listing
    new.unlink()
    changes = watcher.poll()
    assert changes.touches(new) and changes.listing


# -- campaign file -------------------------------------------------------------------------------
def test_append_shot_creates_then_appends_and_keeps_other_keys(tmp_path: Path) -> None:
    campaign = tmp_path / "spring.yaml"
    first = ShotSpec(characters=["ada"], scene="harbour", deltas={"counts": ["4 candles"]})
    assert append_shot(campaign, first) == 1
    text = campaign.read_text()
    campaign.write_text("name: Spring\n" + text)
    assert append_shot(campaign, ShotSpec(scene="harbour")) == 2
    data = yaml.safe_load(campaign.read_text())
    assert data["name"] == "Spring"
    assert data["shots"] == [
        {"characters": ["ada"], "scene": "harbour", "deltas": {"counts": ["4 candles"]}},
        {"scene": "harbour"},
    ]
    assert not list(tmp_path.glob(".*.tmp"))


def test_appended_shots_validate_as_a_campaign(tmp_path: Path) -> None:
    models = pytest.importorskip("composer.campaign.models")
    campaign = tmp_path / "c.yaml"
    append_shot(campaign, ShotSpec(characters=["ada"], scene="harbour", name="hero"))
    parsed = models.Campaign.model_validate(yaml.safe_load(campaign.read_text()))
    assert [s.name for s in parsed.shots] == ["hero"]


def test_append_shot_rewrites_references_relative_to_the_campaign(tmp_path: Path) -> None:
    frame = tmp_path / "frames" / "x.png"
    campaign = tmp_path / "campaigns" / "c.yaml"
    append_shot(campaign, ShotSpec(scene="harbour", references=[str(frame)]))
    assert yaml.safe_load(campaign.read_text())["shots"][0]["references"] == [os.path.join("..", "frames", "x.png")]


def test_append_shot_refuses_a_shots_key_that_is_not_a_list(tmp_path: Path) -> None:
    campaign = tmp_path / "c.yaml"
    campaign.write_text("shots: {a: 1}\n")
    with pytest.raises(LibraryError, match="shots: expected a list of shots"):
        append_shot(campaign, ShotSpec(scene="harbour"))
    assert campaign.read_text() == "shots: {a: 1}\n"


# -- problems ------------------------------------------------------------------------------------
def test_located_errors_keep_file_line_and_field(tmp_path: Path) -> None:
    problem = from_error(
        LibraryError("required field is missing", path=tmp_path / "lib/a.yaml", line=3, field="identity")
    )
    assert problem == Problem(Severity.ERROR, "required field is missing", Location(str(tmp_path / "lib/a.yaml"), 3,
                                                                                 "identity"))
    assert problem.location(tmp_path / "lib") == "a.yaml:3 identity"
    assert from_error(ValueError("boom")).message == "internal error: ValueError: boom"


def test_lint_findings_are_read_with_their_location() -> None:
    findings = pytest.importorskip("composer.lint.findings")
    finding = findings.Finding(
        findings.Severity.NOTICE,
        "palette",
        "colour not in palette",
        "name a brand colour",
        (findings.Location("brand_kits/acme.yaml", 7, "palette.0"),),
    )
    problem = from_finding(finding)
    assert problem.severity == "notice"
    assert (problem.path, problem.line, problem.field) == ("brand_kits/acme.yaml", 7, "palette.0")
    assert problem.message == "[palette] colour not in palette (fix: name a brand colour)"


def test_brief_problems_list_warnings_findings_and_cuts(mini_library: Path) -> None:
    session = Session(mini_library, Draft(characters=("ada", "bo"), scene="harbour").with_text("max_chars", "1200"))
    brief = session.recompose().brief
    assert brief is not None and brief.dropped
    rows = brief_problems(brief)
    assert [r.message for r in rows if r.severity == "notice" and r.message.startswith("length guard")] == [
        f"length guard: {cut}" for cut in brief.dropped
    ]


# -- frames --------------------------------------------------------------------------------------
def test_describe_frame_gives_size_and_a_half_block_preview(tmp_path: Path) -> None:
    path = write_png(tmp_path / "f.png", (40, 30), (200, 30, 30))
    info = describe_frame(path, columns=8, rows=4)
    assert (info.width, info.height) == (40, 30) and info.problem is None
    assert info.preview is not None
    lines = info.preview.plain.split("\n")
    assert len(lines) <= 4 and all(set(line) == {"▀"} for line in lines) and len(lines[0]) == 8
    assert "40x30 px" in info.size_label()


def test_describe_frame_reports_an_unreadable_image_instead_of_raising(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    info = describe_frame(path)
    assert info.preview is None and info.problem and info.problem.startswith("no preview")


# -- generation bridge ---------------------------------------------------------------------------
class StagedClient:
    """A stand-in for ``composer.generate`` that reports the KIE stages in order."""

    def __init__(self) -> None:
        self.reached: list[str] = []

    def generate_brief(self, brief: object, library: object, settings: Any, *, progress: Any) -> Any:
        for stage in ("submit", "submitted", "poll", "download", "done"):
            progress(SimpleNamespace(stage=stage, message=f"at {stage}"))
            self.reached.append(stage)
        return SimpleNamespace(written=[settings.out_dir / "shot.png"])


def test_cancel_stops_the_client_only_at_safe_points(
    mini_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    brief = Session(mini_library, Draft(scene="harbour")).recompose().current
    assert brief is not None
    client = StagedClient()
    monkeypatch.setattr(generation, "load_generate", lambda: client)
    library = Session(mini_library).library

    with pytest.raises(generation.GenerationCancelled):  # cancelled before anything was sent
        generation.run_generation(brief, library, tmp_path, lambda m, f: None, lambda: True, Settings())
    assert client.reached == []

    client.reached.clear()
    cancel_at: dict[str, bool] = {"now": False}

    def progress(message: str, fraction: float | None) -> None:
        cancel_at["now"] = cancel_at["now"] or message == "at download"

    written = generation.run_generation(brief, library, tmp_path, progress, lambda: cancel_at["now"], Settings())
    assert written == [tmp_path / "shot.png"]  # results existed: finished rather than thrown away
    assert client.reached == ["submit", "submitted", "poll", "download", "done"]
