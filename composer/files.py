"""Writing a file whole or not at all: the one place composer does it.

Every file composer writes (prompt files, manifests, the tokenizer cache, contact sheets,
generation records, downloaded results, campaign files the TUI appends to) goes through
``writing``: the bytes go to a temporary file beside the destination (same folder, so same file
system), which is renamed over the destination only once it is complete. A reader sees the old
file or the new one, never half of one; on any exception (a full disk, Ctrl-C) the temporary file
is removed and the destination is untouched.

``durable=True`` also fsyncs the data before the rename, so a power cut cannot leave a named but
empty file. It is for data that cannot be made again by running the command again: generation
records, paid results, files a person edits. Derived files (prompt files, manifests, caches,
sheets) skip it: an fsync per file would cost more than composing the brief.

Standard library only, and errors stay ``OSError``: callers turn them into their own one-line
``ComposerError`` with ``cannot_write``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass
class Staged:
    """A file being written: ``file`` is open on the temporary file; ``target`` is where it goes."""

    file: BinaryIO
    target: Path
    """The destination; a writer that learns the right name while writing (a download's extension
    from its first bytes) may change it before the ``writing`` block ends."""


def temp_path(target: Path) -> Path:
    """A fresh hidden name beside ``target``: ``.<name>.<random>.tmp``."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")


@contextlib.contextmanager
def _removed_on_failure(temp: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:  # Ctrl-C too
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


@contextlib.contextmanager
def writing(target: Path, *, durable: bool) -> Iterator[Staged]:
    """Write through ``Staged.file``; when the block ends normally the file is renamed over
    ``Staged.target`` (after an fsync if ``durable``), otherwise it is removed. Raises ``OSError``."""
    temp = temp_path(target)
    with _removed_on_failure(temp):
        with open(temp, "xb") as fh:  # a new file, mode 0666 less the umask, like any other file
            staged = Staged(fh, target)
            yield staged
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(temp, staged.target)


def write_bytes(path: Path, data: bytes, *, durable: bool) -> None:
    """Write ``data`` to ``path`` whole or not at all. Raises ``OSError``.

    ``writing`` with plain ``os`` calls: a campaign export writes three files a shot, and a
    buffered file object cost as much to set up as the writing."""
    temp = temp_path(path)
    with _removed_on_failure(temp):
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)


def write_new(path: Path, data: bytes, *, durable: bool) -> None:
    """Write ``data`` to ``path`` whole or not at all, and never over an existing file: the
    complete temporary file is hard-linked to ``path``, which fails (``FileExistsError``) if
    something took the name meanwhile. Raises ``OSError``.

    For files that must not replace another (a frame promoted into the library beside others)."""
    temp = temp_path(path)
    try:
        write_bytes(temp, data, durable=durable)
        os.link(temp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def write_text(path: Path, text: str, *, durable: bool) -> None:
    """Write ``text`` as UTF-8, newlines as given, whole or not at all. Raises ``OSError``."""
    write_bytes(path, text.encode("utf-8"), durable=durable)


def cannot_write(path: Path, exc: OSError) -> str:
    """The one-line message for a failed write: ``cannot write <path>: <reason>``."""
    return f"cannot write {path}: {exc.strerror or exc}"
