"""SVG snapshots of the main screen (pytest-textual-snapshot), on the bundled example library.

Update after an intended change with ``pytest tests/tui --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from composer.tui.app import ComposerApp


async def pick_red_curls_in_the_castle(pilot: Any) -> None:
    for query in ("red", "castle"):
        await pilot.press(*query, "enter")
    for field in pilot.app.query(Input):
        field.cursor_blink = False  # a blinking cursor would make the picture depend on timing
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_main_screen(snap_compare: Any, example_library: Path, size: tuple[int, int], exact_tokens: None) -> None:
    app = ComposerApp(example_library, poll_interval=3600)
    assert snap_compare(app, terminal_size=size, run_before=pick_red_curls_in_the_castle)
