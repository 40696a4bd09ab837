"""Scorecards for spreadsheets and scripts: ``compose review export`` and ``compose review import``.

One row per (shot, take, reviewer)::

    shot_id, take, reviewer, <one column per rubric dimension>, verdict, note, check:<id> ...

A take nobody has reviewed yet still gets a row (reviewer and scores empty), so the export of a
fresh campaign is the blank scorecard to hand out. Check columns hold "yes"/"no", or for a count
how far off the image is ("0" honoured, "+1", "-2"); a check a shot does not have is left empty.

Import reads the same columns back. The whole file is checked before anything is written: an
unknown column, an unknown shot or take, a score outside the scale or a bad answer refuses the
file with its row (as a spreadsheet numbers it: the header is row 1) and column named, and nothing
is imported. An empty cell changes nothing; rows without a reviewer and without any value (the
blank scorecard's) are skipped.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from composer.review.checks import answer_text, parse_answer
from composer.review.errors import ImportFileError, ReviewInputError
from composer.review.inputs import check_reviewer, check_score, check_text, check_verdict
from composer.review.store import ReviewStore, Saving

KEY_COLUMNS = ("shot_id", "take", "reviewer")
CHECK_PREFIX = "check:"


def columns(store: ReviewStore, check_ids: list[str]) -> list[str]:
    return [*KEY_COLUMNS, *store.rubric.dimension_ids(), "verdict", "note", *(CHECK_PREFIX + c for c in check_ids)]


def export_rows(store: ReviewStore) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and the rows of the folder's scorecard (values: int, str or None)."""
    scores: dict[tuple[str, int, str], dict[str, int]] = {}
    for s in store.scores():
        scores.setdefault((s.shot_id, s.take, s.reviewer), {})[s.dimension] = s.score
    reviews = {(r.shot_id, r.take, r.reviewer): r for r in store.reviews()}
    answers: dict[tuple[str, int, str], dict[str, str]] = {}
    for a in store.answers():
        answers.setdefault((a.shot_id, a.take, a.reviewer), {})[a.check_id] = answer_text(a.kind, a.answer)
    check_ids: dict[str, None] = {}
    rows: list[dict[str, Any]] = []
    for card in store.shots():
        for check in store.checks(card.id):
            check_ids.setdefault(check.id)
        for take in card.takes:
            reviewers = sorted({k[2] for k in (*scores, *reviews, *answers) if k[:2] == (card.id, take.take)})
            for reviewer in reviewers or [""]:
                key = (card.id, take.take, reviewer)
                review = reviews.get(key)
                row: dict[str, Any] = {"shot_id": card.id, "take": take.take, "reviewer": reviewer or None}
                row.update({d: scores.get(key, {}).get(d) for d in store.rubric.dimension_ids()})
                row.update(verdict=review.verdict if review else None, note=review.note if review else None)
                row.update({CHECK_PREFIX + c: v for c, v in answers.get(key, {}).items()})
                rows.append(row)
    names = columns(store, list(check_ids))
    return names, [{name: row.get(name) for name in names} for row in rows]


def export_text(store: ReviewStore, fmt: str) -> str:
    """The scorecard as CSV or JSON text."""
    names, rows = export_rows(store)
    if fmt == "json":
        return json.dumps({"rubric": store.rubric.name, "columns": names, "rows": rows}, indent=2,
                          ensure_ascii=False) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    return out.getvalue()


def import_file(store: ReviewStore, path: Path) -> int:
    """Check every row of a scorecard CSV, then write them all in one transaction; returns rows imported."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path}: cannot read the scorecard ({exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    _check_header(store, path, header)
    savings: list[Saving] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise ImportFileError(f"{path}: row {number}: more cells than the header has columns")
        saving = _row(store, path, number, row)
        if saving is None:
            continue
        key = (saving.take.shot_id, str(saving.take.take), saving.reviewer)
        if key in seen:
            raise ImportFileError(f"{path}: row {number}: repeats row {seen[key]} (same shot_id, take and reviewer)")
        seen[key] = number
        savings.append(saving)
    store.save_all(savings)
    return len(savings)


def _check_header(store: ReviewStore, path: Path, header: list[str]) -> None:
    known = set(columns(store, []))
    for index, name in enumerate(header, start=1):
        if name not in known and not name.startswith(CHECK_PREFIX):
            raise ImportFileError(f"{path}: row 1, column {index} '{name}': not a scorecard column (known: "
                                  f"{', '.join(columns(store, []))}, check:<id>)")
    for name in KEY_COLUMNS:
        if name not in header:
            raise ImportFileError(f"{path}: row 1: the column '{name}' is missing")


def _row(store: ReviewStore, path: Path, number: int, row: dict[str, str]) -> Saving | None:
    values = {k: (v or "").strip() for k, v in row.items()}
    data = {k: v for k, v in values.items() if k not in KEY_COLUMNS and v}
    if not values["reviewer"] and not data:
        return None  # a blank scorecard row

    def fail(column: str, reason: str) -> ImportFileError:
        return ImportFileError(f"{path}: row {number}, column {column}: {reason}")

    if not values["reviewer"]:
        raise fail("reviewer", "the row has values but no reviewer")
    try:
        card = store.shot(values["shot_id"])
    except ReviewInputError:
        raise fail("shot_id", f"unknown shot '{values['shot_id']}'") from None
    if not values["take"].isdigit() or card.take(int(values["take"])) is None:
        raise fail("take", f"shot '{card.id}' has no take '{values['take']}'")
    try:
        reviewer = check_reviewer(values["reviewer"])
    except ReviewInputError as exc:
        raise fail("reviewer", str(exc).partition(": ")[2]) from None
    take = int(values["take"])
    dimensions = store.rubric.dimension_ids()
    known_checks = {c.id: c for c in store.checks(card.id)}
    scores = {d: v for d, v in data.items() if d in dimensions}
    checks = {k.removeprefix(CHECK_PREFIX): v for k, v in data.items() if k.startswith(CHECK_PREFIX)}
    for column, value in data.items():
        try:
            if column in scores:
                check_score(store.rubric, column, value)
            elif column.startswith(CHECK_PREFIX):
                check = known_checks.get(column.removeprefix(CHECK_PREFIX))
                if check is None:
                    raise ReviewInputError(f"{column}: shot '{card.id}' has no such instruction check")
                parse_answer(check, value)
            elif column == "verdict":
                check_verdict(value)
            else:
                check_text(value, column)
        except ReviewInputError as exc:
            raise fail(column, str(exc).partition(": ")[2]) from None
    stored = next((r for r in store.reviews(card.id) if (r.take, r.reviewer) == (take, reviewer)), None)
    verdict, note = data.get("verdict"), data.get("note")
    if verdict is None and note is None:
        return store.prepare(reviewer, card.id, take, scores=scores, checks=checks)
    return store.prepare(reviewer, card.id, take, scores=scores, checks=checks,
                         verdict=verdict if verdict is not None else stored.verdict if stored else None,
                         note=note if note is not None else stored.note if stored else "",
                         deltas=stored.deltas if stored else None)
