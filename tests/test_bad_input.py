"""Every kind of bad input ends in one clear line, a non-zero exit, no traceback and no file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from composer.cli import main

Mutation = Callable[[Path], None]


def replace_in(name: str, old: str, new: str) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    return mutate


def write(name: str, data: bytes) -> Mutation:
    def mutate(root: Path) -> None:
        (root / name).write_bytes(data)

    return mutate


def frame_outside(root: Path) -> None:
    outside = root.parent / "elsewhere.png"
    outside.write_bytes((root / "bibles/characters/frames/ada.png").read_bytes())
    (root / "bibles/characters/frames/ada.png").unlink()
    (root / "bibles/characters/frames/ada.png").symlink_to(outside)


def frame_too_large(root: Path) -> None:
    path = root / "bibles/characters/frames/ada.png"
    head = path.read_bytes()
    with path.open("r+b") as fh:
        fh.truncate(51 * 1024 * 1024)  # sparse: costs no disk
        fh.write(head)


ADA = "bibles/characters/ada.yaml"
CASES: list[tuple[str, Mutation, list[str], str]] = [
    (
        "yaml-syntax",
        replace_in(ADA, "build: tall and slim", "build: [tall"),
        [],
        f"{ADA}:7: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence that "
        "starts on line 6)",
    ),
    (
        "unknown-field",
        replace_in(ADA, "wardrobe:", "wardrobe_rules:"),
        [],
        f"{ADA}:7: wardrobe_rules: unknown field (did you mean 'wardrobe'?) (and 1 more problem(s)",
    ),
    (
        "wrong-type",
        replace_in(ADA, "hair: short straight black bob", "hair: [1, 2]"),
        [],
        f"{ADA}:5: identity.hair: Input should be a valid string",
    ),
    (
        "duplicate-key",
        replace_in(ADA, "name: Ada\n", "name: Ada\nname: Ada again\n"),
        [],
        f"{ADA}:2: YAML syntax error: duplicate key 'name'",
    ),
    ("not-utf8", write(ADA, "name: Ad\u00e9\n".encode("latin-1")), [], f"{ADA}:1: not UTF-8 text"),
    ("unknown-character", lambda root: None, ["--character", "zed"], "unknown character 'zed' (known: ada, bo)"),
    ("unknown-scene", lambda root: None, ["--scene", "moon"], "unknown scene 'moon' (known: harbour)"),
    ("unknown-brand", lambda root: None, ["--brand", "nope"], "unknown brand 'nope' (known: acme)"),
    (
        "frame-missing",
        lambda root: (root / "bibles/characters/frames/ada.png").unlink(),
        [],
        f"{ADA}:12: reference_frames.0: reference frame",
    ),
    (
        "frame-not-image",
        write("bibles/characters/frames/ada.png", b"GIF89a not ours"),
        [],
        "not a PNG, JPEG or WebP image",
    ),
    ("frame-too-large", frame_too_large, [], "too large (51.0 MB, limit 50 MB)"),
    ("frame-outside", frame_outside, [], "resolves outside the library root"),
    (
        "frame-dotdot",
        replace_in(ADA, "frames/ada.png", "../../../elsewhere.png"),
        [],
        "resolves outside the library root",
    ),
    (
        "template-internals",
        write("templates/brief.txt.j2", b"{{ ''.__class__.__mro__ }}\n"),
        [],
        "templates/brief.txt.j2:1: template may not reach Python internals",
    ),
    (
        "template-undefined",
        write("templates/brief.txt.j2", b"ok\n{{ scene.nope }}\n"),
        [],
        "templates/brief.txt.j2:2: undefined variable",
    ),
    ("too-long", lambda root: None, ["--max-chars", "300"], "limit 300, over by"),
    ("bad-set", lambda root: None, ["--set", "colour=red"], "--set colour: unknown delta"),
]


@pytest.mark.parametrize(("name", "mutate", "extra", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(
    mini_library: Path, tmp_path: Path, name: str, mutate: Mutation, extra: list[str], expected: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (mini_library / "templates").mkdir(exist_ok=True)
    mutate(mini_library)
    out = tmp_path / "out"
    args = ["shot", "--library", str(mini_library), "--out", str(out)]
    if "--character" not in extra:
        args += ["--character", "ada"]
    if "--scene" not in extra:
        args += ["--scene", "harbour"]
    monkeypatch.chdir(mini_library)  # paths in messages are absolute; expected strings are suffixes
    result = CliRunner().invoke(main, [*args, *extra])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_explicit_reference_may_live_outside_the_library(mini_library: Path, tmp_path: Path) -> None:
    outside = tmp_path / "still.png"
    outside.write_bytes((mini_library / "bibles/characters/frames/ada.png").read_bytes())
    result = CliRunner().invoke(
        main,
        [
            "shot",
            "--library",
            str(mini_library),
            "-c",
            "bo",
            "-s",
            "harbour",
            "--reference",
            str(outside),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert str(outside.resolve()) in result.stdout
