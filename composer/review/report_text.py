"""The review report as text: a table for the terminal, Markdown, CSV, or JSON."""

from __future__ import annotations

import csv
import io
import json

from composer.review.checks import KIND_NAMES
from composer.review.report import Report, Row, Spread


def spread_text(s: Spread) -> str:
    return "-" if s.mean is None or s.sd is None else f"{s.mean:.2f} ±{s.sd:.2f}"


def money_text(row: Row) -> str:
    parts = []
    if row.usd_per_approved is not None:
        parts.append(f"${row.usd_per_approved:.2f}")
    if row.credits_per_approved is not None and row.credits:
        parts.append(f"{row.credits_per_approved:g} cr")
    return " / ".join(parts) or "-"


def _cells(report: Report, row: Row) -> list[str]:
    return [row.key, str(row.takes), f"{row.approved}/{row.takes}",
            *(spread_text(row.dimensions[d]) for d in report.rubric.dimension_ids()), money_text(row)]


def _header(report: Report) -> list[str]:
    return [report.by, "takes", "approved", *report.rubric.dimension_ids(), "per approved"]


def _honoured(row: Row) -> list[str]:
    lines = [f"{label}: {h}/{n}" for label, (h, n) in row.checks.items()]
    kinds = [f"{KIND_NAMES.get(kind, kind)} {h}/{n}" for kind, (h, n) in row.kinds.items()]
    return [*lines, *(["by kind: " + ", ".join(kinds)] if kinds else [])]


def _divergences(report: Report) -> list[str]:
    return [f"{d.shot_id} take {d.take} {d.dimension}: " + ", ".join(f"{r} {s}" for r, s in d.scores.items())
            for d in report.divergences]


def as_table(report: Report) -> str:
    header, rows = _header(report), [_cells(report, r) for r in report.rows]
    widths = [max(len(x) for x in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                               strict=True)))

    out = [f"{report.rubric.name}: mean ±sd per dimension, by {report.by}", "", line(header)]
    out += [line(r) for r in rows]
    for row in report.rows:
        honoured = _honoured(row)
        if honoured:
            out += ["", f"instructions honoured, {row.key}:", *(f"  {h}" for h in honoured)]
    todo = _divergences(report)
    out += ["", f"divergences to reconcile: {len(todo)}", *(f"  {d}" for d in todo)]
    return "\n".join(out) + "\n"


def as_markdown(report: Report) -> str:
    header = _header(report)
    out = [f"# Review report: {report.rubric.name}", "", f"Mean ±sd per dimension, by {report.by}.", "",
           "| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    out += ["| " + " | ".join(_cells(report, r)) + " |" for r in report.rows]
    for row in report.rows:
        honoured = _honoured(row)
        if honoured:
            out += ["", f"## Instructions honoured: {row.key}", "", *(f"- {h}" for h in honoured)]
    todo = _divergences(report)
    out += ["", f"## Divergences to reconcile ({len(todo)})", "", *(f"- {d}" for d in todo or ["none"])]
    return "\n".join(out) + "\n"


def as_csv(report: Report) -> str:
    """One row per model (or backend, group); a column per figure, honoured counts as "17/20"."""
    labels = list(dict.fromkeys(label for r in report.rows for label in r.checks))
    dims = report.rubric.dimension_ids()
    names = [report.by, "takes", "approved", "rejected", "regenerate", *(f"{d}_{x}" for d in dims
             for x in ("mean", "sd", "takes")), "credits", "usd", "credits_per_approved", "usd_per_approved",
             *(f"honoured: {label}" for label in labels)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for r in report.rows:
        figures = [x for d in dims for x in (_num(r.dimensions[d].mean), _num(r.dimensions[d].sd),
                                             r.dimensions[d].takes)]
        honoured = [f"{r.checks[label][0]}/{r.checks[label][1]}" if label in r.checks else "" for label in labels]
        writer.writerow([r.key, r.takes, r.approved, r.rejected, r.regenerate, *figures, f"{r.credits:g}",
                         f"{r.usd:.4f}", _num(r.credits_per_approved), _num(r.usd_per_approved), *honoured])
    return out.getvalue()


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def as_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"


FORMATS = {"table": as_table, "md": as_markdown, "csv": as_csv, "json": as_json}
