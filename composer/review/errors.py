"""Review errors: each one line, raised before anything is written.

    ReviewError            base (a ComposerError, so the CLI prints it as ``Error: ...``)
    ├── ReviewInputError   a score, verdict, note, reviewer name, shot or take that is not acceptable
    └── ImportFileError    a scorecard file to import is wrong: its row and column are named
"""

from __future__ import annotations

from composer.errors import ComposerError


class ReviewError(ComposerError):
    """Base class of review errors (a folder that cannot be reviewed, a store that cannot be opened)."""


class ReviewInputError(ReviewError):
    """Something a reviewer sent is not acceptable; nothing of it was saved."""


class ImportFileError(ReviewError):
    """A scorecard file is wrong; nothing of it was imported."""
