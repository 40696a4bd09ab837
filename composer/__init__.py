"""composer: brand-constrained prompt composer with character bibles.

The library API, usable without the CLI or the TUI::

    from composer import Library, Composer, ShotSpec
    from composer.settings import Settings

    library = Library.find(Settings.from_env().library)  # --library / $COMPOSER_LIBRARY / cwd / bundled
    brief = Composer(library).compose(ShotSpec(characters=["red-curls"], scene="castle"))
    print(brief.prompt, brief.chars, brief.tokens, brief.mode, brief.dropped)
"""

from composer.compose import Brief, Composer, ShotAssets, compose_shot
from composer.errors import (
    BriefTooLongError,
    ComposerError,
    ExportError,
    LibraryError,
    LocatedError,
    ReferenceFrameError,
    ShotError,
    TemplateError,
    UnknownAssetError,
)
from composer.export import brief_json, brief_markdown, export_prompt_files
from composer.library import Library, find_library
from composer.models import BrandKit, Character, Product, Scene, ShotDeltas, Style, Target
from composer.shot import ShotSpec, build_spec, parse_set

__all__ = [
    "BrandKit",
    "Brief",
    "BriefTooLongError",
    "Character",
    "Composer",
    "ComposerError",
    "ExportError",
    "Library",
    "LibraryError",
    "LocatedError",
    "Product",
    "ReferenceFrameError",
    "Scene",
    "ShotAssets",
    "ShotDeltas",
    "ShotError",
    "ShotSpec",
    "Style",
    "Target",
    "TemplateError",
    "UnknownAssetError",
    "brief_json",
    "brief_markdown",
    "build_spec",
    "compose_shot",
    "export_prompt_files",
    "find_library",
    "parse_set",
]
