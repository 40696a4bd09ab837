"""A one-line status bar shown while a generation runs: what it is doing and how far it got."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class GenerationStatus(Horizontal):
    """Hidden until ``start``; ``progress`` may come with or without a known fraction."""

    def compose(self) -> ComposeResult:
        yield Label("", id="generation-label")
        yield ProgressBar(total=100, show_eta=False, id="generation-bar")

    def start(self, what: str) -> None:
        self.add_class("-running")
        self.query_one("#generation-bar", ProgressBar).update(total=None, progress=0)
        self.query_one("#generation-label", Label).update(f"Generating {what} (Esc cancels)")

    def progress(self, message: str, fraction: float | None) -> None:
        bar = self.query_one("#generation-bar", ProgressBar)
        if fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=100, progress=round(100 * fraction))
        self.query_one("#generation-label", Label).update(f"{message} (Esc cancels)")

    def finish(self) -> None:
        self.remove_class("-running")
