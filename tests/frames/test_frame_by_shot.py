"""``compose shot ... --target sora-2 --frame RESULT``: a result named by its shot id."""

from __future__ import annotations

import json
from pathlib import Path

from fakes.kie import FakeKie
from frames_support import Storyboard, cli

MOTION = ("shot", "-c", "bear", "-s", "woodland-clearing", "-t", "sora-2")


def test_a_campaign_still_by_shot_id_is_the_clip_s_first_frame(library: Path, storyboard: Storyboard,
                                                                tmp_path: Path, fake_kie: FakeKie) -> None:
    out = tmp_path / "clip"
    result = cli(*MOTION, "--frame", storyboard.approved, "--campaign", str(storyboard.folder), "--generate",
                 "--out", str(out), "--format", "json", library=library, env=fake_kie.env())
    assert result.exit_code == 0, result.output
    still = storyboard.stills[storyboard.approved]
    (clip,) = [b for b in fake_kie.requests if b["model"] == "sora-2-image-to-video"]
    assert [fake_kie.uploads[url] for url in clip["input"]["image_urls"]] == [still.read_bytes()]
    brief = json.loads(result.stdout)
    assert brief["reference_frames"] == [str(still)]  # the brief's one label is the still that was sent
    assert brief["mode"] == "image-to-video"
    assert brief["prompt"].startswith("SHOT:\nAnimate the first frame.")


def test_dir_slash_shot_id_names_it_too(library: Path, storyboard: Storyboard) -> None:
    result = cli(*MOTION, "--frame", str(storyboard.folder / storyboard.approved), "--estimate", library=library)
    assert result.exit_code == 0, result.output
    assert "1 reference frame(s)" in result.stdout
    assert "text-only" not in result.stderr  # the still replaces the sheets on purpose: no drift warning


def test_a_shot_generate_result_by_its_stem(library: Path, tmp_path: Path, fake_kie: FakeKie) -> None:
    out = tmp_path / "stills"
    assert cli("shot", "-c", "fox", "-s", "castle", "--generate", "--out", str(out), library=library,
               env=fake_kie.env()).exit_code == 0
    result = cli(*MOTION, "--frame", str(out / "fox--castle"), "--format", "json", library=library)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reference_frames"] == [str(next(out.glob("fox--castle*.png")))]


def test_an_unknown_shot_id_is_one_line_naming_it(library: Path, storyboard: Storyboard) -> None:
    result = cli(*MOTION, "--frame", "stills-nope", "--campaign", str(storyboard.folder), "--estimate",
                 library=library)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    start = f"Error: --frame stills-nope: no such file, and no shot 'stills-nope' in {storyboard.folder} (its shots: "
    assert line.startswith(start) and line.endswith(" and 1 more)")  # six stills: five shown
    assert set(line.removeprefix(start).removesuffix(" and 1 more)").split(", ")) < set(storyboard.stills)


def test_a_missing_file_without_a_folder_says_how_to_name_a_result(library: Path) -> None:
    result = cli(*MOTION, "--frame", "stills-teapot-gone", "--estimate", library=library)
    assert result.exit_code == 1
    assert result.stderr == ("Error: --frame stills-teapot-gone: no such file; to name a campaign result by its "
                             "shot id, give --campaign DIR or DIR/SHOT_ID\n")


def test_campaign_without_frame_is_a_usage_error(library: Path, storyboard: Storyboard) -> None:
    result = cli(*MOTION, "--campaign", str(storyboard.folder), "--estimate", library=library)
    assert result.exit_code == 2 and "--campaign names where --frame SHOT_ID is looked up" in result.output
