"""Golden files: the example library's briefs, byte for byte.

A change to a template or a bundled asset shows up here as a diff to review. To accept it:
``COMPOSER_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and commit the changed files.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from composer import Composer, Library, ShotSpec
from composer.export import brief_json, brief_json_text, brief_markdown
from composer.shot import load_shot_file

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parent.parent

CASES: dict[str, ShotSpec] = {
    "red-curls--castle": ShotSpec(characters=["red-curls"], scene="castle"),
    "red-curls--berlin-nightclub": ShotSpec(characters=["red-curls"], scene="berlin-nightclub"),
    "red-curls--castle--sora-2": ShotSpec(characters=["red-curls"], scene="castle", target="sora-2"),
    "red-curls--castle--7000": ShotSpec(characters=["red-curls"], scene="castle", max_chars=7000),
    "perfume-marble": load_shot_file(REPO / "examples/shots/perfume-marble.yaml"),
    "bear+owl--woodland": ShotSpec(
        characters=["bear", "owl"], scene="woodland-clearing", brand="bramble-books", style="watercolor-1970s"
    ),
}


@pytest.fixture(scope="module")
def composer() -> Composer:
    return Composer(Library(REPO))


@pytest.mark.parametrize("name", sorted(CASES))
def test_brief_matches_golden(composer: Composer, name: str) -> None:
    brief = composer.compose(CASES[name])
    md = brief_markdown(brief)
    for suffix, text in ((".txt", brief.prompt), (".md", _portable(md))):
        path = GOLDEN / f"{name}{suffix}"
        if os.environ.get("COMPOSER_UPDATE_GOLDEN") == "1":
            path.write_text(text, encoding="utf-8")
        assert path.read_text(encoding="utf-8") == text, f"{path.name} differs; see the module docstring"


def _portable(md: str) -> str:
    """The Markdown header names absolute paths and token counts that vary by machine."""
    lines = [
        line
        for line in md.splitlines()
        if not line.startswith(("| Reference frames", "| Tokens", "| Sources", "| Warnings"))
    ]
    return "\n".join(lines).replace(str(REPO), "<library>")


def test_character_block_is_identical_in_every_scene(composer: Composer) -> None:
    for character in ("red-curls", "bear", "fox", "owl"):
        blocks = set()
        for scene in Library(REPO).ids("scene"):
            prompt = composer.compose(ShotSpec(characters=[character], scene=scene)).prompt
            start = prompt.index("SUBJECT AND CAST:\n") + len("SUBJECT AND CAST:\n")
            blocks.add(prompt[start : prompt.index("\n\n", start)])
        assert len(blocks) == 1, character


def test_headline_demo_fits_with_nothing_dropped(composer: Composer) -> None:
    brief = composer.compose(ShotSpec(characters=["red-curls"], scene="castle"))
    assert brief.chars <= 20_000 and brief.shortenings == [] and brief.mode == "image-to-image"


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_file_is_what_the_standard_library_would_write(composer: Composer, name: str) -> None:
    brief = composer.compose(CASES[name])
    assert brief_json_text(brief) == json.dumps(brief_json(brief), indent=2, ensure_ascii=False)


def test_json_file_escapes_text_as_the_standard_library_does(composer: Composer) -> None:
    brief = composer.compose(CASES["red-curls--castle"])
    tricky = dataclasses.replace(brief, prompt='Quote " back\\slash /tab\t\x00\x1f\x7f \u2028 é 日本 🙂\n',
                                 warnings=[], shortenings=[])
    assert brief_json_text(tricky) == json.dumps(brief_json(tricky), indent=2, ensure_ascii=False)
