"""``compose validate``: check a whole library at once and report every problem, not the first.

Each problem is a ``Finding`` with file, line and field. The checks run in this order (each may
use what the earlier ones parsed; ``unused`` must be last), like lint's rules:

==========  ===========================================================================
schema      YAML that does not parse, is not UTF-8, or breaks the asset schema (every field error)
duplicate   ids that collide (a character and a product both ``mug``; ``Mug.yaml`` and
            ``mug.yaml``), palette colours named or coded twice
reference   a default, ``extends``, relationship or lint exception that names an asset that does
            not exist; brand inheritance cycles; a sub-brand chain missing a required field
frames      reference frames missing, unreadable, not images, too large or outside the library
shots       shot and campaign files naming unknown assets or frames outside the library
template    target templates that are missing, fail to parse, use undefined names or fail a trial
            render with every field filled in (and again with every optional field empty)
unused      assets, frames and templates nothing uses, files in asset folders that are ignored
==========  ===========================================================================
"""

from __future__ import annotations

from collections.abc import Callable

from composer.errors import ComposerError
from composer.library import Library
from composer.lint.findings import Finding, sort_key, summary
from composer.location import Severity
from composer.validate.assets import check_duplicates, load_library
from composer.validate.frames import check_frames
from composer.validate.references import check_references
from composer.validate.report import Report
from composer.validate.shots import check_shot_files
from composer.validate.templates import check_templates
from composer.validate.unused import check_unused

Check = Callable[[Report], None]
CHECKS: dict[str, Check] = {
    "schema": load_library,
    "duplicate": check_duplicates,
    "reference": check_references,
    "frames": check_frames,
    "shots": check_shot_files,
    "template": check_templates,
    "unused": check_unused,
}
"""Every check, in the order they run."""


def validate_library(library: Library) -> list[Finding]:
    """Every problem in the library, worst first, then by file and line."""
    report = Report(library)
    for check in CHECKS.values():
        check(report)
    return sorted(report.findings, key=sort_key)


class InvalidLibraryError(ComposerError):
    """``compose validate`` found errors (or, with ``--strict``, warnings)."""


def raise_if_invalid(library: Library, findings: list[Finding], *, strict: bool = False) -> None:
    """Raise ``InvalidLibraryError`` when any finding is an error (or, when ``strict``, a warning)."""
    floor = Severity.WARNING.rank if strict else Severity.ERROR.rank
    if any(f.severity.rank >= floor for f in findings):
        raise InvalidLibraryError(f"library {library.root} is not valid: {summary(findings)}")


__all__ = [
    "CHECKS",
    "InvalidLibraryError",
    "raise_if_invalid",
    "validate_library",
]
