"""Reference frames have roles: the brief labels every attached image by index and role, from the
same list the request attaches; a model's image cap keeps frames by role priority and reports the
rest; lint flags a frame whose role the brief contradicts."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from composer import Composer, Library, ShotSpec
from composer.attachments import Frame, choose
from composer.cli import main
from composer.compose import Brief
from composer.errors import ComposerError
from composer.models import ShotDeltas


def add(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def frame_copy(root: Path, relative: str) -> str:
    """A copy of ada's valid PNG at ``relative`` (inside the library), returned as the YAML path."""
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / "bibles/characters/frames/ada.png", target)
    return relative


@pytest.fixture
def roles_library(mini_library: Path) -> Path:
    """ada with an identity frame (a plain path) and a wardrobe frame; a scene, a style and the
    brand's logo with frames of their own."""
    root = mini_library
    frame_copy(root, "bibles/characters/frames/ada-coat.png")
    ada = (root / "bibles/characters/ada.yaml").read_text(encoding="utf-8")
    add(root, "bibles/characters/ada.yaml", ada.replace(
        "reference_frames:\n  - frames/ada.png\n",
        "reference_frames:\n  - frames/ada.png\n  - {path: frames/ada-coat.png, role: wardrobe, "
        "note: match the yellow raincoat only}\n"))
    frame_copy(root, "bibles/scenes/frames/harbour.png")
    harbour = (root / "bibles/scenes/harbour.yaml").read_text(encoding="utf-8")
    add(root, "bibles/scenes/harbour.yaml", harbour + "reference_frames: [frames/harbour.png]\n")
    frame_copy(root, "bibles/styles/frames/wash.png")
    wash = (root / "bibles/styles/wash.yaml").read_text(encoding="utf-8")
    add(root, "bibles/styles/wash.yaml", wash + "reference_frames: [frames/wash.png]\n")
    frame_copy(root, "brand_kits/frames/acme-logo.png")
    acme = (root / "brand_kits/acme.yaml").read_text(encoding="utf-8")
    add(root, "brand_kits/acme.yaml", acme.replace(
        "placement: [bottom right]}", "placement: [bottom right], frames: [frames/acme-logo.png]}"))
    return root


def compose(root: Path, **spec: Any) -> Brief:
    return Composer(Library(root)).compose(ShotSpec(scene="harbour", **spec))


def test_plain_lists_keep_working_with_the_role_inferred(mini_library: Path) -> None:
    brief = compose(mini_library, characters=["ada"])
    assert brief.assets.attachments.frames[0].role == "identity"
    assert "Image 1: Ada, identity reference: match face, hair and build; take nothing else from it." \
        in brief.prompt


def test_every_attached_image_is_labelled_from_the_list_the_request_attaches(roles_library: Path) -> None:
    brief = compose(roles_library, characters=["ada", "bo"], deltas=ShotDeltas(logo="bottom right corner"))
    frames = brief.assets.attachments.frames
    assert [(f.owner, f.role) for f in frames] == [
        ("Ada", "identity"), ("Ada", "wardrobe"), ("Acme logo", "logo"), ("Harbour", "location"), ("Wash", "style")]
    assert brief.reference_frames == [f.path for f in frames]
    labels = [line for line in brief.prompt.splitlines() if line.startswith("Image ")]
    assert labels == [
        "Image 1: Ada, identity reference: match face, hair and build; take nothing else from it.",
        "Image 2: Ada, wardrobe reference: match the yellow raincoat only.",
        "Image 3: Acme logo, logo reference: reproduce this logo exactly, only where the brief places it.",
        "Image 4: Harbour, location reference: match the setting's architecture, materials and layout; take "
        "nothing else from it.",
        "Image 5: Wash, style reference: match medium, texture and brushwork only.",
    ]
    assert brief.dropped == [] and brief.findings == []


def test_the_logo_frame_goes_only_with_a_shot_that_places_the_logo(roles_library: Path) -> None:
    brief = compose(roles_library, characters=["ada"])
    assert "logo" not in [f.role for f in brief.assets.attachments.frames]


def test_over_the_cap_frames_are_chosen_by_role_priority_and_reported(roles_library: Path) -> None:
    brief = compose(roles_library, characters=["ada"], target="sora-2")  # Sora 2: one first frame
    (kept,) = brief.assets.attachments.frames
    assert (kept.owner, kept.role) == ("Ada", "identity")
    assert brief.dropped == [
        "Ada wardrobe frame ada-coat.png left out: the model takes 1 image, kept by role priority "
        "(identity, product, wardrobe, logo, location, style)",
        "Harbour location frame harbour.png left out: the model takes 1 image, kept by role priority "
        "(identity, product, wardrobe, logo, location, style)",
        "Wash style frame wash.png left out: the model takes 1 image, kept by role priority "
        "(identity, product, wardrobe, logo, location, style)",
    ]
    assert "ada-coat.png left out" in brief.summary_line()
    # Left out by the cap is a reported cut, not the "sent text-only" warning.
    assert [f for f in brief.findings if "not sent" in f.message] == []


def test_role_priority_puts_every_owners_first_frame_of_a_role_first() -> None:
    def frame(owner: str, role: str, name: str) -> Frame:
        return Frame(Path(name), role, owner, "character", owner.lower())  # type: ignore[arg-type]

    candidates = [frame("Ada", "identity", "a1"), frame("Ada", "identity", "a2"), frame("Ada", "style", "s"),
                  frame("Bo", "wardrobe", "b-coat"), frame("Bo", "identity", "b1"), frame("Cy", "product", "p")]
    chosen = choose(candidates, 3)
    assert [f.path.name for f in chosen.frames] == ["a1", "a2", "b1"]  # identity first, kept in gathered order
    assert [f.path.name for f in choose(candidates, 4).frames] == ["a1", "a2", "b1", "p"]
    assert [f.path.name for f in chosen.left_out] == ["s", "b-coat", "p"]


def test_a_role_the_asset_kind_cannot_carry_is_a_located_error(mini_library: Path) -> None:
    ada = (mini_library / "bibles/characters/ada.yaml").read_text(encoding="utf-8")
    add(mini_library, "bibles/characters/ada.yaml",
        ada.replace("  - frames/ada.png\n", "  - {path: frames/ada.png, role: logo}\n"))
    with pytest.raises(ComposerError) as caught:
        compose(mini_library, characters=["ada"])
    message = str(caught.value)
    assert "ada.yaml" in message and "reference_frames" in message
    assert "role 'logo' is not one a character bible carries (choose identity, wardrobe, product)" in message


def test_a_wardrobe_frame_the_shot_contradicts_is_flagged(roles_library: Path) -> None:
    brief = compose(roles_library, characters=["ada"], deltas=ShotDeltas(action="wearing a green ball gown"))
    [finding] = [f for f in brief.findings if f.rule == "frames"]
    assert finding.severity == "warning"
    assert finding.message == ("Image 2 (Ada wardrobe frame ada-coat.png) asks the model to match Ada's clothes, "
                               "but the shot's action dresses them otherwise (\"wearing a green ball gown\")")


def test_a_logo_reference_without_a_logo_placement_is_flagged(roles_library: Path) -> None:
    logo = roles_library / "brand_kits/frames/acme-logo.png"
    brief = compose(roles_library, characters=["bo"], references=[f"logo={logo}"])
    [finding] = [f for f in brief.findings if f.rule == "frames"]
    assert finding.message.startswith("Image 3 (explicit logo frame acme-logo.png) is a logo reference, but the "
                                      "shot places no logo (deltas.logo)")


def test_a_motion_brief_whose_first_frame_is_a_reference_sheet_gets_a_notice(mini_library: Path) -> None:
    brief = compose(mini_library, characters=["ada"], target="sora-2")
    [finding] = [f for f in brief.findings if f.rule == "frames"]
    assert finding.severity == "notice" and "identity reference sheet" in finding.message
    assert "--frame" in finding.fix


def test_validate_checks_the_frames_of_every_kind(roles_library: Path) -> None:
    (roles_library / "bibles/styles/frames/wash.png").unlink()
    result = CliRunner().invoke(main, ["validate", "--library", str(roles_library)])
    assert result.exit_code == 1
    assert "bibles/styles/wash.yaml" in result.output and "reference_frames.0" in result.output
    assert "wash.png: file not found" in result.output


def test_a_shot_file_reference_keeps_its_role(roles_library: Path, tmp_path: Path) -> None:
    from composer.shot import load_shot_file

    shutil.copyfile(roles_library / "bibles/styles/frames/wash.png", tmp_path / "board.png")
    (tmp_path / "shot.yaml").write_text("characters: [bo]\nscene: harbour\nreferences: [style=board.png]\n",
                                        encoding="utf-8")
    spec = load_shot_file(tmp_path / "shot.yaml")
    assert spec.references == [f"style={tmp_path / 'board.png'}"]
    brief = Composer(Library(roles_library)).compose(spec)
    assert [(f.role, f.path.name) for f in brief.assets.attachments.frames][-1] == ("style", "board.png")
    assert "Image 3: style reference: match medium, texture and brushwork only." in brief.prompt


def test_a_first_frame_is_the_one_attachment_of_a_video_shot_and_a_reference_of_an_image_shot(
        example_library: Path, tmp_path: Path) -> None:
    still = tmp_path / "still.png"
    shutil.copyfile(example_library / "bibles/characters/frames/red-curls.png", still)
    composer = Composer(Library(example_library))
    spec = ShotSpec(characters=["red-curls"], scene="castle")
    clip = composer.compose(spec.model_copy(update={"target": "sora-2"}), first_frame=still)
    assert clip.reference_frames == [still.resolve()] and clip.mode == "image-to-video"
    image = composer.compose(spec, first_frame=still)
    assert image.reference_frames[-1] == still.resolve() and len(image.reference_frames) > 1
