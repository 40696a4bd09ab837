"""``compose review report --chart FILE.png``: the per-model means as a grouped bar chart, with Pillow.

Pillow is already a dependency (thumbnails, contact sheets); a plotting library would add tens of
megabytes and, for matplotlib, most of a second of import time, for one bar chart.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from composer.campaign.sheet import save_png
from composer.review.report import Report

COLOURS = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C"]
WIDTH, HEIGHT = 1000, 560
LEFT, RIGHT, TOP, BOTTOM = 70, 30, 60, 120


def chart_image(report: Report) -> Image.Image:
    """A PNG: one group of bars per dimension, one bar per row (model), the scale on the y axis."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=14)
    small = ImageFont.load_default(size=12)
    rubric = report.rubric
    top = rubric.scale_max
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - (value - rubric.scale_min) / (top - rubric.scale_min))

    draw.text((LEFT, 18), f"{rubric.name}: mean score per dimension, by {report.by}", fill="black", font=font)
    for tick in range(rubric.scale_min, top + 1, max(1, (top - rubric.scale_min) // 5)):
        y = y_of(tick)
        draw.line([(LEFT, y), (WIDTH - RIGHT, y)], fill="#E5E5E5")
        draw.text((LEFT - 28, y - 7), f"{tick:>2}", fill="black", font=small)
    dims = rubric.dimensions
    slot = plot_w / max(len(dims), 1)
    bar = slot * 0.8 / max(len(report.rows), 1)
    for i, dimension in enumerate(dims):
        x0 = LEFT + i * slot + slot * 0.1
        for j, row in enumerate(report.rows):
            mean = row.dimensions[dimension.id].mean
            if mean is None:
                continue
            left = x0 + j * bar
            draw.rectangle([left, y_of(mean), left + bar - 2, y_of(rubric.scale_min)], fill=COLOURS[j % len(COLOURS)])
            draw.text((left, y_of(mean) - 15), f"{mean:.1f}", fill="black", font=small)
        label = "\n".join(textwrap.wrap(dimension.name, 22, max_lines=2, placeholder="…"))  # 2 lines fit a slot
        draw.multiline_text((x0, HEIGHT - BOTTOM + 8), label, fill="black", font=small, spacing=2)
    for j, row in enumerate(report.rows):
        x, y = LEFT + (j % 3) * 300, HEIGHT - BOTTOM + 44 + (j // 3) * 20
        draw.rectangle([x, y, x + 14, y + 14], fill=COLOURS[j % len(COLOURS)])
        draw.text((x + 20, y), f"{row.key} ({row.takes} takes)", fill="black", font=small)
    draw.line([(LEFT, TOP), (LEFT, y_of(rubric.scale_min)), (WIDTH - RIGHT, y_of(rubric.scale_min))], fill="black")
    return image


def write_chart(report: Report, path: Path) -> None:
    """Write the chart as a PNG, whole or not at all."""
    save_png(chart_image(report), path)
