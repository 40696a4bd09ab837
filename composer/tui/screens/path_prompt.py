"""A small modal asking for a path (the export folder, the campaign file); Esc cancels."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PathPrompt(ModalScreen[Path | None]):
    """Dismisses with the typed path, or None when cancelled or left empty."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, default: Path, help_text: str) -> None:
        super().__init__()
        self._title = title
        self._default = default
        self._help = help_text

    def compose(self) -> ComposeResult:
        with Vertical(id="path-dialog") as dialog:
            dialog.border_title = self._title
            yield Label(self._help, id="path-help")
            yield Input(value=str(self._default), id="path-input")
            yield Label("Enter to confirm, Esc to cancel", id="path-keys")

    @on(Input.Submitted, "#path-input")
    def _submit(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(Path(value).expanduser() if value else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
