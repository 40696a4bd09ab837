"""Errors, warnings and lint findings, each with the file, line and field it comes from."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from composer.location import Severity
from composer.tui.problems import Problem

ICONS = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.NOTICE: "●"}


class ProblemsPanel(VerticalScroll):
    """A short scrollable list; its border shows the counts and turns red on errors."""

    COMPONENT_CLASSES = {"problems-panel--error", "problems-panel--warning", "problems-panel--notice",
                         "problems-panel--where"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Static(id="problems-text", markup=False), id=id)
        self.problems: list[Problem] | None = None
        self._root: Path | None = None

    def show(self, problems: list[Problem], root: Path | None = None) -> None:
        if problems == self.problems and self._root == root:
            return  # most keystrokes change nothing here; skipping saves a relayout
        self.problems, self._root = problems, root
        errors = sum(p.severity == "error" for p in problems)
        warnings = sum(p.severity == "warning" for p in problems)
        self.set_class(errors > 0, "-errors")
        self.set_class(errors == 0 and warnings > 0, "-warnings")
        notes = len(problems) - errors - warnings
        self.border_title = (f"Problems: {errors} error(s), {warnings} warning(s), {notes} note(s)"
                             if problems else "Problems")
        self.query_one("#problems-text", Static).update(self._render_rows(problems, root))

    def _render_rows(self, problems: list[Problem], root: Path | None) -> Text:
        if not problems:
            return Text("No problems.", style="dim")
        where_style = self.get_component_rich_style("problems-panel--where")
        text = Text()
        for number, problem in enumerate(problems):
            if number:
                text.append("\n")
            icon_style = self.get_component_rich_style(f"problems-panel--{problem.severity}")
            text.append(f"{ICONS[problem.severity]} ", icon_style)
            where = problem.location(root)
            if where:
                text.append(where, where_style)
                text.append(": ")
            text.append(problem.message)
        return text
