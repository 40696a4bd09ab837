"""Errors, warnings and lint findings as rows of the TUI's problems panel, each with its origin.

No Textual import here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from composer.errors import ComposerError, LocatedError
from composer.location import Location, Severity

if TYPE_CHECKING:
    from composer.lint.findings import Finding


@dataclass(frozen=True)
class Problem:
    """One row: how bad, where (file, line, field) and what."""

    severity: Severity
    message: str
    where: Location | None = None

    @property
    def path(self) -> str | None:
        return self.where.path if self.where else None

    @property
    def line(self) -> int | None:
        return self.where.line if self.where else None

    @property
    def field(self) -> str | None:
        return self.where.field if self.where else None

    def location(self, root: Path | None = None) -> str:
        """``file:line field``, the file relative to the library root when it is inside it."""
        where = ""
        if self.path:
            where = _relative(self.path, root)
            if self.line is not None:
                where += f":{self.line}"
        if self.field:
            where = f"{where} {self.field}".strip()
        return where


def _relative(path: str, root: Path | None) -> str:
    if root is None:
        return path
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except (ValueError, OSError):
        return path


def from_error(exc: BaseException) -> Problem:
    """A raised error as an error row; a bug (not a ComposerError) is labelled as one."""
    if isinstance(exc, LocatedError):
        return Problem(Severity.ERROR, exc.reason, exc.location)
    return Problem(Severity.ERROR, describe_error(exc))


def describe_error(exc: BaseException) -> str:
    """One line for a notification: the error's own message, or a labelled internal error."""
    if isinstance(exc, ComposerError):
        return str(exc)
    return f"internal error: {type(exc).__name__}: {exc}"


def from_warning(text: str) -> Problem:
    return Problem(Severity.WARNING, text)


def from_finding(finding: Finding) -> Problem:
    """A lint finding as a row: ``[rule] message (fix: ...)`` at its primary location."""
    message = f"[{finding.rule}] {finding.message}" + (f" (fix: {finding.fix})" if finding.fix else "")
    return Problem(finding.severity, message, finding.locations[0] if finding.locations else None)


def brief_problems(brief: Any) -> list[Problem]:
    """The brief's warnings, its lint findings when lint has attached any, then the guard's cuts."""
    rows = [from_warning(w) for w in getattr(brief, "warnings", [])]
    rows += [from_finding(f) for f in getattr(brief, "findings", None) or []]
    rows += [Problem(Severity.NOTICE, f"length guard: {cut}") for cut in brief.dropped]
    return rows
