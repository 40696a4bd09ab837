"""``compose list`` and ``compose show``: what the library holds."""

from __future__ import annotations

import json
from pathlib import Path

import click

from composer.cli.options import library_option
from composer.library import PLURALS, Library

KIND_CHOICE = click.Choice(sorted(PLURALS))
SINGULAR_CHOICE = click.Choice(sorted(set(PLURALS.values())))


@click.command("list")
@click.argument("kind", type=KIND_CHOICE, required=False)
@library_option
def list_assets(kind: str | None, library_dir: Path | None) -> None:
    """List the ids of one KIND of asset, or of every kind."""
    library = Library.find(library_dir)
    kinds = [kind] if kind else sorted(PLURALS)
    for plural in kinds:
        ids = library.ids(PLURALS[plural])
        if kind:
            for asset_id in ids:
                click.echo(asset_id)
        else:
            click.echo(f"{plural}: {', '.join(ids) or '(none)'}")


@click.command()
@click.argument("kind", type=SINGULAR_CHOICE)
@click.argument("asset_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@library_option
def show(kind: str, asset_id: str, fmt: str, library_dir: Path | None) -> None:
    """Show one asset (KIND is brand, character, product, style, scene or target), validated."""
    library = Library.find(library_dir)
    if kind == "target":
        data = library.target(asset_id).model_dump()
        path = None
    else:
        loaded = library.load(kind, asset_id)
        data, path = loaded.model.model_dump(), loaded.path
    if fmt == "json":
        click.echo(
            json.dumps(
                {"kind": kind, "id": asset_id, "path": str(path) if path else None, **data},
                indent=2,
                ensure_ascii=False,
            )
        )
    elif path is not None:
        click.echo(f"# {path}")
        click.echo(path.read_text(encoding="utf-8").rstrip())
    else:
        import yaml

        click.echo(yaml.safe_dump({asset_id: data}, sort_keys=False, allow_unicode=True).rstrip())
