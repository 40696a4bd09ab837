"""What a new user hits first (issue 15, "First run and paper cuts"): each test failed before its fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from composer.cli import EXIT_BROKEN_PIPE, main
from composer.models import ShotDeltas, without_leading_no
from composer.tokens import TokenCounter


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# -- a reader that closes the pipe ----------------------------------------------------------------
@pytest.mark.parametrize("args", [["list"], ["show", "character", "red-curls"], ["validate"]])
def test_a_closed_pipe_ends_quietly(args: list[str], example_library: Path) -> None:
    """``compose list | head -1``: the reader goes away before compose has written everything."""
    read, write = os.pipe()
    os.close(read)  # nobody will ever read: every write raises EPIPE (SIGPIPE is ignored by Python)
    proc = subprocess.run(
        [sys.executable, "-m", "composer.cli", *args], stdout=write, stderr=subprocess.PIPE, text=True, check=False,
        cwd=example_library,
    )
    os.close(write)
    assert (proc.returncode, proc.stderr) == (EXIT_BROKEN_PIPE, "")
    assert EXIT_BROKEN_PIPE == 141


# -- kinds, singular or plural ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["character", "characters", "Characters"])
def test_list_accepts_singular_and_plural(kind: str, mini_library: Path) -> None:
    code, out, err = run("list", kind, "--library", str(mini_library))
    assert code == 0, err
    assert out.split() == ["ada", "bo"]


@pytest.mark.parametrize("kind", ["character", "characters"])
def test_show_accepts_singular_and_plural(kind: str, mini_library: Path) -> None:
    code, out, err = run("show", kind, "ada", "--library", str(mini_library), "--format", "json")
    assert code == 0, err
    assert '"kind": "character"' in out and '"id": "ada"' in out


def test_an_unknown_kind_is_still_refused(mini_library: Path) -> None:
    code, _, err = run("list", "creatures", "--library", str(mini_library))
    assert code == 2
    assert "'creatures' is not one of 'brands', 'characters'" in err


# -- negatives ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("written", "stored"), [("no dogs", "dogs"), ("No: cats", "cats"), ("NO  rain", "rain"),
                                                 ("nothing frightening", "nothing frightening"), ("no", "no"),
                                                 ("dogs", "dogs"), ("noise", "noise")])
def test_negatives_lose_a_leading_no(written: str, stored: str) -> None:
    assert without_leading_no(written) == stored
    assert ShotDeltas(negative=[written]).negative == [stored]


def test_a_negative_written_with_no_is_not_doubled(mini_library: Path) -> None:
    (mini_library / "bibles/characters/ada.yaml").write_text(
        (mini_library / "bibles/characters/ada.yaml").read_text() + "do_not: [no hat]\n"
    )
    code, out, err = run("shot", "--library", str(mini_library), "-c", "ada", "-s", "harbour",
                         "--set", "negative=no dogs;No cats")
    assert code == 0, err
    assert "- No dogs\n- No cats\n" in out
    assert "- Ada: no hat\n" in out
    assert "no no" not in out.lower()


# -- messages that say what is wrong in words -----------------------------------------------------
def test_a_character_named_twice_says_so(mini_library: Path) -> None:
    code, _, err = run("shot", "--library", str(mini_library), "-c", "ada", "-c", "ada", "-s", "harbour")
    assert code == 1
    assert err == "Error: the character 'ada' is named twice in the shot (-c or characters); name each once\n"


def test_a_bad_name_is_explained_in_words(mini_library: Path) -> None:
    code, _, err = run("shot", "--library", str(mini_library), "-c", "ada", "-s", "harbour", "--name", "../evil")
    assert code == 1
    assert err == (
        "Error: shot field name: '../evil' is not a usable name: a name starts with a letter or digit and holds "
        "only letters, digits, dots, hyphens, underscores, plus and at signs (no slashes or spaces)\n"
    )


def test_the_estimate_warning_says_how_to_fix_it(tmp_path: Path) -> None:
    counter = TokenCounter(force_estimate=False)
    counter._loaded, counter.unavailable_reason = True, "o200k_base table unavailable: ConnectionError"
    assert counter.estimate_warning() == (
        "token count is an estimate (o200k_base table unavailable: ConnectionError); for exact counts set "
        "TIKTOKEN_CACHE_DIR to a folder holding the o200k_base table (or let tiktoken download it once), "
        "or set COMPOSER_TOKEN_ESTIMATE=1 to accept estimates"
    )


# -- compose shot --save --------------------------------------------------------------------------
def _json_brief(*args: str) -> dict[str, object]:
    import json

    code, out, err = run("shot", *args, "--format", "json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_save_writes_a_shot_file_that_reads_back_to_the_same_brief(
    mini_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    frame = mini_library / "bibles/characters/frames/ada.png"
    (tmp_path / "extra.png").write_bytes(frame.read_bytes())
    flags = ["--library", str(mini_library), "-c", "ada", "-c", "bo", "-s", "harbour", "--target", "gpt-image-2",
             "--max-chars", "9000", "--set", "counts=3 gulls", "--set", "order=Ada;Bo",
             "--set", "mood=stormy", "--reference", "extra.png"]
    code, _, err = run("shot", *flags, "--save", "shots/ada-bo.yaml")
    assert code == 0, err
    assert "wrote shots/ada-bo.yaml" in err
    saved = (tmp_path / "shots/ada-bo.yaml").read_text()
    assert "- ../extra.png" in saved  # relative to the shot file, as shot files hold references
    direct = _json_brief(*flags, "--name", "x")
    again = _json_brief("--library", str(mini_library), "--shot", "shots/ada-bo.yaml", "--name", "x")
    assert again == direct
    code, _, err = run("shot", "--library", str(mini_library), "--shot", "shots/ada-bo.yaml", "--out", "o")
    assert code == 0, err
    code, _, err = run("shot", *flags, "--out", "o2")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == sorted(p.name for p in (tmp_path / "o2").iterdir())


def test_save_merges_the_shot_file_and_the_flags(mini_library: Path, tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("characters: [ada]\nscene: harbour\ndeltas: {counts: [3 gulls]}\n")
    saved = tmp_path / "merged.yaml"
    code, _, err = run("shot", "--library", str(mini_library), "--shot", str(base), "-c", "bo",
                       "--set", "negative=no dogs", "--save", str(saved))
    assert code == 0, err
    direct = _json_brief("--library", str(mini_library), "--shot", str(base), "-c", "bo", "--set", "negative=no dogs")
    assert _json_brief("--library", str(mini_library), "--shot", str(saved)) == direct
    assert "characters:\n- ada\n- bo\n" in saved.read_text()


# -- flags over a shot file -----------------------------------------------------------------------
@pytest.mark.parametrize(("a", "b"), [("3 white jasmine buds", "5 white jasmine bud"), ("1 cherry", "4 cherries"),
                                      ("1 brushed-brass dish", "two brushed-brass dishes"), ("a glass", "2 glasses")])
def test_counts_of_the_same_thing_are_recognised(a: str, b: str) -> None:
    from composer.shot import counted_thing

    assert counted_thing(a) == counted_thing(b)
    assert counted_thing("3 cups") != counted_thing("3 saucers")


def test_a_count_flag_overrides_the_files_count_of_the_same_thing(mini_library: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.yaml"
    shot.write_text("characters: [ada]\nscene: harbour\ndeltas:\n  counts: [2 boats, 3 gulls]\n  order: [Ada, Bo]\n")
    code, out, err = run("shot", "--library", str(mini_library), "--shot", str(shot), "-c", "bo",
                         "--set", "counts=4 boats;1 dog", "--set", "order=Bo;Ada")
    assert code == 0, err
    assert "Exactly 4 boats: no more, no fewer.\nExactly 3 gulls: no more, no fewer.\nExactly 1 dog" in out
    assert "Exactly 2 boats" not in out
    assert "From left to right, in this exact order: Bo, Ada." in out


# -- compose init -----------------------------------------------------------------------------------
def test_init_writes_a_library_that_validates_and_composes_at_once(tmp_path: Path) -> None:
    lib = tmp_path / "our-library"
    code, _, err = run("init", str(lib))
    assert code == 0, err
    for name in ("composer.yaml", "brand_kits/our-brand.yaml", "bibles/characters/lead.yaml",
                 "bibles/characters/frames/lead.png", "bibles/styles/house-style.yaml", "bibles/scenes/studio.yaml",
                 "shots/first-shot.yaml", "templates/brief.txt.j2", "templates/motion.txt.j2"):
        assert (lib / name).is_file(), name
    code, out, err = run("validate", "--library", str(lib))
    assert code == 0 and "0 errors, 0 warnings" in out + err, out + err
    code, out, err = run("shot", "--library", str(lib), "--shot", str(lib / "shots/first-shot.yaml"))
    assert code == 0, err
    assert "Alex (lead):" in out and "image-to-image, nothing dropped" in err


def test_init_never_writes_into_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run("init", str(tmp_path))
    assert code == 1
    assert err == (f"Error: {tmp_path} is not an empty folder: compose init writes a new library only into a new "
                   "or empty folder, and nothing was written\n")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_library_is_accepted_before_the_command(mini_library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("--library", str(mini_library), "list", "characters")[1] == "ada\nbo\n"
    monkeypatch.setenv("COMPOSER_LIBRARY", str(mini_library))
    assert run("list", "characters")[1] == "ada\nbo\n"
    code, _, err = run("--library", str(mini_library / "nowhere"), "list", "characters")
    assert code == 1 and err.startswith("Error: --library ")
