"""The length meter: characters against the target's window, tokens, and what the guard cut.

It turns to the warning colour from ``NEAR_LIMIT`` of the window, or whenever the guard had to
shorten or drop something (the brief is then at the limit by construction). It is always three
rows high, so an update repaints it without a relayout of the screen; long lists of cuts end in
an ellipsis here and are listed in full in the problems panel.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from composer.compose import Brief
from composer.errors import BriefTooLongError

NEAR_LIMIT = 0.9
"""Fraction of the window from which the meter warns."""


class LengthMeter(Widget):
    """Row 1: target, bar and counts. Row 2: tokens, mode, file name. Row 3: the guard's cuts."""

    COMPONENT_CLASSES = {"length-meter--bar", "length-meter--rest", "length-meter--cut"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._brief: Brief | None = None
        self._stale = False
        self._over: BriefTooLongError | None = None

    def show(self, brief: Brief | None, *, stale: bool = False, over: BriefTooLongError | None = None) -> None:
        """Show ``brief``'s counts; ``over``: the shot's required text alone exceeds the window."""
        self._brief, self._stale, self._over = brief, stale, over
        near = brief is not None and (brief.chars >= NEAR_LIMIT * brief.limit or bool(brief.dropped))
        self.set_class(near, "-near-limit")
        self.set_class(stale or over is not None, "-stale")
        self.refresh()

    @property
    def fraction(self) -> float:
        return 0.0 if self._brief is None else min(1.0, self._brief.chars / self._brief.limit)

    def render(self) -> Text:
        brief = self._brief
        if self._over is not None:
            over = self._over
            return Text(f"{over.target} {over.chars:,}/{over.limit:,} chars: {over.chars - over.limit:,} over\n"
                        "even with every optional part cut;\nshorten a bible or raise max chars", style="bold")
        if brief is None:
            return Text("No brief yet.", style="dim")
        counts = f" {brief.chars:,}/{brief.limit:,} chars {self.fraction:.0%}"
        width = max(4, self.content_size.width - len(counts) - len(brief.target_name) - 1)
        filled = round(self.fraction * width)
        text = Text(f"{brief.target_name} ", no_wrap=True, overflow="ellipsis")
        text.append("█" * filled, self.get_component_rich_style("length-meter--bar"))
        text.append("░" * (width - filled), self.get_component_rich_style("length-meter--rest"))
        text.append(counts)
        text.append(f"\n{brief.tokens} · {brief.mode} · {brief.slug}")
        if self._stale:
            text.append(" · last brief that composed", "bold")
        if brief.dropped:
            text.append("\nguard cut: " + "; ".join(brief.dropped), self.get_component_rich_style("length-meter--cut"))
        else:
            text.append("\nguard: nothing dropped")
        return text
