"""``compose frame list|history``: every frame, where it came from, which shots used it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes.kie import FakeKie
from frames_support import Storyboard, cli, sha


def _promote(library: Path, storyboard: Storyboard) -> Path:
    still = storyboard.stills[storyboard.approved]
    done = cli("frame", "promote", str(still), "--character", "bear", "--note", "match the scarf", library=library)
    assert done.exit_code == 0, done.output
    return still


def test_list_shows_each_frame_and_where_it_came_from(library: Path, storyboard: Storyboard) -> None:
    _promote(library, storyboard)
    result = cli("frame", "list", "bear", library=library)
    assert result.exit_code == 0, result.output
    date = json.loads(cli("frame", "list", "bear", "--format", "json", library=library).stdout)[
        "frames"][1]["provenance"]["promoted_at"][:10]
    assert result.stdout.splitlines() == [
        f"character bear: 2 reference frames ({library / 'bibles/characters/bear.yaml'})",
        "1. identity  frames/bear.png",
        "   placed in the library by hand (no provenance recorded)",
        "2. identity  frames/bear-1.png  note: match the scarf",
        f"   promoted {date} from campaign shot {storyboard.approved} take 1 in {storyboard.folder.resolve()}, "
        "approve",
    ]


def test_history_shows_the_provenance_and_the_shots_that_used_each_version(
        library: Path, storyboard: Storyboard, tmp_path: Path, fake_kie: FakeKie) -> None:
    still = _promote(library, storyboard)
    out = tmp_path / "after"
    made = cli("shot", "-c", "bear", "-s", "castle", "--generate", "--out", str(out), library=library,
               env=fake_kie.env())
    assert made.exit_code == 0, made.output
    result = cli("frame", "history", "bear", "--campaign", str(storyboard.folder), "--campaign", str(out),
                 "--format", "json", library=library)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["searched"] == [str(storyboard.folder), str(out)]
    first, promoted = data["frames"]
    bear_stills = {i for i in storyboard.stills if "teapot-gone" in i or "great-hall" in i or "tea-at-home" in i
                   or "teapot-found" in i or "fox-on-the-trail" in i}
    assert {u["shot"] for u in first["used_by"] if u["folder"] == str(storyboard.folder)} == bear_stills
    assert {u["version"] for u in first["used_by"]} == {"this"}
    assert promoted["used_by"] == [{"folder": str(out), "shot": "bear--castle", "state": "succeeded",
                                    "version": "this"}]
    p = promoted["provenance"]
    assert (p["shot"], p["verdict"], p["reviewers"], p["sha256"]) == (storyboard.approved, "approve",
                                                                      {"ann": "approve"}, sha(still))
    text = cli("frame", "history", "bear", "--campaign", str(out), library=library).stdout
    assert "   review: approve (ann: approve)\n" in text
    assert f"   model: gpt-image-2-image-to-image on kie (target gpt-image-2), task {p['task_id']}\n" in text
    assert f"   used by: bear--castle in {out} (succeeded, this version)\n" in text
    assert text.endswith(f"searched: {out}\n")


def test_a_redrawn_frame_shows_its_shots_used_an_earlier_version(library: Path, storyboard: Storyboard) -> None:
    frame = library / "bibles/characters/frames/owl.png"
    frame.write_bytes((library / "bibles/characters/frames/fox.png").read_bytes())
    data = json.loads(cli("frame", "history", "owl", "--campaign", str(storyboard.folder), "--format", "json",
                          library=library).stdout)
    assert data["frames"][0]["used_by"] and {u["version"] for u in data["frames"][0]["used_by"]} == {"earlier"}


def test_an_id_two_kinds_share_must_say_which(library: Path) -> None:
    (library / "bibles/styles/bear.yaml").write_text(
        (library / "bibles/styles/watercolor-1970s.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = cli("frame", "list", "bear", library=library)
    assert result.exit_code == 1
    assert result.stderr == "Error: 'bear' is a character and a style: say which with --character or --style\n"
    chosen = cli("frame", "list", "bear", "--style", library=library)
    assert chosen.exit_code == 0 and chosen.stdout.startswith("style bear: 0 reference frames")
    assert cli("frame", "list", "--character", "bear", library=library).stdout.startswith("character bear: 1 ")


def test_an_unknown_id_is_refused(library: Path) -> None:
    result = cli("frame", "history", "nobody", library=library)
    assert result.exit_code == 1
    assert result.stderr == f"Error: no character, product, style or scene 'nobody' in the library {library}\n"


def test_without_campaign_the_folders_searched_are_named(library: Path, storyboard: Storyboard,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(storyboard.folder.parent)  # the storyboard folder is a subfolder of the current one
    result = cli("frame", "history", "owl", library=library)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f"searched: {storyboard.folder}\n")
    assert f"used by: {storyboard.rejected} in {storyboard.folder} (done, this version)" in result.stdout
