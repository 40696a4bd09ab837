"""The per-shot deltas as form fields, one labelled input per ``ShotDeltas`` field.

Fields come from the model itself (its attribute docstrings are the placeholders), so a delta
added to ``ShotDeltas`` appears here without a TUI change. List fields take ';'-separated items,
exactly like ``--set``. The four a designer edits on nearly every shot come first; the rest, and
the shot's file name stem and policy window, sit in a collapsed "More" section (collapsed widgets
are not laid out, which keeps every keystroke's relayout cheap).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Collapsible, Input, Label

from composer.models import ShotDeltas
from composer.shot import ShotSpec
from composer.tui.draft import delta_fields

FIRST = ("composition", "order", "counts", "negative")
"""The deltas a designer edits most, shown first."""
SPEC_LABELS = {"name": ("File name", ShotSpec), "max_chars": ("Max chars", ShotSpec)}


def more_fields() -> list[str]:
    return [*(f for f in delta_fields() if f not in FIRST), *SPEC_LABELS]


def field_order() -> list[str]:
    return [*FIRST, *more_fields()]


def label_for(name: str) -> str:
    if name in SPEC_LABELS:
        return SPEC_LABELS[name][0]
    title = name.replace("_", " ").capitalize()
    return f"{title} (a; b; c)" if name in ShotDeltas.list_fields() else title


def placeholder_for(name: str) -> str:
    model = SPEC_LABELS[name][1] if name in SPEC_LABELS else ShotDeltas
    return (model.model_fields[name].description or "").split("\n")[0]


class DeltaInput(Input):
    """An input that reports each edit straight to its form, inside its own message handler.

    Why not a bubbling message: the edit must reach the screen before Textual paints the typed
    character, so the recomposed brief lands in the same frame. A message hopping up six parents
    arrives after that paint, and the preview then waits a whole extra frame.
    """

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        form = next((a for a in self.ancestors if isinstance(a, DeltasForm)), None)
        if form is not None and self.name:
            form.edited(self.name, event.value)


class DeltasForm(VerticalScroll):
    """Calls ``on_edit(field, raw_text)`` on every keystroke, and posts ``Edited`` for observers."""

    class Edited(Message):
        def __init__(self, field: str, value: str) -> None:
            super().__init__()
            self.field = field
            self.value = value

    def __init__(
        self, values: dict[str, str] | None = None, *, on_edit: Callable[[str, str], None] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._values = values or {}
        self._on_edit = on_edit

    def compose(self) -> ComposeResult:
        for name in FIRST:
            yield from self._field(name)
        more = more_fields()
        with Collapsible(title="More deltas, file name, max chars", id="more-deltas",
                         collapsed=not any(self._values.get(name) for name in more)):
            for name in more:
                yield from self._field(name)

    def _field(self, name: str) -> list[Widget]:
        return [
            Label(label_for(name), classes="field-label"),
            DeltaInput(value=self._values.get(name, ""), placeholder=placeholder_for(name),
                       id=f"delta-{name}", name=name, compact=True),
        ]

    def edited(self, field: str, value: str) -> None:
        if self._on_edit is not None:
            self._on_edit(field, value)
        self.post_message(self.Edited(field, value))
