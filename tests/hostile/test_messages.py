"""Class 5: messages a person can act on. Every template error names its template; control
characters in any message are escaped (one line, always); long names are shortened in the middle;
YAML merge keys, which are valid YAML, are accepted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from composer.errors import LibraryError, printable
from tests.hostile.conftest import Libraries
from tests.hostile.harness import Batch, assert_refused, assert_reported, run_cases, shot_args

TEMPLATE = "templates/brief.txt.j2"


def template(source: bytes) -> Callable[[Path], None]:
    return lambda root: (root / TEMPLATE).write_bytes(source)


MERGED_TARGETS = """\
targets:
  team-draft: &draft {max_chars: 6000, template: brief.txt.j2, model: gpt-image-2}
  team-final:
    <<: *draft
    max_chars: 9000
"""


def merge_keys(root: Path) -> None:
    with (root / "composer.yaml").open("a", encoding="utf-8") as fh:
        fh.write(MERGED_TARGETS)


CASES: list[tuple[str, Callable[[Path], None], list[str], str]] = [
    ("not-utf8-template", template("caf\u00e9 {{ scene.name }}\n".encode("latin-1")), [],
     f"{TEMPLATE}:1: not UTF-8 text (byte 0xe9 at offset 3)"),
    ("stray-marker", template("a\n\ue000 b\n".encode()), [], f"{TEMPLATE}:2: template text contains a stray fragment "
     "marker (U+E000"),
    ("include-itself", template(b'{% call section("cast", "Cast") %}a{% endcall %}\n{% include "brief.txt.j2" %}\n'),
     [], f"{TEMPLATE}:1: fragment id 'cast' is used twice"),
    ("newline-in-id", lambda root: None, ["-c", "ada\nError: forged second line"],
     "unknown character 'ada\\nError: forged second line' (known: ada, bo)"),
    ("bidi-in-id", lambda root: None, ["-c", "ada\u202egnp.exe"], "unknown character 'ada\\u202egnp.exe'"),
    ("long-id", lambda root: None, ["-c", "z" * 5000], "unknown character 'zzz"),
]


@pytest.fixture(scope="module")
def outcomes(libraries: Libraries) -> Batch:
    cases: dict[str, tuple[Path, list[str]]] = {}
    for name, mutate, extra, _ in CASES:
        root = libraries.make(name, mutate)
        cases[name] = (root, shot_args(root, root.parent / "out", *extra))
        cases[f"validate-{name}"] = (root, ["validate", "--library", str(root)])
    merged = libraries.make("merge-keys", merge_keys)
    cases["merge-keys"] = (merged, ["shot", "--library", str(merged), "-c", "ada", "-s", "harbour", "-t", "team-final"])
    cases["validate-merge-keys"] = (merged, ["validate", "--library", str(merged)])
    return run_cases(cases)


@pytest.mark.parametrize(("name", "mutate", "extra", "expected"), CASES, ids=[c[0] for c in CASES])
def test_one_actionable_line(outcomes: Batch, name: str, mutate: object, extra: list[str], expected: str) -> None:
    line = assert_refused(outcomes.runs[name], expected)
    assert line.isprintable() and len(line) <= len("Error: ") + 1_500


TEMPLATE_CASES = [c for c in CASES if c[3].startswith(TEMPLATE)]


@pytest.mark.parametrize(("name", "expected"), [(c[0], c[3]) for c in TEMPLATE_CASES],
                         ids=[c[0] for c in TEMPLATE_CASES])
def test_validate_names_the_template_and_line(outcomes: Batch, name: str, expected: str) -> None:
    """``compose validate`` reports a broken template as the shot does: its path, its line, the fault."""
    where, _, fault = expected.partition(": ")
    report = assert_reported(outcomes.runs[f"validate-{name}"], f"{where}: ", fault)
    assert "guard optional ones" not in report  # that hint is for a field the template reads, not these


def test_validate_accepts_merge_keys(outcomes: Batch) -> None:
    run = outcomes.runs["validate-merge-keys"]
    assert (run.code, run.crash) == (0, None), run.stdout + run.stderr


def test_a_5000_character_id_is_shortened_in_the_middle(outcomes: Batch) -> None:
    line = assert_refused(outcomes.runs["long-id"], "…", "(known: ada, bo)")
    assert len(line) < 300


def test_yaml_merge_keys_are_accepted(outcomes: Batch) -> None:
    run = outcomes.runs["merge-keys"]
    assert (run.code, run.crash) == (0, None), run.stderr
    assert "/9,000 chars" in run.stderr, run.stderr  # team-final: team-draft's fields, its own max_chars


def test_printable_escapes_once_and_keeps_both_ends_of_a_long_path() -> None:
    path = "/lib/" + "deep/" * 100 + "ada.yaml"
    message = str(LibraryError("unknown field 'a\tb\r\nc'", path=path, line=3))
    assert message.startswith("/lib/deep/") and message.endswith("ada.yaml:3: unknown field 'a\\tb\\r\\nc'")
    assert "…" in message and len(message) < 200
    assert printable(message) == message
