"""Lint: checks every composed brief against its brand before anything is sent.

``lint_brief(brief)`` is a pure function of the brief and the assets it was composed from; the
composer calls it on every compose (CLI, TUI, campaigns), so it must stay fast. Rules:

==========  ===========================================================================
conflict    a positive section asks for what a negative forbids (colours as families)
palette     every required palette colour by name and hex; no off-palette hex code
exactness   counts and left-to-right orders stated once, unambiguously, uncontradicted
frames      a cast member with reference frames is sent with them (image-to-image)
logo        a shot that places the logo states the clear-space rule
==========  ===========================================================================

A named exception (``lint_exceptions`` in the brand kit or the shot's deltas) turns a matching
error or warning into a notice that cites it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from composer.lint.conflicts import check_conflicts
from composer.lint.context import LintContext, build_context
from composer.lint.exactness import check_exactness
from composer.lint.findings import (
    BlockedError,
    Finding,
    blocking,
    raise_if_blocking,
    sort_key,
    summary,
)
from composer.lint.logo import check_logo
from composer.lint.palette import check_palette
from composer.lint.references import check_references
from composer.location import Location, Severity
from composer.models import LintException

if TYPE_CHECKING:
    from composer.compose import Brief

Rule = Callable[[LintContext], list[Finding]]
RULES: dict[str, Rule] = {
    "conflict": check_conflicts,
    "palette": check_palette,
    "exactness": check_exactness,
    "frames": check_references,
    "logo": check_logo,
}


def lint_brief(brief: Brief) -> list[Finding]:
    """Every finding for one brief, worst first, with named exceptions applied."""
    ctx = build_context(brief)
    findings = [finding for rule in RULES.values() for finding in rule(ctx)]
    return sorted(apply_exceptions(findings, ctx.exceptions), key=sort_key)


def apply_exceptions(findings: list[Finding], exceptions: list[tuple[LintException, Location]]) -> list[Finding]:
    """Each error or warning a named exception covers becomes a notice that cites it."""
    if not exceptions:
        return findings
    out = []
    for finding in findings:
        match = next((pair for pair in exceptions if _covers(pair[0], finding)), None)
        if match is None or finding.severity is Severity.NOTICE:
            out.append(finding)
            continue
        exception, where = match
        out.append(replace(
            finding,
            severity=Severity.NOTICE,
            message=f"allowed by exception ({where}: {exception.reason}): {finding.message}",
            fix="nothing to do; remove the exception to enforce the rule again",
        ))
    return out


def _covers(exception: LintException, finding: Finding) -> bool:
    if exception.rule != finding.rule or exception.term.casefold() not in finding.terms:
        return False
    return exception.asset is None or exception.asset == finding.subject


__all__ = [
    "RULES",
    "BlockedError",
    "Finding",
    "Location",
    "Severity",
    "apply_exceptions",
    "blocking",
    "lint_brief",
    "raise_if_blocking",
    "summary",
]
