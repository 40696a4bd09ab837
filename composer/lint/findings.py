"""Findings: what lint and ``compose validate`` report, each with a severity, a place and a fix.

A finding is data, never an exception: a brief or a library can have many at once, and the caller
decides what blocks. ``str(finding)`` is the one-line form the CLI prints::

    error: brand_kits/bramble-books.yaml:47: do_not_include.0: ... (fix: ...)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from composer.errors import ComposerError
from composer.location import Location, Severity


@dataclass(frozen=True)
class Finding:
    """One problem: ``rule`` names the check (``conflict``, ``palette``, ``schema``...)."""

    severity: Severity
    rule: str
    message: str
    fix: str
    locations: tuple[Location, ...] = ()
    """The primary place first; a conflict also names the place it conflicts with."""
    terms: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    """Lower-case words a named exception (``lint_exceptions``) may cite to allow this finding."""
    subject: str | None = field(default=None, repr=False, compare=False)
    """The asset id the finding is about, for exceptions scoped to one asset."""

    # The primary location's parts, flat, for readers that want path/line/field (the TUI).
    @property
    def path(self) -> str | None:
        return self.locations[0].path if self.locations else None

    @property
    def line(self) -> int | None:
        return self.locations[0].line if self.locations else None

    @property
    def field(self) -> str | None:
        return self.locations[0].field if self.locations else None

    def __str__(self) -> str:
        where = f"{self.locations[0]}: " if self.locations else ""
        return f"{self.severity}: {where}{self.message} (fix: {self.fix})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
            "fix": self.fix,
            "locations": [loc.as_dict() for loc in self.locations],
        }


def blocking(findings: Iterable[Finding], *, strict: bool = False) -> list[Finding]:
    """The findings that stop generation: errors, and warnings too when ``strict``."""
    floor = Severity.WARNING.rank if strict else Severity.ERROR.rank
    return [f for f in findings if f.severity.rank >= floor]


def counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    tally = dict.fromkeys(Severity, 0)
    for finding in findings:
        tally[finding.severity] += 1
    return tally


def summary(findings: Iterable[Finding]) -> str:
    """``2 errors, 1 warning, 0 notices``."""
    tally = counts(findings)
    return ", ".join(f"{n} {s.value}{'' if n == 1 else 's'}" for s, n in tally.items())


def sort_key(finding: Finding) -> tuple[int, str, int]:
    """Worst first, then by file and line."""
    return (-finding.severity.rank, finding.path or "", finding.line or 0)


class BlockedError(ComposerError):
    """Findings that block (errors, or warnings under ``--strict``) stopped an operation."""

    def __init__(self, findings: list[Finding], *, what: str, strict: bool = False) -> None:
        self.findings = findings
        kinds = "errors and warnings (--strict)" if strict else "errors"
        super().__init__(
            f"{what}: {len(findings)} blocking lint finding(s) ({kinds}, listed above); fix them, or record a "
            "named exception (lint_exceptions) in the shot or brand kit"
        )


def raise_if_blocking(findings: Iterable[Finding], *, what: str, strict: bool = False) -> None:
    """Raise ``BlockedError`` when any finding blocks."""
    blockers = blocking(findings, strict=strict)
    if blockers:
        raise BlockedError(blockers, what=what, strict=strict)
