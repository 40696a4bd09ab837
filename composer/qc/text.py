"""The text form of a QC report (``compose qc --format text``)."""

from __future__ import annotations

from composer.qc.check import ImageReport


def report_text(report: ImageReport) -> str:
    counts = report.counts()
    head = (f"{report.path} ({report.width}x{report.height}): {counts['error']} error(s), "
            f"{counts['warning']} warning(s), {counts['notice']} notice(s)")
    lines = [head]
    for found in report.findings:
        lines.append(f"  {found}")
        if found.boxes:
            more = f" (+{len(found.boxes) - 5} more)" if len(found.boxes) > 5 else ""
            lines.append("    boxes: " + ", ".join(str(list(b)) for b in found.boxes[:5]) + more)
        for swatch in found.palette:
            near = "" if swatch.delta_e is None else f" -> {swatch.nearest} ΔE00 {swatch.delta_e:.1f}"
            lines.append(f"    {swatch.hex} {swatch.share:6.1%}{near}")
    return "\n".join(lines)
