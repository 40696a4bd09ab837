"""Campaign errors: each one line, raised before anything is generated or paid for.

    CampaignError            base (a ComposerError, so the CLI prints it as ``Error: ...``)
    ├── CampaignFileError    the campaign file is wrong: every problem at once, each located
    ├── CapExceededError     the campaign expands to more shots than its cap, unconfirmed
    ├── BudgetError          the estimate exceeds --budget-credits, or the budget buys no image
    ├── LintBlockedError     shots whose briefs have lint errors were asked to generate
    └── LedgerError          the output folder's ledger is unusable or locked by another run
"""

from __future__ import annotations

from pathlib import Path

from composer.errors import ComposerError, LocatedError


class CampaignError(ComposerError):
    """Base class of campaign errors."""


class CampaignFileError(CampaignError):
    """One or more located problems in a campaign file, reported together in file order."""

    def __init__(self, path: Path, problems: list[LocatedError]) -> None:
        self.path = path
        self.problems = sorted(problems, key=lambda p: p.line or 0)
        if len(self.problems) == 1:
            message = str(self.problems[0])
        else:
            items = "; ".join(_short(p) for p in self.problems)
            message = f"{path}: {len(self.problems)} problems: {items}"
        super().__init__(message)


def _short(problem: LocatedError) -> str:
    """A problem without the file name (the message names it once): ``line 12: field: reason``."""
    where = f"line {problem.line}" if problem.line else ""
    if problem.field:
        where = f"{where}: {problem.field}" if where else problem.field
    return f"{where}: {problem.reason}" if where else problem.reason


class CapExceededError(CampaignError):
    """The campaign expands to more shots than its cap and the caller did not confirm."""


class BudgetError(CampaignError):
    """The estimate exceeds the budget, or the budget is below the price of one image."""


class LintBlockedError(CampaignError):
    """Shots with lint errors cannot be generated."""


class LedgerError(CampaignError):
    """The ledger is unreadable, from another campaign, or locked by a running campaign."""
