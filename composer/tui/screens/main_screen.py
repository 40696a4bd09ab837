"""The main screen: pick and edit on the left, the live brief and its meter on the right,
problems along the bottom. It wires widgets to a ``Session`` and holds no composing logic.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from composer.compose import Brief
from composer.errors import BriefTooLongError, ComposerError
from composer.tui.generation import ensure_unblocked, load_generate, run_generation
from composer.tui.problems import describe_error
from composer.tui.screens.path_prompt import PathPrompt
from composer.tui.session import Outcome, Session
from composer.tui.widgets.asset_picker import AssetPicker
from composer.tui.widgets.brief_preview import BriefPreview
from composer.tui.widgets.deltas_form import DeltasForm
from composer.tui.widgets.frames_panel import FramesPanel
from composer.tui.widgets.generation_status import GenerationStatus
from composer.tui.widgets.length_meter import LengthMeter
from composer.tui.widgets.problems_panel import ProblemsPanel

TAB_FOCUS = {"pick": "#asset-search", "deltas": "#delta-composition", "frames": "#frames-panel"}
"""What takes the focus when a sidebar tab is opened from the keyboard."""


class MainScreen(Screen[None]):
    """Every edit recomposes at once (composing takes milliseconds); library files are polled."""

    AUTO_FOCUS = "#asset-search"
    BINDINGS = [
        # priority: these act whichever widget has the focus (inputs bind many ctrl keys themselves)
        Binding("ctrl+o", "export", "Export", priority=True),
        Binding("ctrl+y", "copy_prompt", "Copy", priority=True),
        Binding("ctrl+g", "generate", "Generate", priority=True),
        Binding("ctrl+s", "save_shot", "Save shot", priority=True),
        Binding("escape", "cancel_generation", "Cancel", show=False),
        Binding("ctrl+r", "reload", "Reload", show=False, priority=True),
        Binding("f2", "show_tab('pick')", "Pick", show=False),
        Binding("f3", "show_tab('deltas')", "Deltas", show=False),
        Binding("f4", "show_tab('frames')", "Frames", show=False),
    ]

    class Recomposed(Message):
        """Posted after every recompose, with what is now on screen."""

        def __init__(self, outcome: Outcome) -> None:
            super().__init__()
            self.outcome = outcome

    class ActionFailed(Message):
        """An action (export, copy, save, generate) could not run; ``reason`` is the one-line why."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class Exported(Message):
        def __init__(self, paths: list[Path]) -> None:
            super().__init__()
            self.paths = paths

    class GenerationFinished(Message):
        def __init__(self, state: WorkerState, paths: list[Path], error: BaseException | None) -> None:
            super().__init__()
            self.state = state
            self.paths = paths
            self.error = error

    class ShotSaved(Message):
        def __init__(self, path: Path, count: int) -> None:
            super().__init__()
            self.path = path
            self.count = count

    def __init__(self, session: Session, *, out_dir: Path, campaign: Path, poll_interval: float) -> None:
        super().__init__()
        self.session = session
        self.out_dir = out_dir
        self.campaign = campaign
        self.poll_interval = poll_interval

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with TabbedContent(id="sidebar", initial="pick"):
                with TabPane("Pick", id="pick"):
                    yield AssetPicker(id="picker")
                with TabPane("Deltas", id="deltas"):
                    yield DeltasForm(dict(self.session.draft.texts), on_edit=self.delta_edited, id="deltas-form")
                with TabPane("Frames", id="frames"):
                    yield FramesPanel(id="frames-panel")
            with Vertical(id="main"):
                yield LengthMeter(id="meter")
                yield BriefPreview(id="preview")
        yield ProblemsPanel(id="problems")
        yield GenerationStatus(id="generation")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#preview", BriefPreview).border_title = "Brief"
        self._refresh_picker()
        self._apply(self.session.recompose())
        self.set_interval(self.poll_interval, self.poll_library)

    # -- keeping the screen in step with the session ------------------------------------------------
    def _refresh_picker(self) -> None:
        self.query_one("#picker", AssetPicker).show(
            self.session.catalogue(), self.session.draft, self.session.defaults()
        )

    def _apply(self, outcome: Outcome) -> None:
        root = self.session.root
        preview = self.query_one("#preview", BriefPreview)
        meter = self.query_one("#meter", LengthMeter)
        over = outcome.error if isinstance(outcome.error, BriefTooLongError) else None
        meter.show(outcome.brief, stale=outcome.stale, over=over)
        if outcome.brief is None:
            preview.show_hint(outcome.hint or "Nothing composes yet: see Problems.")
        elif not outcome.stale:
            preview.show(outcome.brief)
        if preview.has_class("-stale") != outcome.stale:  # setting a border title always repaints it all
            preview.set_class(outcome.stale, "-stale")
            preview.border_subtitle = "out of date: fix the problems below" if outcome.stale else ""
        self.query_one("#problems", ProblemsPanel).show(outcome.problems, root)
        frames = outcome.brief.reference_frames if outcome.brief else []
        self.query_one("#frames-panel", FramesPanel).show(frames, root)
        # Repaint the meter and the preview's changed rows in the frame that shows the typed key:
        # their own update requests reach the screen a moment after the input's, which would leave
        # them for the next frame (bench/tui_latency.py measures the difference).
        self.refresh(meter.region, preview.changed_region())
        self.post_message(self.Recomposed(outcome))

    def poll_library(self) -> None:
        """Reload and recompose when any library file changed on disk."""
        changes = self.session.poll()
        if changes.any:
            self._refresh_picker()
            outcome = self.session.recompose()
            self._apply(outcome)
            frames = outcome.brief.reference_frames if outcome.brief else []
            if any(changes.touches(frame) for frame in frames):  # same files, new pictures
                self.query_one("#frames-panel", FramesPanel).show(frames, self.session.root, force=True)

    @on(AssetPicker.Toggled)
    def _toggled(self, event: AssetPicker.Toggled) -> None:
        outcome = self.session.update(self.session.draft.toggle(event.kind, event.asset_id))
        self._refresh_picker()
        self._apply(outcome)

    def delta_edited(self, field: str, value: str) -> None:
        """Called synchronously by the deltas form on each keystroke (see ``DeltaInput``)."""
        if self.session.draft.texts.get(field, "") == value:
            return  # inputs report their initial value on mount
        self._apply(self.session.update(self.session.draft.with_text(field, value)))

    # -- actions ---------------------------------------------------------------------------------------
    def _fail(self, exc: ComposerError) -> None:
        self.notify(describe_error(exc), title="Not done", severity="error", timeout=8)
        self.post_message(self.ActionFailed(describe_error(exc)))

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#sidebar", TabbedContent).active = tab
        self.query_one(TAB_FOCUS[tab]).focus()

    def action_reload(self) -> None:
        self.poll_library()
        self._apply(self.session.recompose())

    def action_copy_prompt(self) -> None:
        try:
            brief = self.session.require_brief()
        except ComposerError as exc:
            self._fail(exc)
            return
        self.app.copy_to_clipboard(brief.prompt)
        self.notify(f"Copied the prompt ({brief.chars:,} chars) to the clipboard.")

    def action_export(self) -> None:
        try:
            slug = self.session.require_brief().slug
        except ComposerError as exc:
            self._fail(exc)
            return
        prompt = PathPrompt("Export prompt files", self.out_dir,
                            f"Folder for {slug}.txt, .md and .json (as compose shot --out):")
        self.app.push_screen(prompt, self._export_to)

    def _export_to(self, folder: Path | None) -> None:
        if folder is None:
            return
        try:
            paths = self.session.export(folder)
        except ComposerError as exc:
            self._fail(exc)
            return
        self.out_dir = folder
        self.notify(f"Wrote {', '.join(p.name for p in paths)} to {folder}")
        errors = sum(p.severity == "error" for p in self.session.outcome.problems)
        if errors:
            self.notify(f"{errors} lint error(s) in Problems block generating this brief.", severity="warning")
        self.post_message(self.Exported(paths))

    def action_save_shot(self) -> None:
        try:
            self.session.require_brief()
        except ComposerError as exc:
            self._fail(exc)
            return
        prompt = PathPrompt("Save shot to campaign", self.campaign,
                            "Campaign file (YAML); the shot is appended under shots:")
        self.app.push_screen(prompt, self._save_to)

    def _save_to(self, path: Path | None) -> None:
        if path is None:
            return
        try:
            count = self.session.save_shot(path)
        except ComposerError as exc:
            self._fail(exc)
            return
        self.campaign = path
        self.notify(f"Saved shot {count} to {path}")
        self.post_message(self.ShotSaved(path, count))

    # -- generation, in a thread worker ------------------------------------------------------------------
    def action_generate(self) -> None:
        if self._generating():
            self.notify("A generation is already running (Esc cancels it).", severity="warning")
            return
        try:
            brief = self.session.require_brief()
            ensure_unblocked(brief)
            load_generate()
        except ComposerError as exc:
            self._fail(exc)
            return
        status = self.query_one("#generation", GenerationStatus)
        status.start(f"{brief.slug} with {brief.target_name}")
        self._generate(brief, self.out_dir, status)

    @work(thread=True, exclusive=True, group="generate", exit_on_error=False)
    def _generate(self, brief: Brief, out_dir: Path, status: GenerationStatus) -> list[Path]:
        worker = get_current_worker()

        def progress(message: str, fraction: float | None) -> None:
            if not worker.is_cancelled:
                self.app.call_from_thread(status.progress, message, fraction)

        return run_generation(brief, self.session.library, out_dir, progress, lambda: worker.is_cancelled,
                              self.session.settings)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "generate" or not worker.is_finished:
            return
        self.query_one("#generation", GenerationStatus).finish()
        paths: list[Path] = list(worker.result or []) if event.state == WorkerState.SUCCESS else []
        if event.state == WorkerState.SUCCESS:
            self.notify(f"Generated: wrote {len(paths)} file(s) to {self.out_dir}.")
        elif event.state == WorkerState.CANCELLED:
            self.notify("Generation cancelled: it stops at its next safe point. A task the provider "
                        f"accepted is recorded in {self.out_dir} (`compose generate <record> --resume`).",
                        severity="warning", timeout=10)
        elif worker.error is not None:
            self.notify(describe_error(worker.error), title="Generation failed", severity="error", timeout=10)
        self.post_message(self.GenerationFinished(event.state, paths, worker.error))

    def _generating(self) -> bool:
        return any(w.group == "generate" and not w.is_finished for w in self.workers)

    def action_cancel_generation(self) -> None:
        self.workers.cancel_group(self, "generate")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_generation":
            return self._generating()
        return True
