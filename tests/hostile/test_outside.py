"""Class 1: a library can never make composer read a file outside itself.

Every file composer reads from a library (YAML assets, composer.yaml, templates and their includes,
reference frames, and the frames shot and campaign files name) resolves inside the library root,
checked in one place (composer.paths); the refusal names the link and where it leads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import Libraries, Mutation
from tests.hostile.harness import Batch, assert_refused, assert_reported, run_cases, shot_args

SECRET = "root:x:0:0:TOP-SECRET-CONTENT\n"


def secret(root: Path, name: str = "secret.txt") -> Path:
    """A file outside the library whose content must never reach a prompt."""
    path = root.parent / name
    path.write_text(SECRET, encoding="utf-8")
    return path


def link(path: Path, target: Path) -> None:
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


def template_link(root: Path) -> None:
    link(root / "templates/brief.txt.j2", secret(root))


def templates_folder_link(root: Path) -> None:
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "brief.txt.j2").write_text(SECRET, encoding="utf-8")
    (root / "templates").rmdir()
    (root / "templates").symlink_to(elsewhere)


def include_link(root: Path) -> None:
    (root / "templates/brief.txt.j2").write_text('{% include "leak.j2" %}\n', encoding="utf-8")
    link(root / "templates/leak.j2", secret(root))


def bible_link(root: Path) -> None:
    target = secret(root, "scene.yaml")
    target.write_text("name: Leak\nsummary: TOP-SECRET-CONTENT\nsetting: s\nlighting: l\ncamera: c\nlens: 35mm\n",
                      encoding="utf-8")
    link(root / "bibles/scenes/harbour.yaml", target)


def folder_link(root: Path) -> None:
    elsewhere = root.parent / "scenes-elsewhere"
    (root / "bibles/scenes").rename(elsewhere)
    (root / "bibles/scenes").symlink_to(elsewhere)


def config_link(root: Path) -> None:
    target = secret(root, "config.yaml")
    target.write_text("name: TOP-SECRET-CONTENT\n", encoding="utf-8")
    link(root / "composer.yaml", target)


CASES: list[tuple[str, Mutation, str, str]] = [
    ("template", template_link, "templates/brief.txt.j2", "secret.txt"),
    ("templates-folder", templates_folder_link, "templates/brief.txt.j2", "templates is a symlink to"),
    ("include", include_link, "templates/leak.j2", "secret.txt"),
    ("bible", bible_link, "bibles/scenes/harbour.yaml", "scene.yaml"),
    ("bibles-folder", folder_link, "bibles/scenes/harbour.yaml", "bibles/scenes is a symlink to"),
    ("composer.yaml", config_link, "composer.yaml", "config.yaml"),
]


@pytest.fixture(scope="module")
def outcomes(libraries: Libraries) -> Batch:
    cases: dict[str, tuple[Path, list[str]]] = {}
    for name, mutate, _, _ in CASES:
        root = libraries.make(name, mutate)
        cases[name] = (root, shot_args(root, root.parent / "out"))
        cases[f"validate {name}"] = (root, ["validate", "--library", str(root)])
    return run_cases(cases)


@pytest.mark.parametrize(("name", "mutate", "file", "target"), CASES, ids=[c[0] for c in CASES])
def test_a_link_out_of_the_library_is_refused(outcomes: Batch, name: str, mutate: Mutation, file: str,
                                              target: str) -> None:
    line = assert_refused(outcomes.runs[name], f"/lib/{file}: resolves outside the library root", target)
    assert "TOP-SECRET" not in line


VALIDATED = [c for c in CASES if c[0] not in ("include", "composer.yaml")]


@pytest.mark.parametrize(("name", "mutate", "file", "target"), VALIDATED, ids=[c[0] for c in VALIDATED])
def test_validate_reports_the_link(outcomes: Batch, name: str, mutate: Mutation, file: str, target: str) -> None:
    output = assert_reported(outcomes.runs[f"validate {name}"], f"/lib/{file}: resolves outside the library root",
                             target)
    assert "TOP-SECRET" not in output


def _shot_file_with_outside_reference(root: Path) -> None:
    photo = root.parent / "photo.png"  # a real image, outside the library
    photo.write_bytes((root / "bibles/characters/frames/ada.png").read_bytes())
    (root / "shots").mkdir()
    (root / "shots/leak.yaml").write_text(f"characters: [bo]\nscene: harbour\nreferences:\n  - {photo}\n",
                                          encoding="utf-8")


def _inside_link(root: Path) -> None:
    (root / "bibles/scenes/harbour.yaml").rename(root / "harbour-original.yaml")
    (root / "bibles/scenes/harbour.yaml").symlink_to(root / "harbour-original.yaml")


@pytest.fixture(scope="module")
def references(libraries: Libraries) -> tuple[Path, Batch]:
    root = libraries.make("references", _shot_file_with_outside_reference)
    inside = libraries.make("inside-link", _inside_link)
    shot, photo = root / "shots/leak.yaml", root.parent / "photo.png"
    (root / "campaigns").mkdir()
    campaign = root / "campaigns/c.yaml"  # part of the library, as an agency's campaign would be
    campaign.write_text(f"name: c\nshots:\n  - {{characters: [bo], scene: harbour, references: [{photo}]}}\n",
                        encoding="utf-8")
    own = root.parent / "mine.yaml"  # the user's own shot file, outside the library
    own.write_text(f"characters: [bo]\nscene: harbour\nreferences: [{photo}]\n", encoding="utf-8")
    return root, run_cases({
        "shot file": (root, shot_args(root, root.parent / "out", "--shot", str(shot))),
        "validate": (root, ["validate", "--library", str(root)]),
        "campaign": (root, ["campaign", "plan", str(campaign), "--library", str(root)]),
        "--reference": (root, ["shot", "--library", str(root), "-c", "bo", "-s", "harbour", "--reference", str(photo)]),
        "link inside": (inside, ["shot", "--library", str(inside), "-c", "ada", "-s", "harbour"]),
        "own shot file": (root, ["shot", "--library", str(root), "--shot", str(own)]),
    })


def test_a_shot_file_names_references_only_inside_the_library(references: tuple[Path, Batch]) -> None:
    root, batch = references
    photo = root.parent / "photo.png"
    assert_refused(batch.runs["shot file"],
                   f"{root}/shots/leak.yaml:4: references.0: reference {photo}: resolves outside the library root")
    assert_reported(batch.runs["validate"], f"{root}/shots/leak.yaml:4: references.0: reference {photo}: resolves")


def test_a_campaign_names_references_only_inside_the_library(references: tuple[Path, Batch]) -> None:
    root, batch = references
    assert_refused(batch.runs["campaign"], f"reference {root.parent / 'photo.png'}: resolves outside the library root")


def test_frames_the_user_names_and_links_inside_are_fine(references: tuple[Path, Batch]) -> None:
    _, batch = references
    for name in ("--reference", "link inside", "own shot file"):
        run = batch.runs[name]
        assert (run.code, run.crash) == (0, None), run.stderr
