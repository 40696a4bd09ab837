"""``compose review export|import|report``: scorecards and the report, for spreadsheets and scripts.

Thin commands over ``composer.review``. The web app's ``compose review DIR`` lives in
``composer.cli.review``, which adds these subcommands to its group.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from composer.cli.options import cli_settings, library_option, open_library

if TYPE_CHECKING:
    from composer.review import ReviewStore

FOLDER = click.Path(path_type=Path, file_okay=False, exists=True)


def _store(folder: Path, library_dir: Path | None) -> ReviewStore:
    from composer.review import ReviewStore

    library = open_library(library_dir) if library_dir or cli_settings().library else None
    return ReviewStore.open(folder, library=library)


@click.command("export")
@click.argument("folder", type=FOLDER)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the scorecard to this file (whole or not at all) instead of stdout.")
@library_option
def export(folder: Path, fmt: str, out: Path | None, library_dir: Path | None) -> None:
    """The scorecard of FOLDER: a row per (shot, take, reviewer); unscored takes get an empty row."""
    from composer.export import save_document
    from composer.review.scorecard import export_text

    with _store(folder, library_dir) as store:
        text = export_text(store, fmt)
    if out is None:
        click.echo(text, nl=False)
    else:
        save_document(out, text)
        click.echo(f"wrote {out}", err=True)


@click.command("import")
@click.argument("folder", type=FOLDER)
@click.argument("scorecard", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@library_option
def import_scorecard(folder: Path, scorecard: Path, library_dir: Path | None) -> None:
    """Read a filled-in scorecard CSV into FOLDER's reviews: every row, or (on any problem) none."""
    from composer.review.scorecard import import_file

    with _store(folder, library_dir) as store:
        rows = import_file(store, scorecard)
    click.echo(f"imported {rows} row{'s' if rows != 1 else ''} from {scorecard}")


@click.command("report")
@click.argument("folder", type=FOLDER)
@click.option("--format", "fmt", type=click.Choice(["table", "md", "json", "csv"]), default="table",
              show_default=True)
@click.option("--by", type=click.Choice(["target", "backend", "group"]), default="target", show_default=True,
              help="One row per target (model), backend or shot group.")
@click.option("--chart", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write a PNG bar chart of the mean per dimension.")
@library_option
def report(folder: Path, fmt: str, by: str, chart: Path | None, library_dir: Path | None) -> None:
    """Means and spread per dimension, instructions honoured, approvals, cost per approved image, and
    the divergences still to reconcile (unblinded)."""
    from composer.review.chart import write_chart
    from composer.review.report import build_report
    from composer.review.report_text import FORMATS

    with _store(folder, library_dir) as store:
        built = build_report(store, by)  # type: ignore[arg-type]
    if chart is not None:
        write_chart(built, chart)
    click.echo(FORMATS[fmt](built), nl=False)
