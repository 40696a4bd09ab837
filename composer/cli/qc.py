"""``compose qc``: pixel QC of generated images against the brand kit and bibles behind them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from composer.cli.options import library_option, open_library
from composer.errors import ComposerError


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--brief", "brief_file", type=click.Path(path_type=Path, dir_okay=False),
              help="The exported brief (<slug>.json) the images were generated from.")
@click.option("--brand", "-b", metavar="ID", help="Brand kit id the images must respect.")
@click.option("--character", "-c", "characters", multiple=True, metavar="ID",
              help="Character in the images (repeatable).")
@click.option("--product", "-p", "products", multiple=True, metavar="ID", help="Product in the images (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Findings as lines, or one JSON list (path, width, height, findings per image).")
@click.option("--overlay", "overlay_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Also write <image>.qc.png here: regions outlined, dominant colours beside the image.")
@library_option
def qc(paths: tuple[Path, ...], brief_file: Path | None, brand: str | None, characters: tuple[str, ...],
       products: tuple[str, ...], fmt: str, overlay_dir: Path | None, library_dir: Path | None) -> None:
    """Check images against their brand kit and bibles: banned colours, palette, key colours, size,
    blank frames, file type, near-duplicate takes. Exits 1 when any finding is an error.

    Either IMAGE... with --brief BRIEF.json or --brand ID [--character ID] [--product ID], or one
    campaign or shot folder (its ledger or generation records say what each image was made from).

    Example: compose qc out/isla.png --brand bramble-books --character red-curls --overlay qc/
    """
    from composer.qc import build_context, check_images, context_from_brief
    from composer.qc.check import is_video
    from composer.qc.folders import folder_items
    from composer.qc.overlay import write_overlay
    from composer.qc.text import report_text

    library = open_library(library_dir)
    if len(paths) == 1 and paths[0].is_dir():
        if brief_file or brand or characters or products:
            raise ComposerError(f"{paths[0]} is a folder: its images are checked against their own briefs; "
                                "--brief, --brand, --character and --product are for image files")
        items = folder_items(library, paths[0])
    elif brief_file is not None:
        if brand or characters or products:
            raise ComposerError("give --brief or --brand/--character/--product, not both")
        ctx = context_from_brief(library, brief_file)
        items = [(p, ctx) for p in paths]
    elif brand is not None:
        ctx = build_context(library, brand=brand, characters=list(characters), products=list(products))
        items = [(p, ctx) for p in paths]
    else:
        raise ComposerError("say what the images were made from: --brief BRIEF.json, or --brand ID "
                            "(with --character/--product ID), or give one campaign or shot folder")
    videos = [path for path, _ in items if is_video(path)]
    if videos:
        click.echo(f"skipped {len(videos)} video(s), e.g. {videos[0]}: pixel QC checks still images", err=True)
    errors = 0
    entries = []
    for report in check_images((path, ctx) for path, ctx in items if not is_video(path)):
        errors += report.has_error
        if report.error:
            click.echo(f"Error: {report.error}", err=True)
        elif fmt == "text":
            click.echo(report_text(report))
        if overlay_dir is not None and report.error is None:
            click.echo(f"wrote {write_overlay(report, overlay_dir)}", err=True)
        entries.append(report.as_dict())
    if fmt == "json":
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
    click.echo(f"{len(entries)} image(s) checked, {errors} with errors", err=True)
    if errors:
        sys.exit(1)
