"""Picking the cast, scene, brand, style and target from the library, with search as you type.

One search box over one list of every asset, grouped by kind. Typing filters (each word must
appear in the id, or begin the kind's name); Enter in the search box picks the highlighted match and clears the search,
so "red⏎castle⏎" picks red-curls and the castle. Characters and products toggle; the other kinds
have one value, and picking the current one again returns to the library's default.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from composer.tui.draft import MULTI_KINDS, Draft

KIND_TITLES = {
    "character": "Characters", "product": "Products", "scene": "Scene", "brand": "Brand kit",
    "style": "Style", "target": "Target",
}


def matches(query: str, kind: str, asset_id: str) -> bool:
    """Every word is part of the id, or (3 letters or more) the start of the kind: "sce cast"."""
    return all(word in asset_id.lower() or (len(word) >= 3 and kind.startswith(word))
               for word in query.lower().split())


class AssetPicker(Vertical):
    """Search box and grouped asset list; posts ``Toggled`` when the user picks something."""

    class Toggled(Message):
        def __init__(self, kind: str, asset_id: str) -> None:
            super().__init__()
            self.kind = kind
            self.asset_id = asset_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._catalogue: dict[str, list[str]] = {}
        self._draft = Draft()
        self._defaults: dict[str, str | None] = {}

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search: type, then Enter to pick", id="asset-search", compact=True)
        yield OptionList(id="asset-list")

    def show(self, catalogue: dict[str, list[str]], draft: Draft, defaults: dict[str, str | None]) -> None:
        """Rebuild the list for this catalogue and draft, keeping the highlight where it was."""
        self._catalogue, self._draft, self._defaults = catalogue, draft, defaults
        self._rebuild()

    def _rebuild(self) -> None:
        listing = self.query_one("#asset-list", OptionList)
        query = self.query_one("#asset-search", Input).value
        highlighted = listing.highlighted_option.id if listing.highlighted_option else None
        options: list[Option] = []
        for kind, known in self._catalogue.items():
            # ids the draft names but the library lacks stay listed, so they can be unpicked
            ids = known + [i for i in self._draft.picked(kind) if i not in known]
            shown = [i for i in ids if matches(query, kind, i)]
            if not shown:
                continue
            options.append(Option(Text(KIND_TITLES[kind].upper(), style="bold"), id=f"@{kind}", disabled=True))
            options.extend(Option(self._label(kind, i), id=f"{kind}:{i}") for i in shown)
        listing.set_options(options)
        option_ids = [o.id for o in options]
        if highlighted in option_ids:
            listing.highlighted = option_ids.index(highlighted)
        elif query:
            listing.highlighted = next((n for n, o in enumerate(options) if not o.disabled), None)

    def _label(self, kind: str, asset_id: str) -> Text:
        picked = asset_id in self._draft.picked(kind)
        boxes = ("[x]", "[ ]") if kind in MULTI_KINDS else ("(*)", "( )")
        mark = boxes[0] if picked else boxes[1]
        label = Text(f"{mark} {asset_id}")
        if picked:
            label.stylize("bold")
        if asset_id not in self._catalogue.get(kind, []):
            label.append(" missing", style="italic red")
        elif not self._draft.picked(kind) and self._defaults.get(kind) == asset_id:
            label.append(" default", style="italic dim")
        return label

    # -- events --------------------------------------------------------------------------------------
    @on(Input.Changed, "#asset-search")
    def _filter(self) -> None:
        self._rebuild()

    @on(Input.Submitted, "#asset-search")
    def _pick_first(self, event: Input.Submitted) -> None:
        listing = self.query_one("#asset-list", OptionList)
        option = listing.highlighted_option
        if option is None or option.disabled or not event.value.strip():
            return
        event.input.value = ""
        self._post_toggle(option)

    @on(OptionList.OptionSelected, "#asset-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._post_toggle(event.option)

    def _post_toggle(self, option: Option) -> None:
        kind, _, asset_id = (option.id or "").partition(":")
        if asset_id:
            self.post_message(self.Toggled(kind, asset_id))

    def on_key(self, event: events.Key) -> None:
        """Down from the search box moves into the list; the list keeps its own keys."""
        search = self.query_one("#asset-search", Input)
        if event.key == "down" and search.has_focus:
            event.stop()
            self.query_one("#asset-list", OptionList).focus()
