"""Every file is written whole or not at all (composer.files), and a failure is one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from composer import files
from composer.errors import ExportError
from composer.export import write_files


def litter(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("durable", [True, False])
def test_a_new_file_has_its_text_and_the_usual_permissions(durable: bool, tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    files.write_text(tmp_path / "a.txt", "héllo\r\n", durable=durable)
    assert (tmp_path / "a.txt").read_bytes() == "héllo\r\n".encode()  # newlines as given
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o666 & ~umask
    assert litter(tmp_path) == []


def test_rewriting_a_file_replaces_it_whole(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    write_files({target: "old text"})
    with target.open() as reader:  # a designer has the old file open
        write_files({target: "new text, longer than the old"})
        assert reader.read() == "old text"  # replaced, not rewritten in place under the reader
    assert target.read_text() == "new text, longer than the old"
    assert litter(tmp_path) == []


def test_a_folder_in_the_way_is_a_one_line_error_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.json").mkdir()
    with pytest.raises(ExportError) as caught:
        write_files({tmp_path / "a.json": "{}"})
    assert str(caught.value) == f"cannot write {tmp_path / 'a.json'}: Is a directory"
    assert litter(tmp_path) == []
    with pytest.raises(ExportError, match=r": No such file or directory$"):
        write_files({tmp_path / "missing" / "a.txt": "x"})  # the caller makes the folders


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError(28, "No space left on device")])
def test_any_exception_while_writing_removes_the_temp_file_and_keeps_the_old_file(
        failure: BaseException | type[BaseException], tmp_path: Path) -> None:
    target = tmp_path / "sheet.png"
    target.write_bytes(b"old")
    with pytest.raises(type(failure) if isinstance(failure, BaseException) else failure), \
            files.writing(target, durable=True) as staged:
        staged.file.write(b"half of the new")
        raise failure
    assert target.read_bytes() == b"old" and litter(tmp_path) == []


def test_the_target_may_be_named_while_writing(tmp_path: Path) -> None:
    with files.writing(tmp_path / "shot", durable=False) as staged:
        staged.file.write(b"\x89PNG")
        staged.target = tmp_path / "shot.png"  # a download learns its extension from its first bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.png"]
