"""Class 2: memory and time bombs are refused in one line, inside 512 MB and the time bound.

Templates (composer/sandbox.py: widths, sizes, loop items, recursion), YAML (composer/yamlio.py:
file size, expansion budget before building), campaign expansion (counted before materialising)
and images (composer/images.py: regular files only, dimensions before decoding). Every bomb is
built here; each class runs in one child process under ``resource.setrlimit(RLIMIT_AS, 512 MB)``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile import images_support as build
from tests.hostile.conftest import Libraries
from tests.hostile.harness import Batch, assert_refused, assert_reported, run_bounded, run_cases, shot_args

TEMPLATE = "templates/brief.txt.j2"
WIDTH = "is over the limit of 1,000"
OUTPUT = "template output exceeds 1,000,000 characters"
NESTED = "template is nested too deeply to compile"
TEMPLATE_BOMBS: list[tuple[str, str, str]] = [
    ("center", "{{ 'x'|center(10**9) }}", f":1: center width 1,000,000,000 {WIDTH}"),
    ("format-star", "ok\n{{ '%*s'|format(10**9, '') }}", f":2: format width 1,000,000,000 {WIDTH}"),
    ("percent-width", "{{ '%999999999s' % 'x' }}", f":1: format width 999,999,999 {WIDTH}"),
    ("indent", "{{ 'a\nb'|indent(10**9) }}", f":2: indent width 1,000,000,000 {WIDTH}"),
    ("format-map", "{{ '{x:>999999999}'.format_map({'x': 1}) }}", f":1: format width 999,999,999 {WIDTH}"),
    ("format-nested-width", "{{ '{:>{w}}'.format('a', w=10**9) }}", f":1: format width 1,000,000,000 {WIDTH}"),
    ("str-method", "{{ 'x'.ljust(10**9) }}", f":1: ljust width 1,000,000,000 {WIDTH}"),
    ("batch", "{{ [1]|batch(10**9, 'x')|list }}", f":1: batch size 1,000,000,000 {WIDTH}"),
    ("list-times", "{{ [0] * 10**9 }}", f":1: {OUTPUT} (1 x 1,000,000,000)"),
    ("text-times", "{% set x = 'x' * 10**8 %}{{ x }}", f":1: {OUTPUT} (1 x 100,000,000)"),
    ("range-list-times", "{{ range(10)|list * 10**8 }}", f":1: {OUTPUT} (10 x 100,000,000)"),
    ("range-too-big", "{{ range(10**9)|list }}", ":1: template failed: Range too big"),
    ("nested-loops", "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
     ":1: loops over more than 1,000,000 items in one render"),
    ("loop-output", "{% for i in range(5000) %}{{ 'y' * 1000 }}\n{% endfor %}", f":1: {OUTPUT}"),
    ("doubling-macro", "{% macro d(s, n) %}{{ d(s ~ s, n - 1) if n else s }}{% endmacro %}{{ d('x', 40) }}",
     f":1: {OUTPUT} (a text of 1,048,576)"),
    ("doubling-namespace",
     "{% set ns = namespace(x='x') %}{% for i in [1] * 40 %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x }}",
     f":1: {OUTPUT} (a text of 1,048,576)"),
    ("doubling-concat", "{% set a = 'x' * 1000 %}" + "{% set a = a ~ a %}" * 40 + "{{ a }}",
     f":1: {OUTPUT} (a text of 1,024,000)"),
    ("replace-growth", "{% set s = 'xx' %}" + "{% set s = s|replace('x', 'xxxx') %}" * 30 + "{{ s }}",
     f":1: {OUTPUT} (a text of 2,097,152)"),
    ("power", "{{ 10 ** 5000 }}", ":1: 10 ** 5000 is over the limit of 10,000 bits"),
    ("macro-recursion", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(0) }}",
     ":1: template recursion too deep (a macro or include that calls itself?)"),
    ("self-include", "x\n{% include 'brief.txt.j2' %}", ":2: template recursion too deep"),
    ("nested-if-150", "{% if 1 %}" * 150 + "x" + "{% endif %}" * 150, f": {NESTED} (blocks inside blocks"),
    ("nested-if-300", "{% if 1 %}" * 300 + "x" + "{% endif %}" * 300, f": {NESTED} (parentheses or blocks"),
    ("nested-parentheses", "{{ " + "(" * 2000 + "1" + ")" * 2000 + " }}", f": {NESTED} (parentheses or blocks"),
]

LAUGHS = "name: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"l{i}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8))
YAML_BOMBS: list[tuple[str, str | int, str]] = [
    ("billion-laughs", LAUGHS, ":5: YAML syntax error: document expands to over 100,000 nodes"),
    ("long-string-aliases", "name: &s " + "x" * 100_000 + "\nsummary: [" + ", ".join(["*s"] * 100) + "]\n",
     ":2: YAML syntax error: document expands to over 100,000 nodes or 8,388,608 characters"),
    ("nested-100", "name: " + "[" * 100 + "]" * 100 + "\n", ":1: YAML syntax error: nested more than 64 levels"),
    ("recursive-alias", "name: &a [*a]\n", ":1: YAML syntax error: an alias refers to a node that contains it"),
    ("50-mb-file", 50 * 1024 * 1024, ": too large (50.0 MB, limit 2 MB)"),
]
SCENE = "bibles/scenes/harbour.yaml"


def _write_scene(root: Path, content: str | int) -> None:
    path = root / SCENE
    if isinstance(content, int):
        with path.open("r+b") as fh:
            fh.truncate(content)  # sparse: costs no disk
    else:
        path.write_text(content, encoding="utf-8")


@pytest.fixture(scope="module")
def bombs(libraries: Libraries) -> Batch:
    cases: dict[str, tuple[Path, list[str]]] = {}
    for name, source, _ in TEMPLATE_BOMBS:
        root = libraries.make(name)
        (root / TEMPLATE).write_text(source, encoding="utf-8")
        cases[name] = (root, shot_args(root, root.parent / "out"))
        cases[f"validate {name}"] = (root, ["validate", "--library", str(root)])
    for name, content, _ in YAML_BOMBS:
        root = libraries.make(name)
        _write_scene(root, content)
        cases[name] = (root, shot_args(root, root.parent / "out"))
        cases[f"validate {name}"] = (root, ["validate", "--library", str(root)])
    root = libraries.make("campaign")
    campaign = root.parent / "huge.yaml"
    campaign.write_text("name: huge\ngroups:\n  g: {characters: [ada], scenes: [harbour], images: 1000000000000}\n",
                        encoding="utf-8")
    cases["campaign"] = (root, ["campaign", "plan", str(campaign), "--library", str(root), "--yes"])
    return run_cases(cases)


@pytest.mark.parametrize(("name", "source", "expected"), TEMPLATE_BOMBS, ids=[c[0] for c in TEMPLATE_BOMBS])
def test_template_bombs_are_refused_at_their_line(bombs: Batch, name: str, source: str, expected: str) -> None:
    assert_refused(bombs.runs[name], f"/lib/{TEMPLATE}{expected}")
    assert_reported(bombs.runs[f"validate {name}"], f"/lib/{TEMPLATE}")


@pytest.mark.parametrize(("name", "content", "expected"), YAML_BOMBS, ids=[c[0] for c in YAML_BOMBS])
def test_yaml_bombs_are_refused_before_building(bombs: Batch, name: str, content: str | int, expected: str) -> None:
    assert_refused(bombs.runs[name], f"/lib/{SCENE}{expected}")
    assert_reported(bombs.runs[f"validate {name}"], f"/lib/{SCENE}{expected}")


def test_a_campaign_of_a_trillion_shots_is_counted_not_built(bombs: Batch) -> None:
    assert_refused(bombs.runs["campaign"], "huge.yaml: the campaign expands to 1,000,000,000,000 shots",
                   "over the 1,000,000 composer can expand in one campaign")


def test_every_bomb_ran_inside_the_memory_bound(bombs: Batch) -> None:
    assert bombs.peak_kb < 512 * 1024  # the child had 512 MB of address space; resident stays well under


IMAGE_CHILD = """
import sys, types
from pathlib import Path
from composer.campaign.sheet import thumbnail
from composer.tui.frame_preview import describe_frame
folder = Path(sys.argv[1])
for name in sys.argv[2:]:
    entry = types.SimpleNamespace(state="done", files=[{"path": name}])
    tile = thumbnail(folder, entry, 240)  # type: ignore[arg-type]
    info = describe_frame(folder / name)
    print(name, tile.size if tile else None, info.problem)
"""


def test_image_bombs_in_the_contact_sheet_and_the_tui_preview(tmp_path: Path) -> None:
    import os

    files = {"bomb.png": build.png_bomb(100_000, 100_000), "huge.png": build.png_bomb(13_000, 13_000),
             "ico.png": build.gif_bomb(), "truncated.png": build.truncated_png(), "empty.png": b""}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    os.mkfifo(tmp_path / "fifo.png")
    build.big_jpeg(tmp_path / "photo.jpg", (6000, 6000))
    run = run_bounded([str(tmp_path), *files, "fifo.png", "photo.jpg"], cwd=tmp_path, code=IMAGE_CHILD)
    assert run.code == 0, run.stderr
    lines = dict(line.split(" ", 1) for line in run.stdout.strip().splitlines())
    assert lines["bomb.png"] == ("None no preview (image declares over 40 megapixels (a decompression bomb?); "
                                 "refused before decoding)")
    assert lines["huge.png"].startswith("None no preview (image declares over 40 megapixels")
    assert lines["ico.png"] == "None no preview (not a PNG, JPEG or WebP image)"
    assert lines["truncated.png"].startswith("None no preview (broken image data")
    assert lines["empty.png"] == "None no preview (empty file (no image data))"
    assert lines["fifo.png"] == "None no preview (not a regular file (a FIFO))"
    assert lines["photo.jpg"] == "(240, 240) None"
