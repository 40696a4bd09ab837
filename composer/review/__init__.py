"""Reviewing what came back: rubric scores, verdicts, blind labels, reconcile and re-runs.

Modules: ``takes`` (what a folder holds: shots and their takes), ``blind`` (letters shuffled per
reviewer), ``inputs`` (checking what a reviewer sends), ``records`` (what the store hands out),
``reruns`` (queued regenerations), ``store`` (the review tables in the folder's ledger, and the API
the web app calls).
"""

from __future__ import annotations

from composer.review.errors import ImportFileError, ReviewError, ReviewInputError
from composer.review.store import ReviewStore

__all__ = ["ImportFileError", "ReviewError", "ReviewInputError", "ReviewStore"]
