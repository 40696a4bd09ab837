"""Benchmark: keystroke-to-preview latency of `compose tui` on a 20,000-character brief.

Run by hand (not in CI) from the repository root:

    TIKTOKEN_CACHE_DIR=../shared/tiktoken .venv/bin/python bench/tui_latency.py [--keys 60]

The app runs headless (Textual's test driver) against a generated library whose brief is just
under GPT Image 2's 20,000-character window. With the composition field focused, each key is
sent to the driver and timed until the screen has been repainted with the recomposed brief:
Textual's key dispatch, the Input, recomposing (render, guard, token count), updating the
widgets, layout and the compositor's render of the frame. Only the final terminal write is
missing, because the headless driver has no terminal. A key counts as shown when a frame has
been written that re-rendered both the meter and the preview row the key changed (the preview
scrolls that row into view). Keys are spaced out so each is measured on its own.
Target: p95 <= 50 ms at 80x24 and at 160x48. Besides wall time it reports the process's CPU time
per key (what the work costs, whatever else the machine runs) and the share of ``Composer.compose``.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual import events

from composer.tui.app import ComposerApp
from composer.tui.draft import Draft
from composer.tui.screens.main_screen import MainScreen
from composer.tui.widgets.brief_preview import BriefPreview
from composer.tui.widgets.length_meter import LengthMeter

TARGET_MS = 50.0
WINDOW = 20_000


def make_library(root: Path) -> Path:
    """A library whose one shot renders a brief just under 20,000 characters, nothing dropped."""
    files = {
        "composer.yaml": "name: bench\ndefaults:\n  brand: acme\n  style: wash\n",
        "brand_kits/acme.yaml": (
            "name: Acme\npalette:\n  - {name: Sage, hex: '#8A9A5B', role: primary}\n"
            "typography: {headline: Serif bold, body: Sans regular}\n"
            "logo: {clear_space: One cap height on every side.}\nmood: calm\n"
            + "must_include:\n" + "".join(f"  - brand rule {n}, soft natural light and calm framing\n"
                                          for n in range(40))
        ),
        "bibles/styles/wash.yaml": (
            "name: Wash\nsummary: Loose watercolour.\nmedium: watercolour\nsubject_matter: people\n"
            "composition: thirds\ncolour_handling: muted\nlighting: diffuse daylight\n"
        ),
        "bibles/scenes/harbour.yaml": (
            "name: Harbour\nsummary: A harbour.\nlighting: dawn from the right\ncamera: eye level\n"
            "lens: 35mm\nmood: quiet\nsetting: " + "a small stone harbour with boats and nets. " * 40 + "\n"
        ),
    }
    for n in range(6):
        files[f"bibles/characters/c{n}.yaml"] = (
            f"name: C{n}\nsummary: Character {n}.\nidentity:\n  face: oval face, dark eyes\n"
            "  hair: short black bob\n  build: tall\nwardrobe:\n"
            + "".join(f"  - wardrobe rule {k}, yellow raincoat with black toggles, never removed\n"
                      for k in range(30))
        )
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@dataclass
class Run:
    """One terminal size's measurements, in milliseconds per key."""

    size: tuple[int, int]
    chars: int = 0
    wall: list[float] = field(default_factory=list)
    """Key sent to frame written (what the user waits for)."""
    cpu: list[float] = field(default_factory=list)
    """Process CPU time over the same span (insensitive to other processes on the machine)."""
    compose: list[float] = field(default_factory=list)
    """Of which ``Composer.compose`` (render, guard, tokens, lint)."""


async def measure(library: Path, size: tuple[int, int], keys: int) -> Run:
    draft = Draft(characters=tuple(f"c{n}" for n in range(6)), scene="harbour")
    app = ComposerApp(library, draft=draft, poll_interval=3600, freeze_gc=True)  # as `compose tui` runs it
    run = Run(size)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("f3")
        await pilot.pause()
        await pilot.pause(0.2)  # the app settles (tokenizer, frozen start-up objects) after its first paint
        brief = screen.session.outcome.brief
        assert brief is not None and not brief.dropped, "the bench library must compose without cuts"
        seen = _PaintProbe(app, screen)
        driver = app._driver
        assert driver is not None
        for n in range(keys):
            seen.reset()
            char = "abcdefghij"[n % 10]
            start, cpu = time.perf_counter(), time.process_time()
            driver.send_message(events.Key(char, char))
            await asyncio.wait_for(seen.painted.wait(), timeout=5)
            run.wall.append((seen.painted_at - start) * 1000)
            run.cpu.append((seen.painted_cpu - cpu) * 1000)
            run.compose.append(seen.compose_ms)
            await asyncio.sleep(0.05)  # let the app go idle, as between a typist's keys
        run.chars = screen.session.outcome.brief.chars if screen.session.outcome.brief else 0
    return run


class _PaintProbe:
    """Notices the first frame that carries the recomposed brief: the meter re-rendered and the
    preview's first changed row (which it scrolls into view) re-rendered, then written out."""

    def __init__(self, app: ComposerApp, screen: MainScreen) -> None:
        self.painted = asyncio.Event()
        self.painted_at = self.painted_cpu = self.compose_ms = 0.0
        self._applied = self._meter = self._row = False
        preview = screen.query_one(BriefPreview)
        meter = screen.query_one(LengthMeter)
        apply, display = screen._apply, app._display
        render_line, render = preview.render_line, meter.render
        composer = screen.session.composer
        compose = composer.compose

        def timed_compose(spec: Any) -> Any:
            began = time.perf_counter()
            try:
                return compose(spec)
            finally:
                self.compose_ms = (time.perf_counter() - began) * 1000

        def timed_apply(outcome: Any) -> None:
            apply(outcome)
            self._applied = True

        def probe_line(y: int) -> Any:
            if self._applied and preview.scroll_offset.y + y == preview.first_changed:
                self._row = True
            return render_line(y)

        def probe_render() -> Any:
            self._meter = self._meter or self._applied
            return render()

        def timed_display(target: Any, renderable: Any) -> None:
            display(target, renderable)
            if self._meter and self._row and renderable is not None and not self.painted.is_set():
                self.painted_at, self.painted_cpu = time.perf_counter(), time.process_time()
                self.painted.set()

        composer.compose = timed_compose  # type: ignore[method-assign]
        screen._apply = timed_apply  # type: ignore[method-assign]
        preview.render_line = probe_line  # type: ignore[method-assign]
        meter.render = probe_render  # type: ignore[method-assign]
        app._display = timed_display  # type: ignore[method-assign,assignment]

    def reset(self) -> None:
        self.painted.clear()
        self._applied = self._meter = self._row = False


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(fraction * len(ordered)) - 1)]


def report(run: Run) -> str:
    p95 = percentile(run.wall, 0.95)
    verdict = "meets" if p95 <= TARGET_MS else "MISSES"
    return (
        f"{run.size[0]}x{run.size[1]}: brief {run.chars:,} chars, {len(run.wall)} keys: "
        f"wall median {statistics.median(run.wall):.1f} ms, p95 {p95:.1f} ms, max {max(run.wall):.1f} ms; "
        f"cpu median {statistics.median(run.cpu):.1f} ms, p95 {percentile(run.cpu, 0.95):.1f} ms; "
        f"compose median {statistics.median(run.compose):.1f} ms -> {verdict} the {TARGET_MS:.0f} ms target"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--keys", type=int, default=60, help="keystrokes per terminal size")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, textual headless driver")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        library = make_library(Path(tmp) / "lib")
        for size in ((80, 24), (160, 48)):
            line = report(asyncio.run(measure(library, size, args.keys)))
            failed |= "MISSES" in line
            print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
