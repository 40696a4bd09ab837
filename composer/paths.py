"""Every file composer reads from a library: resolved inside the library root, opened safely.

A library is shared between teams (a git repository from an agency, a folder on a network drive),
so it is untrusted input. This module is the one place that decides whether a file may be read:

- ``inside(path, root)`` resolves ``path`` (symlinks followed) and refuses it, naming the link and
  where it leads, when it ends outside ``root``. ``root=None`` is for a file the user named on the
  command line, which may be anywhere.
- ``open_regular(path, limit=...)`` opens a regular file only (a FIFO or a device would block or
  never end) of at most ``limit`` bytes, without blocking on the open itself.
- ``read_bytes(path, root=..., limit=...)`` is both, returning the bytes.

Every failure (a link out, a symlink loop, a name too long, a NUL in a path, permission denied, an
I/O error, a file too large) is one located error of the class the caller names, never an
``OSError`` reaching the internal-error path. Standard library only: ``compose shot`` reads through
it on its cold path.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from composer.errors import LibraryError, LocatedError

_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}
_REASONS = {errno.ENOENT: "file not found", errno.ELOOP: "symlink loop (too many levels of symbolic links)",
            errno.ENAMETOOLONG: "file name too long", errno.EACCES: "permission denied",
            errno.EPERM: "permission denied", errno.EIO: "I/O error while reading", errno.EISDIR: "is a folder"}


def os_reason(exc: OSError | ValueError) -> str:
    """A short reason for a failed open or read (``ValueError`` is Python's NUL-in-path error)."""
    if isinstance(exc, ValueError):
        return "the path contains a NUL character"
    return _REASONS.get(exc.errno or 0) or f"cannot read file ({exc.strerror or exc})"


def real_root(root: Path) -> Path:
    """The library root with its own symlinks resolved (the root itself may be a link)."""
    return Path(os.path.realpath(root))


def inside(path: Path, root: Path | None, *, error: type[LocatedError] = LibraryError) -> Path:
    """``path`` resolved; refused when it leads outside ``root`` (None: anywhere is allowed)."""
    try:
        resolved = Path(os.path.realpath(path))
    except (OSError, ValueError) as exc:
        raise error(os_reason(exc), path=path) from None
    if root is None:
        return resolved
    top = real_root(root)
    if resolved.is_relative_to(top):
        return resolved
    link = _first_link_out(path, root, top)
    if link is None:
        how = str(resolved)
    else:
        how = f"a symlink to {os.path.realpath(link)}" if link == path else f"{link} is a symlink to " \
            f"{os.path.realpath(link)}"
    raise error(f"resolves outside the library root {top} ({how}); keep library files inside it", path=path)


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (symlinks followed) is inside ``root``: is it part of the library?"""
    try:
        return Path(os.path.realpath(path)).is_relative_to(real_root(root))
    except (OSError, ValueError):
        return False


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file once symlinks are followed (False if either cannot be)."""
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return False


def _first_link_out(path: Path, root: Path, top: Path) -> Path | None:
    """The first component of ``path`` below ``root`` that is a symlink leading out (for the message)."""
    for candidate in [*reversed(path.parents), path]:
        if not candidate.is_relative_to(root) or candidate == root:
            continue
        if candidate.is_symlink() and not Path(os.path.realpath(candidate)).is_relative_to(top):
            return candidate
    return None


def open_regular(path: Path, *, limit: int, error: type[LocatedError] = LibraryError) -> BinaryIO:
    """``path`` opened for reading, if it is a regular file of at most ``limit`` bytes."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait forever for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:
        raise error(os_reason(exc), path=path) from None
    try:
        info = os.fstat(fd)
        kind = stat.S_IFMT(info.st_mode)
        if kind != stat.S_IFREG:
            raise error(f"not a regular file ({_KINDS.get(kind, 'a special file')})", path=path)
        if info.st_size > limit:
            raise error(f"too large ({_size(info.st_size)}, limit {_size(limit, limit=True)})", path=path)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Path, *, root: Path | None, limit: int, error: type[LocatedError] = LibraryError) -> bytes:
    """The bytes of a regular file inside ``root`` of at most ``limit`` bytes."""
    inside(path, root, error=error)
    with open_regular(path, limit=limit, error=error) as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise error(os_reason(exc), path=path) from None
    if len(data) > limit:  # the file grew after the check
        raise error(f"too large (over {_size(limit, limit=True)})", path=path)
    return data


def _size(n: int, *, limit: bool = False) -> str:
    """A file size for a message; a limit that is a whole number of MB reads as one ("50 MB")."""
    if limit and n % 1_048_576 == 0:
        return f"{n // 1_048_576} MB"
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n:,} bytes"
