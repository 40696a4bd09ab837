"""Where a problem is and how bad it is: the one ``Location`` type and the one severity vocabulary.

Errors (``composer.errors.LocatedError.location``), lint and ``compose validate`` findings, QC
findings and the TUI's problems panel all use these two, so a place prints the same way everywhere
(``path:line: field``) and a severity is always one of ``error``, ``warning`` or ``notice``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How bad a finding is. Errors block generation; ``--strict`` makes warnings block too."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "notice": 0}[self.value]


@dataclass(frozen=True)
class Location:
    """A place: a file (or ``shot``, ``template ...``), a line and a field, each optional but the file."""

    path: str | None
    line: int | None = None
    """1-based; only meaningful with a path."""
    field: str | None = None
    """Dotted field path inside the file (``palette.2.hex``)."""

    def __str__(self) -> str:
        """``path:line: field``; without a path, the field alone."""
        if self.path is None:
            return self.field or ""
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.field}" if self.field else where

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "field": self.field}
