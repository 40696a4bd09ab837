"""Writing many small files without slowing the composing that produces them.

A campaign export writes three prompt files per shot: 30,000 files for 10,000 shots. Each costs a
few hundred microseconds of file-system calls, a tenth of what composing the brief costs, on the
critical path. A thread does not help (every system call hands the GIL back and forth with the
composing thread), so ``BackgroundWriter`` hands the bytes to a small child process over a pipe:
the file-system work runs on another core, and the pipe's buffer is the backpressure. The child is
``composer/campaign/atomic.py`` run as a script, with the standard library only, so it starts in
milliseconds.

Every file is written whole or not at all (``composer.campaign.atomic``, which the child runs
too). The first failure is a one-line ``ExportError`` (from the child: when the writer is closed).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType

from composer.campaign import atomic
from composer.errors import ExportError


def write_file(path: Path, text: str) -> None:
    """Write ``text`` whole or not at all (``composer.campaign.atomic``)."""
    try:
        atomic.write_whole(os.fspath(path), text.encode("utf-8"))
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror}") from None


class FileWriter:
    """Writes files in this process, one after the other (for small batches)."""

    def write(self, files: dict[Path, str]) -> None:
        for path, text in files.items():
            write_file(path, text)

    def close(self) -> None:
        """Nothing is pending."""

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class BackgroundWriter(FileWriter):
    """Writes files in a child process; ``close`` waits for the last one and raises the first failure."""

    def __init__(self) -> None:
        self._child = subprocess.Popen([sys.executable, "-I", "-S", atomic.__file__], stdin=subprocess.PIPE,
                                       stderr=subprocess.PIPE, bufsize=1 << 16)
        assert self._child.stdin is not None
        self._pipe = self._child.stdin

    def write(self, files: dict[Path, str]) -> None:
        chunks = []
        for path, text in files.items():
            name, data = os.fsencode(path), text.encode("utf-8")
            chunks += [b"%d %d\n" % (len(name), len(data)), name, data]
        try:
            self._pipe.write(b"".join(chunks))
        except BrokenPipeError:
            self.close()  # raises the child's reason
            raise ExportError("the file writer stopped unexpectedly") from None

    def close(self) -> None:
        if self._child.returncode is not None:
            return
        try:
            _, err = self._child.communicate()  # flushes and closes the pipe, waits for the last file
        except BrokenPipeError:
            _, err = b"", self._child.stderr.read() if self._child.stderr else b""
            self._child.wait()
        if self._child.returncode != 0:
            reason = err.decode("utf-8", "replace").strip() or f"exit status {self._child.returncode}"
            raise ExportError(reason)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:  # already failing (Ctrl-C too): keep the original error
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                # End of input: the child writes what the pipe still holds (a few files) and exits.
                # Killing it could leave a half-written temp file.
                self._child.communicate(timeout=STOP_SECONDS)
            if self._child.poll() is None:
                self._child.kill()
                self._child.communicate()
            return
        self.close()


STOP_SECONDS = 10.0
"""How long a failing export waits for the child to write what it was already sent."""


def writer_for(files: int) -> FileWriter:
    """A background writer when there are enough files to pay for starting one."""
    return BackgroundWriter() if files >= 600 else FileWriter()
