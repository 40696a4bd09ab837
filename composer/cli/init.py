"""``compose init DIR``: write a new team's library skeleton."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def init(folder: Path) -> None:
    """Write a new library into FOLDER (new or empty): composer.yaml, a brand kit, a character with a
    placeholder frame, a style, a scene, a shot file and the templates. It validates and composes at once.

    Example: compose init our-library && compose --library our-library validate
    """
    from composer.skeleton import init_library

    for path in init_library(folder):
        click.echo(f"wrote {path}", err=True)
    click.echo(f"next: compose shot --library {folder} --shot {folder / 'shots/first-shot.yaml'}", err=True)
