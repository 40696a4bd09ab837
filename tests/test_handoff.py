"""Exports a designer can hand on (issue 15): frames inside the export, options in every file."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from composer.cli import main
from composer.cli.generate import GenerationFlags
from composer.generate import job_from_brief_file
from composer.library import Library

SMALL = """\
name: Handoff test
options: {aspect_ratio: "4:5", resolution: 1K}
cast:
  pair: {characters: [ada, bo], label: Ada and Bo}
  bo: {characters: [bo]}
groups:
  banners:
    cast: [pair, bo]
    scenes: [harbour]
    options: {aspect_ratio: "21:9", resolution: 2K}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_shot_out_copies_the_frames_and_names_them_relatively(mini_library: Path, tmp_path: Path) -> None:
    out = tmp_path / "briefs"
    code, stdout, err = run("shot", "--library", str(mini_library), "-c", "ada", "-s", "harbour", "--out", str(out),
                            "--format", "json")
    assert code == 0, err
    frame = (mini_library / "bibles/characters/frames/ada.png").resolve()
    copy = f"frames/ada-{sha256(frame)[:8]}.png"
    assert (out / copy).read_bytes() == frame.read_bytes()
    exported = json.loads((out / "ada--harbour.json").read_text(encoding="utf-8"))
    assert exported["reference_frames"] == [copy]
    [source] = [s for s in exported["sources"] if s["kind"] == "reference_frame"]
    assert source == {"kind": "reference_frame", "id": "ada.png", "path": copy, "sha256": sha256(frame)}
    assert str(tmp_path) not in json.dumps(exported["reference_frames"])
    md = (out / "ada--harbour.md").read_text(encoding="utf-8")
    assert f"| Reference frames | [ada-{sha256(frame)[:8]}.png]({copy}) |" in md
    assert str(frame) not in md
    # stdout keeps the absolute path, for scripts on this machine.
    assert json.loads(stdout)["reference_frames"] == [str(frame)]


def test_a_handed_on_export_generates_from_its_own_frames(mini_library: Path, tmp_path: Path) -> None:
    out = tmp_path / "briefs"
    assert run("shot", "--library", str(mini_library), "-c", "ada", "-s", "harbour", "--out", str(out))[0] == 0
    moved = shutil.move(out, tmp_path / "elsewhere" / "briefs")
    settings = GenerationFlags.none().settings(out_dir=None, stem=None)
    job, _ = job_from_brief_file(Path(moved) / "ada--harbour.json", Library(mini_library), settings)
    [frame] = job.reference_frames
    assert Path(frame).is_relative_to(Path(moved) / "frames")


def test_campaign_export_is_self_contained(mini_library: Path, tmp_path: Path) -> None:
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run("campaign", "export", str(campaign), "--library", str(mini_library), "--out", str(out))
    assert code == 0, err
    frame = mini_library / "bibles/characters/frames/ada.png"
    copy = f"frames/ada-{sha256(frame)[:8]}.png"
    assert sorted(p.name for p in (out / "frames").iterdir()) == [Path(copy).name]  # copied once, for two shots
    with (out / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        rows = {row["cast_id"]: row for row in csv.DictReader(fh)}
    pair, bo = rows["pair"], rows["bo"]
    assert pair["cast"] == "ada+bo" and bo["cast"] == "bo"  # every member, not the campaign's name for them
    assert pair["reference_frames"] == copy and bo["reference_frames"] == ""
    assert (pair["aspect_ratio"], pair["resolution"], pair["size"], pair["n_frames"]) == ("21:9", "2K", "", "")
    brief = json.loads((out / pair["brief_file"]).with_suffix(".json").read_text(encoding="utf-8"))
    assert brief["options"] == {"aspect_ratio": "21:9", "resolution": "2K"}
    assert brief["reference_frames"] == [f"../{copy}"]
    assert (out / "briefs" / brief["reference_frames"][0]).resolve() == (out / copy).resolve()
    md = (out / pair["brief_file"]).read_text(encoding="utf-8")
    assert "| Generation options | aspect_ratio 21:9, resolution 2K |" in md
    assert f"(../{copy})" in md and str(mini_library) not in md.split("| Sources |")[0]
    assert str(tmp_path) not in (out / "manifest.csv").read_text(encoding="utf-8")
