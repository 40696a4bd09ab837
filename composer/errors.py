"""Every error the composer library raises on bad input.

The library never prints and never exits: it raises one of these, and only the CLI (and the TUI's
error panel) turns them into a message. ``str(error)`` is always one line, naming the file, the line
and the field where they are known::

    ComposerError                  base class; one-line message
    ├── LocatedError               an error in a file: carries path, line and field
    │   ├── LibraryError           an asset file is unusable (YAML, schema, encoding, unknown field)
    │   │   ├── UnknownAssetError  an id names no asset of that kind (the message lists those that exist)
    │   │   └── BrandChainError    a brand's ``extends`` names no brand or loops back (composer.brands)
    │   ├── ReferenceFrameError    a reference frame is missing, not an image, too large or outside the library
    │   ├── ImageError             an image file is not a regular file, too large, a bomb or broken (composer.images)
    │   └── TemplateError          a template does not parse, uses an undefined name, or breaks the sandbox
    ├── ShotError                  a shot (flags, --set deltas or a shot file) is malformed
    ├── BriefTooLongError          the required sections alone exceed the window (itemised)
    └── ExportError                prompt files could not be written

Later layers (generation backends, campaigns) derive their own errors from ``ComposerError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from composer.location import Location


class ComposerError(Exception):
    """Base class of every error the composer raises on bad input or a failed operation.

    ``str()`` of any of them is ``printable``: a message can quote an id or a value from an
    untrusted library, so control characters are escaped and very long names shortened.
    """

    def __str__(self) -> str:
        return printable(super().__str__())


MAX_WORD = 120
"""Longest run of non-space characters (a path, an id) shown whole in a message."""
MAX_MESSAGE = 1_500
"""Longest message shown whole; a longer one keeps its start and its end."""


def printable(text: str) -> str:
    """``text`` as one readable line: control and other invisible characters escaped (a newline in
    an id becomes ``\\n``), every word over ``MAX_WORD`` characters and the whole over
    ``MAX_MESSAGE`` shortened in the middle, where a long path holds least."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() or c == " " else _escape(c) for c in text)
    if len(text) > MAX_WORD:
        text = " ".join(_middle(word, MAX_WORD) for word in text.split(" "))
    return _middle(text, MAX_MESSAGE)


def _escape(c: str) -> str:
    if c in "\n\r\t":
        return repr(c)[1:-1]
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"


def _middle(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return f"{text[:keep]}…{text[-keep:]}"


class LocatedError(ComposerError):
    """An error that belongs to a place in a file: ``path:line: field: reason``."""

    @property
    def location(self) -> Location:
        return Location(None if self.path is None else str(self.path), self.line, self.field)

    def __init__(
        self, message: str, *, path: Path | str | None = None, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.reason = message
        where = str(self.location)
        super().__init__(f"{where}: {message}" if where else message)


class LibraryError(LocatedError):
    """An asset file could not be loaded: YAML syntax, schema violation, unknown field, encoding."""


class UnknownAssetError(LibraryError):
    """An id names no asset of its kind."""

    def __init__(self, kind: str, asset_id: str, known: list[str], *, path: Path | str | None = None) -> None:
        self.kind = kind
        self.asset_id = asset_id
        self.known = known
        choices = ", ".join(known) if known else "none"
        super().__init__(f"unknown {kind} '{asset_id}' (known: {choices})", path=path)


class ReferenceFrameError(LocatedError):
    """A reference frame cannot be used."""


class ImageError(LocatedError):
    """An image file cannot be decoded safely: not a regular file, too large, too many pixels, broken."""


class TemplateError(LocatedError):
    """A template failed to parse or render."""


class ShotError(ComposerError):
    """A shot specification is malformed."""


class ExportError(ComposerError):
    """Prompt files could not be written."""


@dataclass(frozen=True)
class SectionSize:
    """One line of the itemised over-length report."""

    fragment_id: str
    chars: int
    required: bool


class BriefTooLongError(ComposerError):
    """The required material alone does not fit the window: the message itemises every section."""

    def __init__(self, *, target: str, limit: int, chars: int, sections: list[SectionSize]) -> None:
        self.target = target
        self.limit = limit
        self.chars = chars
        self.sections = sections
        items = "; ".join(f"{s.fragment_id} {s.chars:,}{' (required)' if s.required else ''}" for s in sections)
        super().__init__(
            f"brief for {target} is {chars:,} chars after dropping every optional part, "
            f"limit {limit:,}, over by {chars - limit:,}: {items}"
        )
