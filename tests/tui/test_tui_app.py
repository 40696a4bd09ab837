"""Pilot tests of ``compose tui``: a user at the keyboard, and the messages the main screen posts."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from textual.message import Message
from textual.widgets import Input
from textual.worker import WorkerState
from tui_helpers import bump, write_png

from composer.cli import main
from composer.errors import BriefTooLongError, LibraryError
from composer.library import Library
from composer.tui import generation
from composer.tui.app import ComposerApp
from composer.tui.draft import Draft
from composer.tui.screens.main_screen import MainScreen
from composer.tui.widgets.asset_picker import matches
from composer.tui.widgets.brief_preview import BriefPreview
from composer.tui.widgets.generation_status import GenerationStatus
from composer.tui.widgets.length_meter import LengthMeter
from composer.tui.widgets.problems_panel import ProblemsPanel

pytestmark = pytest.mark.anyio


class Recorder:
    """Collects the messages the app processes (``run_test(message_hook=...)``)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def __call__(self, message: Message) -> None:
        self.messages.append(message)

    def of(self, kind: type[Message]) -> list[Any]:
        """Each message once (the hook sees a bubbling message at every node it reaches)."""
        unique = {id(m): m for m in self.messages if isinstance(m, kind)}
        return list(unique.values())


def screen_of(app: ComposerApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def meter_text(app: ComposerApp) -> str:
    return str(app.screen.query_one(LengthMeter).render())


async def pick(pilot: Any, *queries: str) -> None:
    """Type each query in the search box and press Enter, as a user picks from the library."""
    for query in queries:
        await pilot.click("#asset-search")
        await pilot.press(*query, "enter")
    await pilot.pause()


async def test_pick_red_curls_and_castle_then_a_delta_changes_preview_and_meter(example_library: Path) -> None:
    app = ComposerApp(example_library, poll_interval=3600)
    seen = Recorder()
    async with app.run_test(size=(80, 24), message_hook=seen) as pilot:
        screen = screen_of(app)
        assert screen.session.outcome.hint  # nothing picked yet
        await pick(pilot, "red", "castle")
        brief = screen.session.outcome.current
        assert brief is not None
        assert brief.spec.characters == ["red-curls"] and brief.spec.scene == "castle"
        preview = screen.query_one(BriefPreview)
        assert "SUBJECT AND CAST:" in "\n".join(preview.rows)
        before_meter, before_chars = meter_text(app), brief.chars
        assert f"{brief.chars:,}/{brief.limit:,} chars" in before_meter

        await pilot.press("f3")  # the deltas tab, focus in its first field (composition)
        assert isinstance(app.focused, Input) and app.focused.id == "delta-composition"
        await pilot.press("tab", "tab", *"4 candles")  # counts
        await pilot.pause()
        after = screen.session.outcome.current
        assert after is not None and after.spec.deltas.counts == ["4 candles"]
        assert after.chars > before_chars and meter_text(app) != before_meter
        assert "Exactly 4 candles: no more, no fewer." in "\n".join(preview.rows)
        assert seen.of(MainScreen.Recomposed)[-1].outcome.brief is after


async def test_export_writes_the_same_files_as_compose_shot_out(example_library: Path, tmp_path: Path) -> None:
    app = ComposerApp(example_library, draft=Draft(characters=("red-curls",), scene="castle"),
                      out_dir=tmp_path / "tui", poll_interval=3600)
    seen = Recorder()
    async with app.run_test(size=(80, 24), message_hook=seen) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.screen.query_one("#path-input", Input).value == str(tmp_path / "tui")
        await pilot.press("enter")
        await pilot.pause()
        [exported] = seen.of(MainScreen.Exported)
    result = CliRunner().invoke(main, ["shot", "--library", str(example_library), "--character", "red-curls",
                                       "--scene", "castle", "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in exported.paths)
    assert sorted([*names, "frames"]) == sorted(p.name for p in (tmp_path / "cli").iterdir())
    for name in [*names, *(f"frames/{p.name}" for p in (tmp_path / "cli" / "frames").iterdir())]:
        assert (tmp_path / "tui" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    [brief_json] = [n for n in names if n.endswith(".json")]
    assert json.loads((tmp_path / "tui" / brief_json).read_text())["target"] == "gpt-image-2"


async def test_an_invalid_library_file_shows_an_error_panel_then_recovers(mini_library: Path) -> None:
    app = ComposerApp(mini_library, draft=Draft(characters=("ada",), scene="harbour"), poll_interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = screen_of(app)
        good = screen.session.outcome.current
        assert good is not None
        bible = mini_library / "bibles/characters/ada.yaml"
        original = bible.read_text()
        bump(bible, original.replace("  build: tall and slim\n", "  build: [tall\n"))
        await pilot.pause(0.3)
        panel = screen.query_one(ProblemsPanel)
        assert panel.has_class("-errors")
        assert panel.border_title and panel.border_title.startswith("Problems: 1 error(s)")
        [problem] = panel.problems or []
        with pytest.raises(LibraryError) as raised:  # what the library itself says about the file
            Library(mini_library).character("ada")
        assert (problem.path, problem.line, problem.message) == (str(bible), raised.value.line,
                                                                 raised.value.reason)
        assert "YAML" in problem.message
        assert screen.query_one(BriefPreview).has_class("-stale")
        assert screen.session.outcome.brief is good  # the last good brief stays on screen

        await pilot.press("ctrl+o")  # exporting a stale brief is refused, with the reason
        assert screen.session.outcome.current is None

        bump(bible, original.replace("tall and slim", "tall and wiry"))
        await pilot.pause(0.3)
        assert not panel.has_class("-errors") and not screen.query_one(BriefPreview).has_class("-stale")
        assert "- Build: tall and wiry" in "\n".join(screen.query_one(BriefPreview).rows)


async def test_a_new_library_file_appears_in_the_picker(mini_library: Path) -> None:
    app = ComposerApp(mini_library, poll_interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        scene = mini_library / "bibles/scenes/quay.yaml"
        scene.write_text((mini_library / "bibles/scenes/harbour.yaml").read_text())
        await pilot.pause(0.3)
        await pick(pilot, "quay")
        outcome = screen_of(app).session.outcome.current
        assert outcome is not None and outcome.spec.scene == "quay"


async def test_save_shot_appends_to_a_campaign_file(mini_library: Path, tmp_path: Path) -> None:
    campaign = tmp_path / "campaign.yaml"
    app = ComposerApp(mini_library, draft=Draft(characters=("ada",), scene="harbour", texts={"counts": "3 gulls"}),
                      campaign=campaign, poll_interval=3600)
    seen = Recorder()
    async with app.run_test(size=(80, 24), message_hook=seen) as pilot:
        for _ in range(2):
            await pilot.press("ctrl+s")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
    assert [m.count for m in seen.of(MainScreen.ShotSaved)] == [1, 2]
    shots = yaml.safe_load(campaign.read_text())["shots"]
    assert shots == [{"characters": ["ada"], "scene": "harbour", "deltas": {"counts": ["3 gulls"]}}] * 2


async def test_copy_puts_the_prompt_on_the_clipboard_from_the_command_palette(mini_library: Path) -> None:
    app = ComposerApp(mini_library, draft=Draft(scene="harbour"), poll_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Export prompt files", "Copy prompt", "Generate", "Save shot to campaign"} <= set(titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"copy prompt")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        brief = screen_of(app).session.outcome.current
        assert brief is not None and app.clipboard == brief.prompt


def test_search_matches_ids_and_kind_names() -> None:
    assert matches("red", "character", "red-curls") and matches("sce cast", "scene", "castle")
    assert not matches("a", "character", "owl")  # one letter does not select a whole kind
    assert not matches("red castle", "character", "red-curls")


async def test_an_edited_reference_frame_is_described_again(mini_library: Path) -> None:
    frame = write_png(mini_library / "bibles/characters/frames/ada.png", (10, 10), (0, 0, 255))
    app = ComposerApp(mini_library, draft=Draft(characters=("ada",), scene="harbour"), poll_interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = app.screen.query_one("#frames-text")
        assert "10x10 px" in str(text.render())
        write_png(frame, (20, 10), (255, 0, 0))
        stamp = frame.stat().st_mtime_ns + 1_000_000
        os.utime(frame, ns=(stamp, stamp))
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "20x10 px" in str(text.render())


async def test_reference_frames_are_listed_with_size(example_library: Path) -> None:
    app = ComposerApp(example_library, draft=Draft(characters=("red-curls",), scene="castle"), poll_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await app.workers.wait_for_complete()
        await pilot.pause()
        brief = screen_of(app).session.outcome.current
        assert brief is not None and brief.reference_frames
        text = str(app.screen.query_one("#frames-text").render())
        for frame in brief.reference_frames:
            assert frame.name in text
        assert " px, " in text and "▀" in text


async def test_generate_reports_when_generation_is_unavailable(mini_library: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generation, "GENERATE_MODULE", "composer.no_such_generate_module")
    app = ComposerApp(mini_library, draft=Draft(scene="harbour"), poll_interval=3600)
    seen = Recorder()
    async with app.run_test(size=(80, 24), message_hook=seen) as pilot:
        await pilot.press("ctrl+g")
        await pilot.pause()
    [failed] = seen.of(MainScreen.ActionFailed)
    assert failed.reason.startswith("generation is unavailable")


async def test_generate_is_refused_when_lint_errors_block_it(mini_library: Path) -> None:
    pytest.importorskip("composer.lint")
    app = ComposerApp(mini_library, draft=Draft(scene="harbour", texts={"counts": "lots of gulls"}),
                      poll_interval=3600)
    seen = Recorder()
    async with app.run_test(size=(80, 24), message_hook=seen) as pilot:
        assert any(p.severity == "error" for p in screen_of(app).session.outcome.problems)
        await pilot.press("ctrl+g")
        await pilot.pause()
    [failed] = seen.of(MainScreen.ActionFailed)
    assert failed.reason.startswith("not generating scene--harbour--") and "lint" in failed.reason


class FakeGenerate:
    """Stands in for ``composer.generate``: reports progress until released or interrupted."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[Any] = []

    def generate_brief(self, brief: Any, library: Any, settings: Any, *, progress: Any) -> Any:
        self.calls.append((brief, settings))
        deadline = time.monotonic() + 60
        while not self.release.is_set() and time.monotonic() < deadline:
            progress(SimpleNamespace(stage="poll", message="generating"))
            self.release.wait(0.25)  # mostly idle, like a client between polls
        progress(SimpleNamespace(stage="done", message="done"))
        return SimpleNamespace(written=[settings.out_dir / f"{brief.slug}.png"])


async def test_generate_runs_in_a_worker_shows_progress_and_can_be_cancelled(
    mini_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeGenerate()
    monkeypatch.setattr(generation, "load_generate", lambda: fake)
    app = ComposerApp(mini_library, draft=Draft(scene="harbour"), out_dir=tmp_path, poll_interval=3600)
    seen = Recorder()
    async with app.run_test(size=(80, 24), message_hook=seen) as pilot:
        screen = screen_of(app)
        await pilot.press("ctrl+g")
        await pilot.pause(0.2)
        assert screen.query_one(GenerationStatus).has_class("-running")
        assert "generating" in str(screen.query_one("#generation-label").render())
        # the interface keeps working while the worker runs
        await pilot.press("f3", *"two boats")
        await pilot.pause()
        current = screen.session.outcome.current
        assert current is not None and current.spec.deltas.composition == "two boats"
        await pilot.press("escape")
        await pilot.pause(0.2)
        [finished] = seen.of(MainScreen.GenerationFinished)
        assert finished.state == WorkerState.CANCELLED
        assert not screen.query_one(GenerationStatus).has_class("-running")

        fake.release.set()  # a second run completes
        await pilot.press("ctrl+g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        done = seen.of(MainScreen.GenerationFinished)[-1]
        assert done.state == WorkerState.SUCCESS and done.paths == [tmp_path / f"{current.slug}.png"]
        assert fake.calls[-1][1].out_dir == tmp_path


async def test_q_quits_but_types_in_a_field(mini_library: Path) -> None:
    app = ComposerApp(mini_library, poll_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")  # the search box has the focus: q is a letter
        assert app.screen.query_one("#asset-search", Input).value == "q"
        assert app.is_running
        await pilot.press("tab", "tab")  # leave the inputs (list, then preview)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_the_meter_says_how_far_over_a_too_long_brief_is(mini_library: Path) -> None:
    app = ComposerApp(mini_library, draft=Draft(characters=("ada", "bo"), scene="harbour",
                                                texts={"max_chars": "400"}), poll_interval=3600)
    async with app.run_test(size=(80, 24)):
        error = screen_of(app).session.outcome.error
        assert isinstance(error, BriefTooLongError)
        assert meter_text(app).startswith(f"gpt-image-2 {error.chars:,}/400 chars: {error.chars - 400:,} over")
        assert app.screen.query_one(LengthMeter).has_class("-stale")
