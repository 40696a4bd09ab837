"""``compose prices``: the price table every estimate uses, each figure with its source and date."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from composer.cli.options import library_option, open_library


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@library_option
def prices(fmt: str, library_dir: Path | None) -> None:
    """List the price table: the bundled figures, with the library's prices.yaml merged over them.

    Example: compose prices --format json
    """
    from composer.backends.prices import PriceTable

    table = PriceTable.load(open_library(library_dir).root)
    rows = table.rows()
    if fmt == "json":
        click.echo(json.dumps({"files": [str(p) for p in table.sources], "prices": [asdict(r) for r in rows]},
                   indent=2))
        return
    head = f"{'backend':<8} {'model':<22} {'variant':<22} {'credits':>8} {'usd':>9}  source (date)"
    lines = [head, "-" * len(head)]
    for row in rows:
        credits = "" if row.credits is None else f"{row.credits:g}"
        usd = "?" if row.usd is None else f"${row.usd:g}"
        when = f" ({row.date})" if row.date else ""
        lines.append(f"{row.backend:<8} {row.model:<22} {row.variant:<22} {credits:>8} {usd:>9}  {row.source}{when}")
    lines.append(f"from: {', '.join(str(p) for p in table.sources)}")
    click.echo("\n".join(lines))
