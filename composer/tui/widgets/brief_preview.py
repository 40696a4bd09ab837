"""The live brief: the prompt exactly as it will be sent, with its section headings picked out.

Each heading line (``SCENE:``...) is highlighted and followed by the section's size, so the
sections that eat the window are visible at a glance (the size note is display only).

A 20,000-character brief must repaint within a keystroke, so this is a Line API widget: lines
are word-wrapped once per width and cached by their text (an edit usually changes one line), and
only the visible rows are ever turned into strips.
"""

from __future__ import annotations

import textwrap
from typing import Literal

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.events import Resize
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from composer.compose import Brief

Kind = Literal["text", "heading", "hint"]
Row = tuple[str, Kind, str]
"""One screen row: its text, what it is, and a note drawn after it (headings' sizes)."""


def section_headings(brief: Brief) -> set[str]:
    """The heading lines the template's sections produce in the plain-text prompt."""
    return {f"{f.title.upper()}:" for f in brief.tree.walk() if f.title}


def section_sizes(lines: list[str], headings: set[str]) -> dict[int, int]:
    """Characters from each heading line up to the next heading, keyed by the heading's line."""
    sizes: dict[int, int] = {}
    current: int | None = None
    for number, line in enumerate(lines):
        if line in headings:
            current = number
            sizes[number] = 0
        if current is not None:
            sizes[current] += len(line) + 1
    return sizes


def changed_span(old: list[Row], new: list[Row]) -> tuple[int | None, int]:
    """The first and last row of ``new`` that differ from ``old`` (None when nothing differs)."""
    shortest = min(len(old), len(new))
    first = next((n for n in range(shortest) if old[n] != new[n]), None)
    if first is None:
        if len(old) == len(new):
            return None, 0
        first = shortest
    tail = 0
    while tail < shortest - first and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return first, max(first, len(new) - 1 - tail)


def wrap_line(line: str, width: int) -> list[str]:
    """Word-wrap one line to ``width`` cells (rich measures cells when the line is not ASCII)."""
    if not line:
        return [""]
    if line.isascii():
        return textwrap.wrap(line, width, drop_whitespace=True, break_on_hyphens=False) or [""]
    return [part.plain for part in Text(line).wrap(_CONSOLE, width)] or [""]


_CONSOLE = Console(width=10_000, color_system=None)
"""Only used to measure the wrapping of non-ASCII lines."""


class BriefPreview(ScrollView, can_focus=True):
    """Scrollable preview; ``show`` and ``show_hint`` replace its content."""

    COMPONENT_CLASSES = {"brief-preview--heading", "brief-preview--size", "brief-preview--hint"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._source: list[Row] = []
        self._rows: list[Row] = []
        self._wrap_cache: dict[str, list[str]] = {}
        self._wrap_width = 0
        self._strips: dict[Row, Strip] = {}
        """Rendered rows by content, so a repaint after an edit re-renders only the rows that changed."""
        self.first_changed: int | None = None
        """The first row the last update changed (the preview scrolls to show it)."""
        self._changed_rows: tuple[int, int] | None = None
        """The rows the last update changed, when only some did (None: all of them)."""
        self._scrolled_from = 0

    @property
    def rows(self) -> list[str]:
        """The rows as displayed (tests and the benchmark read them)."""
        return [text + note for text, _kind, note in self._rows]

    def show_hint(self, hint: str) -> None:
        self._set_source([(hint, "hint", "")])

    def show(self, brief: Brief) -> None:
        """Show ``brief``, scrolled to its first changed row when that row is out of view."""
        lines = brief.prompt.split("\n")
        sizes = section_sizes(lines, section_headings(brief))
        self._set_source([
            (line, "heading", f"  {sizes[n]:,} chars") if n in sizes else (line, "text", "")
            for n, line in enumerate(lines)
        ])

    def _set_source(self, source: list[Row]) -> None:
        self._source = source
        self._rewrap()

    def _rewrap(self) -> None:
        width = max(8, self.scrollable_content_region.width or self.size.width or 80)
        if width != self._wrap_width:
            self._wrap_cache, self._wrap_width = {}, width
        cache, fresh = self._wrap_cache, {}
        rows: list[Row] = []
        for text, kind, note in self._source:
            if kind == "heading":
                rows.append((text, kind, note))  # headings are short; never wrapped
                continue
            parts = cache.get(text) or wrap_line(text, width)
            fresh[text] = parts
            rows.extend((part, kind, "") for part in parts)
        self._wrap_cache = fresh  # keep only lines still in use
        old, self._rows = self._rows, rows
        first, last = changed_span(old, rows)
        self.first_changed = first
        self._changed_rows = None
        if len(old) != len(rows) or self.virtual_size.width != width:
            self.virtual_size = Size(width, len(rows))
            self.refresh()
        elif first is not None:
            self._changed_rows = (first, last)
            self.refresh_lines(first, last - first + 1)  # usually the one row being typed into
        if first is not None and old:
            self._bring_into_view(first)

    def changed_region(self) -> Region:
        """Where on screen the last update changed this widget: a few rows, or all of it."""
        top = self.scroll_offset.y
        area = self.content_region
        if self._changed_rows is None or self.scroll_offset.y != self._scrolled_from:
            return self.region
        first, last = (max(0, row - top) for row in self._changed_rows)
        return Region(area.x, area.y + first, area.width, max(0, min(last, area.height - 1) - first + 1))

    def _bring_into_view(self, row: int) -> None:
        """Scroll so an edited row is visible: the preview follows the edit."""
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        self._scrolled_from = top
        if height and not top <= row < top + height:
            self.scroll_to(y=max(0, row - height // 3), animate=False, immediate=True)

    def on_resize(self, event: Resize) -> None:
        self._rewrap()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips = {}  # colours or theme changed

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        row = self._rows[index]
        strip = self._strips.get(row)
        if strip is None or strip.cell_length != width:
            if len(self._strips) > 4 * len(self._rows) + 100:
                self._strips = {}
            strip = self._strips[row] = self._render_row(row, width)
        return strip.apply_offsets(0, index)

    def _render_row(self, row: Row, width: int) -> Strip:
        text, kind, note = row
        base = self.rich_style
        segments = [Segment(text, base + self._style_for(kind))]
        if note:
            segments.append(Segment(note, base + self.get_component_rich_style("brief-preview--size")))
        return Strip(segments).crop_extend(0, width, base)

    def _style_for(self, kind: Kind) -> Style:
        if kind == "heading":
            return self.get_component_rich_style("brief-preview--heading")
        if kind == "hint":
            return self.get_component_rich_style("brief-preview--hint")
        return Style()
