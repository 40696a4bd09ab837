"""The TUI's bridge to the generation client, ``composer.generate.generate_brief``.

The TUI generates exactly as ``compose shot --generate --out DIR`` does (same settings, same
prompt files, same ``<slug>.generation.json`` record), from a thread worker. The client is looked
up when the user asks to generate, never at import, so the TUI starts whether or not it is
installed. Cancelling behaves like Ctrl-C in the CLI, at the client's next progress report (see
``SAFE_TO_STOP``): it records the generation as interrupted, and ``compose generate <record>
--resume`` collects a task the provider accepted.
No Textual import here.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from composer.compose import Brief
from composer.errors import ComposerError
from composer.library import Library
from composer.settings import Settings

GENERATE_MODULE = "composer.generate"

ProgressFn = Callable[[str, float | None], None]
"""Called with a status line and a completed fraction (None while the fraction is unknown)."""
CancelledFn = Callable[[], bool]

STAGE_FRACTIONS: dict[str, float | None] = {
    "validate": 0.05, "upload": 0.15, "submit": 0.25, "submitted": 0.35, "poll": None, "retry": None,
    "download": 0.9, "done": 1.0,
}
"""How far along each of the client's progress stages is; polling has no known fraction."""
SAFE_TO_STOP = frozenset({"validate", "upload", "submit", "retry", "poll"})
"""Stages at which a cancel stops the client: before anything is paid for, or while polling a task
whose id is saved (``--resume`` collects it). Once results exist (OpenAI answers with its images
in one response), the client finishes and saves them rather than throw paid work away."""


class GenerationUnavailable(ComposerError):
    """Generation cannot run in this installation."""


class GenerationCancelled(ComposerError):
    """The user cancelled a running generation."""


def load_generate() -> ModuleType:
    """The generation client module, or ``GenerationUnavailable`` saying why not."""
    try:
        found = importlib.util.find_spec(GENERATE_MODULE) is not None
    except ImportError:
        found = False
    if not found:
        raise GenerationUnavailable(
            f"generation is unavailable: {GENERATE_MODULE} is not part of this installation; "
            "export the prompt files (ctrl+o) and generate elsewhere"
        )
    try:
        return importlib.import_module(GENERATE_MODULE)
    except ImportError as exc:  # e.g. an HTTP client dependency missing
        raise GenerationUnavailable(f"generation is unavailable: {exc}") from None


def ensure_unblocked(brief: Brief) -> None:
    """Refuse, as ``compose shot --generate`` does, a brief whose lint findings block generation."""
    try:
        from composer.lint import raise_if_blocking
    except ImportError:  # lint not installed: nothing can block
        return
    raise_if_blocking(getattr(brief, "findings", None) or [], what=f"not generating {brief.slug}")


def run_generation(
    brief: Brief, library: Library, out_dir: Path, progress: ProgressFn, cancelled: CancelledFn, config: Settings
) -> list[Path]:
    """Generate ``brief`` into ``out_dir`` as the CLI would (``config``: the settings the TUI was
    started with); return every file written."""
    generate = load_generate()
    from composer.generate.jobs import GenerateSettings  # importable: load_generate found the package

    settings = GenerateSettings.of(config.with_library(library), out_dir=out_dir)

    def on_event(event: Any) -> None:
        if cancelled() and str(event.stage) in SAFE_TO_STOP:
            raise KeyboardInterrupt  # the client's Ctrl-C path: it records the generation as interrupted
        progress(str(event.message), STAGE_FRACTIONS.get(str(event.stage)))

    try:
        outcome = generate.generate_brief(brief, library, settings, progress=on_event)
    except KeyboardInterrupt:
        raise GenerationCancelled("generation cancelled; `compose generate --resume` collects an accepted task") \
            from None
    return [Path(p) for p in outcome.written]
