"""``compose shot``: compose one brief, guard its length, print it and export prompt files."""

from __future__ import annotations

from pathlib import Path

import click

from composer.cli.generate import GenerationFlags, generation_options, send_brief
from composer.cli.options import library_option, open_library, shot_options
from composer.cli.output import echo_brief
from composer.compose import Composer
from composer.export import export_prompt_files, save_document
from composer.lint import raise_if_blocking
from composer.shot import build_spec, load_shot_file, parse_set, shot_file_text


@click.command()
@shot_options
@click.option(
    "--shot",
    "shot_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Shot file (YAML); flags add to and override it.",
)
@click.option(
    "--reference",
    "references",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra reference frame, anywhere on disk (repeatable).",
)
@click.option("--name", help="File name stem for --out (default: cast and scene).")
@click.option(
    "--save",
    "save_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the shot (the --shot file with these flags merged in) as a shot file for --shot.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "json"]),
    default="text",
    show_default=True,
    help="What stdout gets: the prompt, the Markdown brief, or the JSON brief.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also write <slug>.txt, .md and .json prompt files into this folder.",
)
@click.option(
    "--generate",
    is_flag=True,
    help="Also send the brief to the model (KIE_API_KEY or OPENAI_API_KEY) and save the result and "
    "<slug>.generation.json beside the prompt files in --out (default: ./out).",
)
@click.option("--strict", is_flag=True, help="Lint warnings block too (exit 1, no --generate), not only errors.")
@generation_options
@library_option
def shot(
    characters: tuple[str, ...],
    products: tuple[str, ...],
    scene: str | None,
    brand: str | None,
    style: str | None,
    target: str | None,
    max_chars: int | None,
    sets: tuple[str, ...],
    shot_file: Path | None,
    references: tuple[Path, ...],
    name: str | None,
    save_file: Path | None,
    fmt: str,
    out: Path | None,
    generate: bool,
    strict: bool,
    generation: GenerationFlags,
    library_dir: Path | None,
) -> None:
    """Compose one brief. The brief goes to stdout; a one-line summary goes to stderr.

    Lint findings go to stderr, one line each. On a lint error (with --strict, also a warning) the
    brief is still printed and exported for review, but the command exits 1 and --generate sends
    nothing.

    Example: compose shot --character red-curls --scene castle --out briefs/
    """
    library = open_library(library_dir)
    spec = build_spec(
        load_shot_file(shot_file, library.root) if shot_file else None,
        characters=list(characters),
        products=list(products),
        scene=scene,
        brand=brand,
        style=style,
        target=target,
        max_chars=max_chars,
        references=[str(r) for r in references],
        name=name,
        deltas=parse_set(sets),
    )
    # A video shot's locked first frame is the brief's one attachment: its mode, its label and
    # "animate the first frame" follow it, and what the labels say is what is uploaded.
    brief = Composer(library).compose(spec, first_frame=generation.frame)
    if save_file:  # before lint can refuse it: a saved shot is how one comes back to fix it
        save_document(save_file, shot_file_text(spec, save_file))
        click.echo(f"wrote {save_file}", err=True)
    for finding in brief.findings:
        click.echo(str(finding), err=True)
    if generate:
        raise_if_blocking(brief.findings, what=f"not generating {brief.slug}", strict=strict)
    if generate or generation.estimate:
        send_brief(brief, library, generation, out=out, fmt=fmt)
        return
    written = export_prompt_files(brief, out) if out else []
    echo_brief(brief, fmt)
    for path in written:
        click.echo(f"wrote {path}", err=True)
    raise_if_blocking(brief.findings, what=f"brief {brief.slug}", strict=strict)
