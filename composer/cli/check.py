"""``compose validate`` (the whole library) and ``compose lint`` (composed briefs): findings only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from composer.cli.options import library_option, open_library, shot_options
from composer.compose import Composer
from composer.errors import ComposerError
from composer.lint import Finding, Location, Severity, raise_if_blocking, summary
from composer.shot import build_spec, load_shot_file, parse_set
from composer.validate import raise_if_invalid, validate_library

FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                      help="text: one line per finding; json: one object, for CI.")
STRICT = click.option("--strict", is_flag=True, help="Warnings fail too (exit 1), not only errors.")


@click.command()
@FORMAT
@STRICT
@library_option
def validate(fmt: str, strict: bool, library_dir: Path | None) -> None:
    """Check the whole library and report every problem, each with file, line and field.

    Exits 1 when anything is an error (with --strict, also a warning).
    """
    library = open_library(library_dir)
    findings = validate_library(library)
    _print(findings, fmt, {"library": str(library.root)})
    raise_if_invalid(library, findings, strict=strict)


@click.command()
@click.argument("shot_files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@shot_options
@FORMAT
@STRICT
@library_option
def lint(shot_files: tuple[Path, ...], characters: tuple[str, ...], products: tuple[str, ...], scene: str | None,
         brand: str | None, style: str | None, target: str | None, max_chars: int | None, sets: tuple[str, ...],
         fmt: str, strict: bool, library_dir: Path | None) -> None:
    """Compose shots and report their lint findings, without printing the briefs.

    Lints each SHOT_FILE (flags add to and override each), or the one shot the flags describe.
    Exits 1 when any finding is an error (with --strict, also a warning).

    Example: compose lint examples/shots/*.yaml --strict
    """
    library = open_library(library_dir)
    composer = Composer(library)
    flags: dict[str, Any] = {"characters": list(characters), "products": list(products), "scene": scene,
                             "brand": brand, "style": style, "target": target, "max_chars": max_chars,
                             "deltas": parse_set(sets)}
    bases: list[Path | None] = list(shot_files) or [None]
    results: list[tuple[str, list[Finding]]] = []
    for base in bases:
        label = str(base) if base else "shot"
        try:
            brief = composer.compose(build_spec(load_shot_file(base, library.root) if base else None, **dict(flags)))
            results.append((f"{label} ({brief.slug})", brief.findings))
        except ComposerError as exc:  # one bad shot file does not hide the others' findings
            results.append((label, [Finding(Severity.ERROR, "compose", str(exc), "fix the shot or the asset it names",
                                            (Location(label),))]))
    _print_shots(results, fmt)
    raise_if_blocking([f for _, found in results for f in found], what="lint", strict=strict)


def _print(findings: list[Finding], fmt: str, extra: dict[str, Any]) -> None:
    if fmt == "json":
        click.echo(json.dumps({**extra, "summary": _counts(findings),
                               "findings": [f.as_dict() for f in findings]}, indent=2, ensure_ascii=False))
        return
    for finding in findings:
        click.echo(str(finding))
    click.echo(summary(findings))


def _print_shots(results: list[tuple[str, list[Finding]]], fmt: str) -> None:
    every = [f for _, found in results for f in found]
    if fmt == "json":
        shots = [{"shot": label, "findings": [f.as_dict() for f in found]} for label, found in results]
        click.echo(json.dumps({"summary": _counts(every), "shots": shots}, indent=2, ensure_ascii=False))
        return
    for label, found in results:
        if len(results) > 1:
            click.echo(f"== {label}: {summary(found)}")
        for finding in found:
            click.echo(str(finding))
    click.echo(summary(every))


def _counts(findings: list[Finding]) -> dict[str, int]:
    return {s.value: sum(1 for f in findings if f.severity is s) for s in Severity}
