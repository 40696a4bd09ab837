"""``compose tui``: open the interactive composer (Textual is imported only here, on use)."""

from __future__ import annotations

from pathlib import Path

import click

from composer.cli.options import cli_settings, library_option
from composer.library import find_library
from composer.shot import load_shot_file


@click.command()
@click.option("--shot", "shot_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Start from this shot file (YAML) instead of an empty shot.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("briefs"),
              show_default=True, help="Default folder for exported prompt files and generations.")
@click.option("--campaign", type=click.Path(path_type=Path, dir_okay=False), default=Path("campaign.yaml"),
              show_default=True, help="Default campaign file that 'save shot' appends to.")
@library_option
def tui(shot_file: Path | None, out: Path, campaign: Path, library_dir: Path | None) -> None:
    """Pick, edit and preview shots interactively; export, copy, generate and save them.

    Keys: ctrl+o export, ctrl+y copy, ctrl+g generate, ctrl+s save shot, ctrl+p command palette,
    q or ctrl+q quit. Library files are watched: edits show in the preview as you save them.
    """
    settings = cli_settings().with_flags(library=library_dir)
    root = find_library(settings.library, origin=settings.library_origin)
    from composer.tui.app import ComposerApp  # Textual loads here, never for the other commands
    from composer.tui.draft import Draft

    draft = Draft.from_spec(load_shot_file(shot_file)) if shot_file else None
    ComposerApp(root, draft=draft, out_dir=out, campaign=campaign, settings=settings, freeze_gc=True).run()
