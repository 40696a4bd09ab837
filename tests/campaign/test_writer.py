"""Prompt files are written whole or not at all, through an unnamed file where Linux has them."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from composer.campaign import atomic
from composer.campaign.writer import write_file
from composer.errors import ExportError

PATHS = ["unnamed file", "temp file and rename"]


@pytest.fixture(params=PATHS)
def path_taken(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "unnamed file" and not (sys.platform.startswith("linux") and hasattr(os, "O_TMPFILE")):
        pytest.skip("no O_TMPFILE here")
    monkeypatch.setattr(atomic, "_unnamed_files", request.param == "unnamed file")
    return str(request.param)


def litter(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_a_new_file_has_its_text_and_the_usual_permissions(path_taken: str, tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    write_file(tmp_path / "a.txt", "héllo\n")
    assert (tmp_path / "a.txt").read_bytes() == "héllo\n".encode()
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o666 & ~umask
    assert litter(tmp_path) == []
    assert atomic._unnamed_files == (path_taken == "unnamed file")  # the path asked for was the path taken


def test_rewriting_a_file_replaces_it_whole(path_taken: str, tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    write_file(target, "old text")
    with target.open() as reader:  # a designer has the old file open
        write_file(target, "new text, longer than the old")
        assert reader.read() == "old text"  # replaced, not rewritten in place under the reader
    assert target.read_text() == "new text, longer than the old"
    assert litter(tmp_path) == []


def test_a_folder_in_the_way_is_a_one_line_error_and_leaves_nothing(path_taken: str, tmp_path: Path) -> None:
    (tmp_path / "a.json").mkdir()
    with pytest.raises(ExportError) as caught:
        write_file(tmp_path / "a.json", "{}")
    assert str(caught.value) == f"cannot write {tmp_path / 'a.json'}: Is a directory"
    assert litter(tmp_path) == []
    with pytest.raises(ExportError, match=r": No such file or directory$"):
        write_file(tmp_path / "missing" / "a.txt", "x")


@pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="no O_TMPFILE here")
@pytest.mark.parametrize("failure", ["file system without O_TMPFILE", "no /proc to link from",
                                     "a sandbox that refuses the link"])
def test_without_unnamed_files_it_falls_back_to_rename_for_good(
        failure: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "_unnamed_files", True)
    real_open = os.open
    attempts: list[str] = []

    def refuse_tmpfile(path: str, flags: int, *args: int, **kwargs: int) -> int:
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            attempts.append(path)
            raise OSError(errno.EOPNOTSUPP, os.strerror(errno.EOPNOTSUPP))
        return real_open(path, flags, *args, **kwargs)

    def refuse_link(fd: int, folder: int, base: str) -> None:
        attempts.append(base)
        code = errno.ENOENT if failure == "no /proc to link from" else errno.EACCES
        raise OSError(code, os.strerror(code))

    if failure != "file system without O_TMPFILE":
        monkeypatch.setattr(atomic, "_link", refuse_link)
    else:
        monkeypatch.setattr(atomic.os, "open", refuse_tmpfile)
    write_file(tmp_path / "a.txt", "first")
    write_file(tmp_path / "b.txt", "second")
    assert (tmp_path / "a.txt").read_text() == "first" and (tmp_path / "b.txt").read_text() == "second"
    assert len(attempts) == 1 and atomic._unnamed_files is False  # tried once, then never again
    assert litter(tmp_path) == []
