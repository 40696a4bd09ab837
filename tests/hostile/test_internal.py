"""Class 3: inputs that used to reach the internal-error path (exit 70) are one-line refusals naming the file.

Unhashable and complex YAML keys, integers over Python's 4,300-digit limit and other values that
cannot be built (composer/yamlio.py); ids too long or holding a NUL, symlink loops, FIFOs, folders
and unreadable files where a file should be (composer/paths.py and Library.path_of).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile.conftest import Libraries
from tests.hostile.harness import Batch, assert_refused, assert_reported, run_cases, shot_args

ADA = "bibles/characters/ada.yaml"
SCENE = "bibles/scenes/harbour.yaml"


def replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def fifo(name: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        (root / name).unlink()
        os.mkfifo(root / name)

    return mutate


def loop(root: Path) -> None:
    (root / SCENE).unlink()
    (root / SCENE).symlink_to(root / SCENE)


def folder(root: Path) -> None:
    (root / SCENE).unlink()
    (root / SCENE).mkdir()


def unreadable(root: Path) -> None:
    (root / SCENE).chmod(0)


YAML_ERROR = "YAML syntax error:"
CASES: list[tuple[str, Callable[[Path], None], list[str], str]] = [
    ("list-key", replace(ADA, "name: Ada\n", "name: Ada\n? [a, b]\n: x\n"), [],
     f"{ADA}:2: {YAML_ERROR} a key must be plain text, not a list"),
    ("mapping-key", replace(ADA, "name: Ada\n", "name: Ada\n? {a: 1}\n: x\n"), [],
     f"{ADA}:2: {YAML_ERROR} a key must be plain text, not a mapping"),
    ("flow-list-key", replace(ADA, "name: Ada\n", "name: Ada\n[a, b]: x\n"), [],
     f"{ADA}:2: {YAML_ERROR} a key must be plain text, not a list"),
    ("nested-complex-key", replace(ADA, "bo: older brother", "? [bo]\n  : older brother"), [],
     f"{ADA}:10: {YAML_ERROR} a key must be plain text, not a list"),
    ("huge-int", replace(ADA, "name: Ada", "name: " + "9" * 5000), [],
     f"{ADA}:1: {YAML_ERROR} integer of 5,000 digits (at most 100); quote it if it is text"),
    ("huge-int-key", replace(ADA, "name: Ada\n", "name: Ada\n" + "1" * 4500 + ": x\n"), [],
     f"{ADA}:2: {YAML_ERROR} could not find expected ':'"),  # libyaml: a plain key is at most 1,024 characters
    ("bad-date", replace(ADA, "name: Ada", "name: 2026-13-45"), [],
     f"{ADA}:1: {YAML_ERROR} cannot read value '2026-13-45': month must be in 1..12"),
    ("control-character", replace(ADA, "name: Ada", "name: A\x07da"), [],
     f"{ADA}:1: YAML error: character U+0007 is not allowed in YAML"),
    ("long-id", lambda root: None, ["-c", "x" * 300], "unknown character 'xxxx"),
    ("nul-in-id", lambda root: None, ["-c", "a\x00b"], "unknown character 'a\\x00b' (known: ada, bo)"),
    ("slash-in-id", lambda root: None, ["-c", "../../etc/passwd"], "unknown character '../../etc/passwd'"),
    ("symlink-loop", loop, [], f"{SCENE}: symlink loop (too many levels of symbolic links)"),
    ("fifo-asset", fifo(SCENE), [], f"{SCENE}: not a regular file (a FIFO)"),
    ("folder-asset", folder, [], f"{SCENE}: not a regular file (a folder)"),
    ("fifo-template", lambda root: os.mkfifo(root / "templates/brief.txt.j2"), [],
     "templates/brief.txt.j2: not a regular file (a FIFO)"),
    ("nul-in-frame", replace(ADA, "  - frames/ada.png", '  - "frames/a\\0.png"'), [],
     f"{ADA}:12: reference_frames.0: reference frame"),
    ("long-frame-name", replace(ADA, "frames/ada.png", "frames/" + "y" * 300 + ".png"), [],
     "file name too long"),
    ("fifo-frame", fifo("bibles/characters/frames/ada.png"), [], "ada.png: not a regular file (a FIFO)"),
    ("empty-frame", lambda root: (root / "bibles/characters/frames/ada.png").write_bytes(b""), [],
     "ada.png: not a PNG, JPEG or WebP image"),
]
ROOT = os.geteuid() == 0  # permissions do not stop root: that case is skipped there


@pytest.fixture(scope="module")
def outcomes(libraries: Libraries) -> Batch:
    cases: dict[str, tuple[Path, list[str]]] = {}
    for name, mutate, extra, _ in CASES:
        root = libraries.make(name, mutate)
        cases[name] = (root, shot_args(root, root.parent / "out", *extra))
        cases[f"validate {name}"] = (root, ["validate", "--library", str(root)])
    if not ROOT:
        root = libraries.make("unreadable", unreadable)
        cases["unreadable"] = (root, shot_args(root, root.parent / "out"))
    return run_cases(cases)


@pytest.mark.parametrize(("name", "mutate", "extra", "expected"), CASES, ids=[c[0] for c in CASES])
def test_refused_in_one_line_never_as_an_internal_error(outcomes: Batch, name: str, mutate: object, extra: list[str],
                                                        expected: str) -> None:
    line = assert_refused(outcomes.runs[name], expected)
    assert "\x00" not in line and len(line) < 1_600


@pytest.mark.parametrize(("name", "mutate", "extra", "expected"),
                         [c for c in CASES if not c[2]], ids=[c[0] for c in CASES if not c[2]])
def test_validate_reports_it(outcomes: Batch, name: str, mutate: object, extra: list[str], expected: str) -> None:
    assert_reported(outcomes.runs[f"validate {name}"], expected.split(": ", 1)[0])


@pytest.mark.skipif(ROOT, reason="root reads any file whatever its permissions")
def test_an_unreadable_file(outcomes: Batch) -> None:
    assert_refused(outcomes.runs["unreadable"], f"{SCENE}: permission denied")
