"""The TUI's model: a library, the draft shot, and the outcome of composing it.

It calls the same library functions as the CLI (``Composer.compose``, ``export_prompt_files``) and
turns every failure into problem rows, so no bad file or half-typed field can crash the app.
No Textual import here: the screens only display what a ``Session`` reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from composer.compose import Brief, Composer
from composer.errors import ComposerError
from composer.export import export_prompt_files
from composer.library import CONFIG_FILE, Library
from composer.settings import Settings
from composer.tui.campaign_file import append_shot
from composer.tui.draft import MULTI_KINDS, SINGLE_KINDS, Draft
from composer.tui.problems import Problem, brief_problems, from_error
from composer.tui.watch import Changes, LibraryWatcher

PICKER_KINDS = (*MULTI_KINDS, *SINGLE_KINDS)
"""The kinds the picker lists, in display order."""


@dataclass(frozen=True)
class Outcome:
    """What the screen shows after a change."""

    brief: Brief | None
    """The brief on screen: the current one, or the last good one when ``stale``."""
    problems: list[Problem] = field(default_factory=list)
    stale: bool = False
    """True when the draft could not be composed and ``brief`` is from an earlier state."""
    hint: str | None = None
    """Why there is nothing to compose yet (no scene picked)."""
    error: BaseException | None = None
    """What stopped the draft from composing, when something did."""

    @property
    def current(self) -> Brief | None:
        """The brief, only when it describes the draft as it is now."""
        return None if self.stale else self.brief


class Session:
    """One library and one draft; recomposes on every change."""

    def __init__(self, root: Path, draft: Draft | None = None, settings: Settings | None = None) -> None:
        self.root = root
        self.settings = settings or Settings()
        """What the app was started with (``composer.settings``): generation reads its keys and schedules."""
        self.draft = draft or Draft()
        self.library = Library(root)
        self.composer = Composer(self.library)
        self.watcher = LibraryWatcher(self.library)
        self.watcher.prime()
        self.outcome = Outcome(None)

    def warm_up(self) -> None:
        """Load the tokenizer table now (about a second), not on the user's first pick."""
        self.composer.counter.count("")

    # -- what the picker shows ----------------------------------------------------------------------
    def catalogue(self) -> dict[str, list[str]]:
        """The library's ids per kind, in picker order."""
        listing: dict[str, list[str]] = {}
        for kind in PICKER_KINDS:
            try:
                listing[kind] = self.library.ids(kind)
            except ComposerError:
                listing[kind] = []  # an invalid composer.yaml hides the targets; compose reports it
        return listing

    def defaults(self) -> dict[str, str | None]:
        try:
            d = self.library.config.defaults
        except ComposerError:
            return {}
        return {"brand": d.brand, "style": d.style, "target": d.target}

    # -- composing -----------------------------------------------------------------------------------
    def update(self, draft: Draft) -> Outcome:
        self.draft = draft
        return self.recompose()

    def recompose(self) -> Outcome:
        if not self.draft.scene:
            self.outcome = Outcome(None, hint="Pick a scene (and a cast) to see the brief.")
            return self.outcome
        try:
            brief = self.composer.compose(self.draft.spec())
        except Exception as exc:  # a bug in a template or the core must not kill the app either
            previous = self.outcome.brief
            self.outcome = Outcome(previous, [from_error(exc)], stale=previous is not None, error=exc)
            return self.outcome
        self.watcher.watch_extra(brief.reference_frames)
        self.outcome = Outcome(brief, brief_problems(brief))
        return self.outcome

    def poll(self) -> Changes:
        """Check the library files; reload what changed. The caller recomposes when ``.any``."""
        changes = self.watcher.poll()
        if changes.touches(self.root / CONFIG_FILE):
            # config and targets are cached on the Library; a fresh one rereads them
            self.library = Library(self.root)
            self.composer = Composer(self.library, self.composer.counter)
            self.watcher.library = self.library
        return changes

    # -- actions -------------------------------------------------------------------------------------
    def require_brief(self) -> Brief:
        brief = self.outcome.current
        if brief is None:
            reason = self.outcome.hint or "the brief has errors; fix them first (see Problems)"
            raise ComposerError(reason)
        return brief

    def export(self, out_dir: Path) -> list[Path]:
        return export_prompt_files(self.require_brief(), out_dir)

    def save_shot(self, campaign: Path) -> int:
        self.require_brief()  # only a shot that composes is worth saving
        return append_shot(campaign, self.draft.spec())
