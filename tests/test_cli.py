from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from composer.cli import main
from composer.export import JSON_FIELDS
from composer.library import bundled_library


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_shot_prints_the_prompt_and_a_summary(mini_library: Path) -> None:
    code, out, err = run("shot", "--library", str(mini_library), "-c", "ada", "-s", "harbour")
    assert code == 0, err
    assert out.startswith("Create one finished still image")
    assert "SUBJECT AND CAST:\nAda (ada):\n- Face: oval face, dark brown eyes" in out
    summary = err.strip().splitlines()[0]
    assert summary.startswith("ada--harbour -> gpt-image-2: ")
    assert f"{len(out.rstrip(chr(10))):,}/20,000 chars" in summary
    assert "image-to-image, nothing dropped" in summary


def test_json_has_exactly_the_documented_fields(mini_library: Path, exact_tokens: None) -> None:
    code, out, _ = run(
        "shot",
        "--library",
        str(mini_library),
        "-c",
        "ada",
        "-c",
        "bo",
        "-s",
        "harbour",
        "--format",
        "json",
        "--set",
        "counts=3 gulls",
        "--set",
        "order=Ada;Bo",
    )
    assert code == 0
    data = json.loads(out)
    assert tuple(data) == JSON_FIELDS
    assert data["chars"] == len(data["prompt"])
    assert data["tokens_exact"] is True and 0 < data["tokens"] < data["chars"]
    assert data["mode"] == "image-to-image" and data["target"] == "gpt-image-2" and data["limit"] == 20000
    assert data["reference_frames"] == [str((mini_library / "bibles/characters/frames/ada.png").resolve())]
    assert "Exactly 3 gulls: no more, no fewer." in data["prompt"]
    assert "From left to right, in this exact order: Ada, Bo." in data["prompt"]
    assert "- Ada and Bo: older brother" in data["prompt"]
    kinds = {(s["kind"], s["id"]) for s in data["sources"]}
    assert {
        ("brand", "acme"),
        ("character", "ada"),
        ("character", "bo"),
        ("scene", "harbour"),
        ("style", "wash"),
        ("template", "brief.txt.j2"),
        ("template", "character.txt.j2"),
        ("reference_frame", "ada.png"),
        ("config", "composer.yaml"),
    } <= kinds
    assert all(len(s["sha256"]) == 64 for s in data["sources"])


def test_text_to_image_without_frames(mini_library: Path) -> None:
    _code, out, _ = run("shot", "--library", str(mini_library), "-c", "bo", "-s", "harbour", "--format", "json")
    data = json.loads(out)
    assert data["mode"] == "text-to-image" and data["reference_frames"] == []
    assert "attached reference images" not in data["prompt"]


def test_max_chars_drops_optional_material_and_reports_it(mini_library: Path) -> None:
    _, full, _ = run("shot", "--library", str(mini_library), "-c", "ada", "-s", "harbour")
    code, out, err = run(
        "shot",
        "--library",
        str(mini_library),
        "-c",
        "ada",
        "-s",
        "harbour",
        "--max-chars",
        str(len(full) - 40),
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["chars"] <= len(full) - 40 == data["limit"]
    assert data["dropped"] and data["dropped"][0].startswith("scene.props dropped")
    assert "Props:" not in data["prompt"] and "scene.props dropped" in err


def test_character_block_is_identical_across_scenes(mini_library: Path) -> None:
    (mini_library / "bibles/scenes/cafe.yaml").write_text(
        (mini_library / "bibles/scenes/harbour.yaml").read_text().replace("a small stone harbour", "a cafe")
    )
    block = ""
    for scene in ("harbour", "cafe"):
        _, out, _ = run("shot", "--library", str(mini_library), "-c", "ada", "-c", "bo", "-s", scene)
        start = out.index("Ada (ada):")
        this = out[start : out.index("\n\n", start)]
        assert block in ("", this)
        block = this
    assert "yellow raincoat" in block


def test_out_writes_three_prompt_files(mini_library: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "briefs"
    code, out, err = run("shot", "--library", str(mini_library), "-c", "ada", "-s", "harbour", "--out", str(out_dir))
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == ["ada--harbour.json", "ada--harbour.md", "ada--harbour.txt",
                                                         "frames"]
    assert (out_dir / "ada--harbour.txt").read_text(encoding="utf-8") == out.rstrip("\n")
    assert json.loads((out_dir / "ada--harbour.json").read_text())["prompt"] == out.rstrip("\n")
    md = (out_dir / "ada--harbour.md").read_text()
    assert md.startswith("# Brief: ada--harbour\n") and "| Mode | image-to-image |" in md and "## Scene\n" in md


def test_markdown_format(mini_library: Path) -> None:
    code, out, _ = run("shot", "--library", str(mini_library), "-c", "ada", "-s", "harbour", "--format", "md")
    assert code == 0 and "## Subject and cast\nAda (ada):" in out and "| Target | gpt-image-2" in out


def test_sora_target_uses_the_motion_template(mini_library: Path) -> None:
    code, out, _ = run(
        "shot", "--library", str(mini_library), "-c", "ada", "-s", "harbour", "-t", "sora-2", "--format", "json"
    )
    data = json.loads(out)
    assert code == 0 and data["mode"] == "image-to-video" and data["limit"] == 2500
    assert "Motion: boats rock gently" in data["prompt"]
    assert "Ada: A tall woman with short black hair" in data["prompt"]


def test_shot_file_with_flags_on_top(mini_library: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.yaml"
    shot.write_text("characters: [ada]\nscene: harbour\ndeltas:\n  counts: [2 boats]\n")
    code, out, err = run(
        "shot", "--library", str(mini_library), "--shot", str(shot), "-c", "bo", "--set", "counts=1 gull"
    )
    assert code == 0, err
    assert "Bo (bo):" in out and "Exactly 2 boats" in out and "Exactly 1 gull" in out


def test_list_and_show(mini_library: Path) -> None:
    assert run("list", "characters", "--library", str(mini_library))[1] == "ada\nbo\n"
    code, out, _ = run("list", "--library", str(mini_library))
    assert "characters: ada, bo" in out and "targets: gpt-image-2, openai-gpt-image-2, sora-2" in out
    code, out, _ = run("show", "character", "ada", "--library", str(mini_library), "--format", "json")
    assert code == 0 and json.loads(out)["identity"]["hair"] == "short straight black bob"
    code, out, _ = run("show", "target", "sora-2", "--library", str(mini_library))
    assert "max_chars: 2500" in out


def test_library_resolution_order(mini_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "not-a-library"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert "characters: bear" in run("list")[1]  # nothing here: the bundled examples
    monkeypatch.chdir(mini_library)
    assert "characters: ada, bo" in run("list")[1]  # the current directory
    monkeypatch.chdir(empty)
    monkeypatch.setenv("COMPOSER_LIBRARY", str(mini_library))
    assert "characters: ada, bo" in run("list")[1]  # the environment
    code, _, err = run("list", "--library", str(empty))
    assert code == 1 and err.startswith(f"Error: --library {empty} is not a composer library")


def test_bundled_library_is_the_repository_in_a_checkout() -> None:
    assert (bundled_library() / "templates" / "brief.txt.j2").is_file()


def test_compose_shot_never_imports_the_tui_or_http_stack(mini_library: Path) -> None:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['compose', 'shot', '--library', {str(mini_library)!r}, '-c', 'ada', '-s', 'harbour']\n"
        "try:\n    runpy.run_module('composer.cli', run_name='__main__')\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
        "heavy = sorted(m for m in ('textual', 'aiohttp', 'httpx', 'openai', 'PIL', 'rich', 'orjson')\n"
        "               if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "HEAVY []"


def test_every_brief_of_a_batch_lists_its_templates(mini_library: Path) -> None:
    from composer import Composer, Library, ShotSpec

    composer = Composer(Library(mini_library))
    for _ in range(2):  # the second render comes from Jinja's template cache
        brief = composer.compose(ShotSpec(characters=["ada"], scene="harbour"))
        assert {s["id"] for s in brief.sources if s["kind"] == "template"} == {"brief.txt.j2", "character.txt.j2"}


def test_locked_first_frame_is_part_of_the_motion_brief(mini_library: Path, tmp_path: Path) -> None:
    still = tmp_path / "still.png"
    still.write_bytes((mini_library / "bibles/characters/frames/ada.png").read_bytes())
    code, out, err = run(
        "shot",
        "--library",
        str(mini_library),
        "-c",
        "bo",
        "-s",
        "harbour",
        "-t",
        "sora-2",
        "--frame",
        str(still),
        "--estimate",
    )
    assert code == 0, err
    assert "image-to-video" in err and "1 reference frame(s)" in out
