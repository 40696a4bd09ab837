"""Errors, warnings and lint findings as rows of the TUI's problems panel, each with its origin.

No Textual import here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from composer.errors import ComposerError, LocatedError

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    """One row: how bad, where (file, line, field) and what."""

    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    field: str | None = None

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
        path = str(exc.path) if exc.path is not None else None
        return Problem("error", exc.reason, path, exc.line, exc.field)
    return Problem("error", describe_error(exc))


def describe_error(exc: BaseException) -> str:
    """One line for a notification: the error's own message, or a labelled internal error."""
    if isinstance(exc, ComposerError):
        return str(exc)
    return f"internal error: {type(exc).__name__}: {exc}"


def from_warning(text: str) -> Problem:
    return Problem("warning", text)


def from_finding(finding: Any) -> Problem:
    """A ``composer.lint`` finding (severity, rule, message, fix, path/line/field), read defensively."""
    severity = str(getattr(finding, "severity", "warning")).lower()
    severity = {"notice": "info", "fatal": "error", "critical": "error"}.get(severity, severity)
    if severity not in ("error", "warning", "info"):
        severity = "warning"
    message = getattr(finding, "message", None) or str(finding)
    fix = getattr(finding, "fix", None)
    if fix:
        message = f"{message} (fix: {fix})"
    rule = getattr(finding, "rule", None)
    if rule:
        message = f"[{rule}] {message}"
    path = getattr(finding, "path", None)
    line = getattr(finding, "line", None)
    return Problem(
        cast(Severity, severity),
        str(message),
        str(path) if path is not None else None,
        line if isinstance(line, int) else None,
        getattr(finding, "field", None),
    )


def brief_problems(brief: Any) -> list[Problem]:
    """The brief's warnings, its lint findings when lint has attached any, then the guard's cuts."""
    rows = [from_warning(w) for w in getattr(brief, "warnings", [])]
    rows += [from_finding(f) for f in getattr(brief, "findings", None) or []]
    rows += [Problem("info", f"length guard: {cut}") for cut in brief.dropped]
    return rows
