"""``compose frame promote``: a reviewed result becomes an asset's reference frame, with provenance,
the asset file's comments and layout kept; every refusal is one line and writes nothing."""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path

import pytest
from fakes.kie import FakeKie, make_png
from frames_support import Storyboard, cli, sha, tree

from composer.frames_lifecycle.yaml_edit import append_frame
from composer.library import Library
from composer.models import FrameProvenance

ENTRY = {"path": "frames/x-1.png", "role": "identity",
         "provenance": {"source": "/a.png", "sha256": "0" * 64, "kind": "library",
                        "promoted_at": "2026-12-03T08:40:00Z"}}


def _only_inserted(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before``, asserting that it adds one block and changes nothing else."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    ops = [op for op in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
    assert len(ops) == 1 and ops[0][0] == "insert", ops
    _, _, _, start, end = ops[0]
    return new[start:end]


@pytest.mark.parametrize("folder", ["bibles/characters", "bibles/products", "bibles/styles", "bibles/scenes"])
def test_every_bundled_asset_file_keeps_its_bytes_but_for_the_new_entry(library: Path, folder: str) -> None:
    for path in sorted((library / folder).glob("*.yaml")):
        before = path.read_text(encoding="utf-8")
        inserted = _only_inserted(before, append_frame(before, ENTRY))
        assert inserted[-1].rstrip() == "      promoted_at: '2026-12-03T08:40:00Z'", path
        assert any("- path: frames/x-1.png" in line for line in inserted), path


def test_comments_after_the_last_frame_stay_after_it() -> None:
    before = ("name: Ada   # eol\nreference_frames:\n  - frames/ada.png   # the first\n"
              "  # a comment after the last frame\n\n# about key_colours\nkey_colours: []  # tail\n")
    after = append_frame(before, ENTRY)
    inserted = _only_inserted(before, after)
    assert inserted[0] == "  - path: frames/x-1.png\n"
    assert after.index("- path: frames/x-1.png") < after.index("# a comment after the last frame")


def test_a_flow_list_becomes_a_block_list() -> None:
    after = append_frame("name: Ada\nreference_frames: [frames/a.png]\nother: 1\n", ENTRY)
    assert after.startswith("name: Ada\nreference_frames:\n  - frames/a.png\n  - path: frames/x-1.png\n")
    assert after.endswith("other: 1\n")


def test_an_approved_campaign_still_becomes_the_identity_frame(library: Path, storyboard: Storyboard) -> None:
    still = storyboard.stills[storyboard.approved]
    bible = library / "bibles/characters/bear.yaml"
    before = bible.read_text(encoding="utf-8")
    result = cli("frame", "promote", str(still), "--character", "bear", "--note", "match the scarf",
                 library=library)
    assert result.exit_code == 0, result.output
    copy = library / "bibles/characters/frames/bear-1.png"
    assert result.stdout == (f"character bear: frame 2 is frames/bear-1.png (identity), from {still} (approve)\n")
    assert copy.read_bytes() == still.read_bytes()
    inserted = _only_inserted(before, bible.read_text(encoding="utf-8"))
    assert inserted[:3] == ["  - path: frames/bear-1.png\n", "    role: identity\n", "    note: match the scarf\n"]

    frame = Library(library).character("bear").model.reference_frames[-1]
    p = frame.provenance
    assert isinstance(p, FrameProvenance)
    brief = storyboard.folder / "briefs" / f"{storyboard.approved}.json"
    prompt = json.loads(brief.read_text(encoding="utf-8"))["prompt"]
    assert (p.kind, p.shot, p.take, p.verdict, p.reviewers) == ("campaign", storyboard.approved, 1, "approve",
                                                                {"ann": "approve"})
    assert (p.model, p.backend, p.target) == ("gpt-image-2-image-to-image", "kie", "gpt-image-2")
    assert p.task_id == storyboard.tasks[storyboard.approved] and p.task_id
    assert (p.brief, p.brief_sha256) == (str(brief.resolve()), sha(brief))
    assert p.prompt_sha256 == hashlib.sha256(prompt.encode()).hexdigest()
    assert (p.source, p.sha256, p.folder) == (str(still.resolve()), sha(still), str(storyboard.folder.resolve()))
    assert p.promoted_at.tzinfo is not None and not p.forced

    assert cli("validate", library=library).exit_code == 0
    shot = cli("shot", "-c", "bear", "-s", "castle", "--format", "json", library=library)
    assert str(copy) in json.loads(shot.stdout)["reference_frames"]  # the next shot attaches it


def test_a_second_promote_takes_the_next_free_name(library: Path, storyboard: Storyboard) -> None:
    taken = library / "bibles/characters/frames/bear-1.png"
    taken.write_bytes(b"someone else's")
    still = storyboard.stills[storyboard.approved]
    assert cli("frame", "promote", str(still), "--character", "bear", library=library).exit_code == 0
    assert taken.read_bytes() == b"someone else's"
    assert (library / "bibles/characters/frames/bear-2.png").read_bytes() == still.read_bytes()


def test_a_shot_generate_result_records_its_generation(library: Path, tmp_path: Path, fake_kie: FakeKie) -> None:
    out = tmp_path / "out"
    made = cli("shot", "-c", "fox", "-s", "castle", "--generate", "--out", str(out), library=library,
               env=fake_kie.env())
    assert made.exit_code == 0, made.output
    image = next(out.glob("fox--castle*.png"))
    result = cli("frame", "promote", str(image), "--character", "fox", "--role", "wardrobe", library=library)
    assert result.exit_code == 0, result.output
    p = Library(library).character("fox").model.reference_frames[-1].provenance
    record = json.loads((out / "fox--castle.generation.json").read_text(encoding="utf-8"))
    assert (p.kind, p.shot, p.task_id, p.model, p.verdict) == ("shot", "fox--castle", record["task_id"],
                                                               record["model"], None)
    assert p.brief_sha256 == sha(out / "fox--castle.json")


def test_a_rejected_result_needs_force(library: Path, storyboard: Storyboard) -> None:
    still = storyboard.stills[storyboard.rejected]
    before = tree(library)
    refused = cli("frame", "promote", str(still), "--character", "owl", library=library)
    assert refused.exit_code == 1
    assert refused.stderr == (f"Error: {still} was rejected in review by bob ({storyboard.folder.resolve()}); "
                              "pass --force to promote it anyway\n")
    assert tree(library) == before
    forced = cli("frame", "promote", str(still), "--character", "owl", "--force", library=library)
    assert forced.exit_code == 0, forced.output
    p = Library(library).character("owl").model.reference_frames[-1].provenance
    assert (p.verdict, p.reviewers, p.forced) == ("reject", {"bob": "reject"}, True)


def _refusals(library: Path, storyboard: Storyboard, tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(make_png(3, "outside"))
    text = library / "notes.png"
    text.write_text("not an image\n", encoding="utf-8")
    stray = storyboard.folder / "images" / "stray.png"
    stray.write_bytes(make_png(4, "stray"))
    still = str(storyboard.stills[storyboard.approved])
    lib = library.resolve()
    return {
        "outside": ([str(outside), "--character", "bear"],
                    f"Error: {outside.resolve()} is outside any campaign folder and the library {lib}: promote a "
                    "result of `compose campaign run` or `compose shot --generate`, or a file inside the library"),
        "not an image": ([str(text), "--character", "bear"], f"Error: {text}: not a PNG, JPEG or WebP image"),
        "missing": ([str(tmp_path / "gone.png"), "--character", "bear"],
                    f"Error: {tmp_path / 'gone.png'}: file not found"),
        "unknown asset": ([still, "--character", "nobody"],
                          "Error: unknown character 'nobody' (known: bear, fox, owl, red-curls)"),
        "role": ([still, "--style", "watercolor-1970s", "--role", "identity"],
                 "Error: role 'identity' is not one a style dossier carries (choose style)"),
        "no asset": ([still], "Error: name the asset to promote to: one of --character, --product, --style or "
                              "--scene"),
        "already there": ([str(library / "bibles/characters/frames/bear.png"), "--character", "bear"],
                          f"Error: {library / 'bibles/characters/frames/bear.png'} is already frame 1 of character "
                          "bear (frames/bear.png)"),
        "not a shot's": ([str(stray), "--character", "bear"],
                         f"Error: {stray.resolve()} is in the campaign folder {storyboard.folder.resolve()}, but no "
                         "shot of its ledger made it: promote one of its results (images/)"),
    }


@pytest.mark.parametrize("case", ["outside", "not an image", "missing", "unknown asset", "role", "no asset",
                                  "already there", "not a shot's"])
def test_each_refusal_is_one_line_and_writes_nothing(library: Path, storyboard: Storyboard, tmp_path: Path,
                                                     case: str) -> None:
    args, message = _refusals(library, storyboard, tmp_path)[case]
    before = tree(library)
    result = cli("frame", "promote", *args, library=library)
    assert result.exit_code == 1, result.output
    assert result.stderr == message + "\n"
    assert tree(library) == before


def test_provenance_is_typed_a_misspelt_field_is_refused_by_validate(library: Path) -> None:
    bible = library / "bibles/characters/bear.yaml"
    bible.write_text(bible.read_text(encoding="utf-8").replace(
        "  - frames/bear.png\n",
        "  - path: frames/bear.png\n    provenance: {source: /x.png, sha256: '" + "0" * 64 + "', kind: library,\n"
        "                 promoted_at: '2026-12-03T08:40:00Z', taks_id: t1}\n"), encoding="utf-8")
    result = cli("validate", library=library)
    assert result.exit_code == 1
    assert "bear.yaml:50: reference_frames.0.ReferenceFrame.provenance.taks_id: unknown field" in result.output
