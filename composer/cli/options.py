"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from composer.settings import Settings

if TYPE_CHECKING:
    from composer.library import Library

F = TypeVar("F", bound=Callable[..., Any])


def cli_settings() -> Settings:
    """The settings the ``compose`` group built from its flags and the environment (built here when a
    command runs on its own)."""
    context = click.get_current_context(silent=True)
    if context is None:  # called outside a command (a script or a test using the CLI's helpers)
        return Settings.from_env()
    root = context.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings.from_env()
    return root.obj


def open_library(library_dir: Path | None) -> Library:
    """The library a command works on: its ``--library``, else the settings' (``compose --library``,
    ``$COMPOSER_LIBRARY``), else the current directory or the bundled examples. From then on the
    command's settings have the library's ``composer.yaml`` defaults under the flags and environment."""
    from composer.library import Library

    settings = cli_settings().with_flags(library=library_dir)
    library = Library.find(settings.library, origin=settings.library_origin)
    context = click.get_current_context(silent=True)
    if context is not None:  # the commands' later cli_settings() see the library's composer.yaml defaults
        context.find_root().obj = settings.with_library(library)
    return library


LIBRARY_HELP = "Library root (default: $COMPOSER_LIBRARY, the current directory, or the bundled examples)."


def _or_top_level(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A command's own --library, else the one given before the command (``compose --library DIR list``)."""
    if value is not None:
        return value
    top: Path | None = ctx.find_root().params.get("library_dir")
    return top


def library_option(func: F) -> F:
    return click.option(
        "--library",
        "library_dir",
        type=click.Path(path_type=Path, file_okay=False),
        callback=_or_top_level,
        help=LIBRARY_HELP,
    )(func)


def shot_options(func: F) -> F:
    """The options that choose a shot's assets and deltas (``compose shot`` and ``compose lint``)."""
    options = [
        click.option("--character", "-c", "characters", multiple=True, metavar="ID", help="Character id (repeatable)."),
        click.option("--product", "-p", "products", multiple=True, metavar="ID", help="Product id (repeatable)."),
        click.option("--scene", "-s", metavar="ID", help="Scene id."),
        click.option("--brand", "-b", metavar="ID", help="Brand kit id (default: the library's)."),
        click.option("--style", metavar="ID", help="Style dossier id (default: the library's)."),
        click.option("--target", "-t", metavar="NAME", help="Target model window (see `compose list targets`)."),
        click.option("--max-chars", type=click.IntRange(min=1), help="Policy window that overrides the target's."),
        click.option(
            "--set",
            "sets",
            multiple=True,
            metavar="KEY=VALUE",
            help="Per-shot delta, e.g. --set 'counts=4 candles' (repeatable; list keys split on ';').",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func
