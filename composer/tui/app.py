"""``compose tui``: the Textual app designers and brand managers use instead of the flags.

The app only arranges screens; the main screen wires widgets to a ``Session``, which calls the
same library functions as the CLI.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from composer.settings import Settings, use_settings
from composer.tui.draft import Draft
from composer.tui.screens.main_screen import MainScreen
from composer.tui.session import Session

DEFAULT_OUT = Path("briefs")
DEFAULT_CAMPAIGN = Path("campaign.yaml")
POLL_SECONDS = 1.0
"""How often library files are checked for edits."""


class ComposerApp(App[None]):
    """Pick, edit, preview, export, copy, generate and save shots."""

    CSS_PATH = "composer.tcss"
    TITLE = "compose"
    BINDINGS = [Binding("q", "quit", "Quit")]
    # the main screen gets -narrow/-wide and -short/-tall classes; composer.tcss sizes panes by them
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]

    def __init__(
        self,
        library_root: Path,
        *,
        draft: Draft | None = None,
        out_dir: Path = DEFAULT_OUT,
        campaign: Path = DEFAULT_CAMPAIGN,
        poll_interval: float = POLL_SECONDS,
        settings: Settings | None = None,
        freeze_gc: bool = False,
    ) -> None:
        super().__init__()
        if settings is None:  # started on its own, not by `compose tui`: the TUI reads the environment once
            settings = Settings.from_env()
            use_settings(settings)
        self.session = Session(library_root, draft, settings)
        self._out_dir = out_dir
        self._campaign = campaign
        self._poll_interval = poll_interval
        self._freeze_gc = freeze_gc

    def on_ready(self) -> None:
        self.call_after_refresh(self._settle)  # after the first paint, while the user reads

    def _settle(self) -> None:
        """Load the tokenizer table now rather than on the first pick; then, when this process is
        the app's own (``compose tui``), move everything loaded so far out of the garbage
        collector's view: its full collections otherwise stall single keystrokes (bench/RESULTS.md)."""
        self.session.warm_up()
        if self._freeze_gc:
            gc.freeze()

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.session, out_dir=self._out_dir, campaign=self._campaign,
                          poll_interval=self._poll_interval)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            yield SystemCommand("Export prompt files", "Write <slug>.txt, .md and .json (ctrl+o)",
                                screen.action_export)
            yield SystemCommand("Copy prompt", "Copy the prompt to the clipboard (ctrl+y)",
                                screen.action_copy_prompt)
            yield SystemCommand("Generate", "Send the brief to its target's backend (ctrl+g)",
                                screen.action_generate)
            yield SystemCommand("Save shot to campaign", "Append this shot to a campaign file (ctrl+s)",
                                screen.action_save_shot)
            yield SystemCommand("Reload library", "Re-read every library file now (ctrl+r)",
                                screen.action_reload)
