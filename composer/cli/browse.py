"""``compose list`` and ``compose show``: what the library holds."""

from __future__ import annotations

import json
from pathlib import Path

import click

from composer.cli.options import library_option, open_library
from composer.library import PLURALS, Library


class Kind(click.Choice[str]):
    """An asset kind typed either way (``character`` or ``characters``), passed on as the command needs it."""

    name = "kind"

    def __init__(self, *, plural: bool) -> None:
        super().__init__(sorted(PLURALS) if plural else sorted(PLURALS.values()))
        self.plural = plural
        self._aliases = {**{p: p for p in PLURALS}, **{s: p for p, s in PLURALS.items()}}

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        plural = self._aliases.get(str(value).strip().lower())
        if plural is None:
            return str(super().convert(value, param, ctx))  # click's own "is not one of ..." message
        return plural if self.plural else PLURALS[plural]


@click.command("list")
@click.argument("kind", type=Kind(plural=True), required=False)
@library_option
def list_assets(kind: str | None, library_dir: Path | None) -> None:
    """List the ids of one KIND of asset (singular or plural: character or characters), or of every kind."""
    library = open_library(library_dir)
    kinds = [kind] if kind else sorted(PLURALS)
    for plural in kinds:
        ids = library.ids(PLURALS[plural])
        if kind:
            for asset_id in ids:
                click.echo(asset_id)
        else:
            click.echo(f"{plural}: {', '.join(ids) or '(none)'}")


@click.command()
@click.argument("kind", type=Kind(plural=False))
@click.argument("asset_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True)
@click.option("--explain", is_flag=True, help="Brands only: which level of the extends chain set each value.")
@library_option
def show(kind: str, asset_id: str, fmt: str, explain: bool, library_dir: Path | None) -> None:
    """Show one asset (KIND is brand, character, product, style, scene or target, or their plurals), validated.

    A brand that extends another is shown resolved (merged with its parents).
    """
    library = open_library(library_dir)
    if explain:
        if kind != "brand":
            raise click.BadParameter("--explain applies to brands only", param_hint="--explain")
        _explain_brand(library, asset_id, fmt)
        return
    if kind == "brand" and library.brand(asset_id).parents:
        resolved = library.brand(asset_id)
        data, path = resolved.model.model_dump(), resolved.path
        if fmt == "yaml":
            import yaml

            chain = " -> ".join([asset_id, *(p.id for p in resolved.parents)])
            click.echo(f"# {path}, resolved: {chain}")
            click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip())
            return
    elif kind == "target":
        data = library.target(asset_id).model_dump()
        path = None
    else:
        loaded = library.brand(asset_id) if kind == "brand" else library.load(kind, asset_id)
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


def _explain_brand(library: Library, asset_id: str, fmt: str) -> None:
    from composer.brands import explain_brand

    rows = explain_brand(library, asset_id)
    chain = [asset_id, *(p.id for p in library.brand(asset_id).parents)]
    if fmt == "json":
        click.echo(json.dumps({"kind": "brand", "id": asset_id, "chain": chain,
                               "fields": [row.as_dict() for row in rows]}, indent=2, ensure_ascii=False))
        return
    click.echo(f"# brand {asset_id}: {' -> '.join(chain)} (each value: the level that set it)")
    for row in rows:
        where = f"{row.path}:{row.line}" if row.line else row.path
        overrides = f"; overrides {', '.join(row.overrides)}" if row.overrides else ""
        click.echo(f"{row.field}: {row.value}\n    <- {row.brand} ({where}){overrides}")
