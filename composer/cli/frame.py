"""``compose frame promote|list|history``: reference frames with a lifecycle (docs/frames.md).

Thin commands over ``composer.frames_lifecycle``, imported when a command runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, get_args

import click

from composer.cli.options import library_option, open_library
from composer.models import FRAME_ROLES, FrameRole

F = TypeVar("F", bound=Callable[..., Any])

KIND_FLAGS = tuple(FRAME_ROLES)
ROLES = get_args(FrameRole)


def kind_options(func: F) -> F:
    """``--character ID | --product ID | --style ID | --scene ID``: the asset, by kind."""
    for kind in reversed(KIND_FLAGS):
        func = click.option(f"--{kind}", f"{kind}_id", metavar="ID", help=f"The {kind} whose frames these are.")(func)
    return func


def _chosen(given: dict[str, str | None]) -> list[tuple[str, str]]:
    return [(kind, value) for kind in KIND_FLAGS if (value := given.get(f"{kind}_id")) is not None]


@click.group()
def frame() -> None:
    """Promote results to reference frames, list an asset's frames and trace their history."""


@frame.command()
@click.argument("image", type=click.Path(path_type=Path, dir_okay=False))
@kind_options
@click.option("--role", type=click.Choice(ROLES), help="What the frame is for (default: the asset kind's role).")
@click.option("--note", metavar="TEXT", help="What to take from it, in the brief's label ('match the scarf only').")
@click.option("--force", is_flag=True, help="Promote a result a reviewer rejected.")
@library_option
def promote(image: Path, role: str | None, note: str | None, force: bool, library_dir: Path | None,
            **given: str | None) -> None:
    """Copy IMAGE (a campaign or `compose shot --generate` result, or a file in the library) into the
    library beside the asset's file and append it to the asset's reference frames, with provenance.

    Example: compose frame promote storyboard/images/stills-teapot-gone-1a2b3c.png --character bear
    """
    from composer.frames_lifecycle import FrameLifecycleError
    from composer.frames_lifecycle.promote import promote as promote_frame

    chosen = _chosen(given)
    if len(chosen) != 1:
        raise FrameLifecycleError("name the asset to promote to: one of --character, --product, --style or --scene")
    kind, asset_id = chosen[0]
    library = open_library(library_dir)
    done = promote_frame(library, image, kind=kind, asset_id=asset_id, role=role, note=note, force=force)
    p = done.frame.provenance
    click.echo(f"wrote {done.copy}", err=True)
    click.echo(f"wrote {done.asset.path}", err=True)
    verdict = f" ({p.verdict})" if p and p.verdict else ""
    click.echo(f"{kind} {asset_id}: frame {done.index} is {done.frame.path} ({done.frame.role}), from {image}{verdict}")


def _asset(library_dir: Path | None, asset_id: str, given: dict[str, str | None]) -> tuple[Any, Any]:
    from composer.frames_lifecycle import FrameLifecycleError
    from composer.frames_lifecycle.assets import find_asset

    chosen = _chosen(given)
    if len(chosen) > 1:
        raise FrameLifecycleError("give at most one of --character, --product, --style or --scene")
    library = open_library(library_dir)
    return library, find_asset(library, asset_id, chosen[0][0] if chosen else None)


def _kind_flags(func: F) -> F:
    """``--character`` etc. as flags saying which kind ASSET_ID is (when two kinds share it)."""
    for kind in reversed(KIND_FLAGS):
        func = click.option(f"--{kind}", f"{kind}_id", flag_value="", default=None,
                            help=f"ASSET_ID is a {kind}.")(func)
    return func


@frame.command("list")
@click.argument("asset_id", metavar="ASSET_ID")
@_kind_flags
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@library_option
def list_frames(asset_id: str, fmt: str, library_dir: Path | None, **given: str | None) -> None:
    """Every reference frame of ASSET_ID: index, role, path, note and where it came from."""
    from composer.frames_lifecycle.history import came_from, frames_of

    _, asset = _asset(library_dir, asset_id, _flagged(given, asset_id))
    frames = frames_of(asset)
    if fmt == "json":
        click.echo(json.dumps({"kind": asset.kind, "id": asset.id, "file": str(asset.path),
                               "frames": [f.to_json() for f in frames]}, indent=2))
        return
    _heading(asset, frames)
    for f in frames:
        note = f"  note: {f.note}" if f.note else ""
        missing = "  (missing)" if f.sha256 is None else ""
        click.echo(f"{f.index}. {f.role:<9} {f.written}{missing}{note}")
        click.echo(f"   {came_from(f)}")


@frame.command()
@click.argument("asset_id", metavar="ASSET_ID")
@_kind_flags
@click.option("--campaign", "campaigns", multiple=True, type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="An output folder to search for shots that used the frames (repeatable; default: the folders "
                   "the frames came from and those in the current directory).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@library_option
def history(asset_id: str, campaigns: tuple[Path, ...], fmt: str, library_dir: Path | None,
            **given: str | None) -> None:
    """Each reference frame of ASSET_ID with its provenance and the shots that used it."""
    from composer.frames_lifecycle.history import came_from, default_folders, detail_lines, frames_of, uses

    library, asset = _asset(library_dir, asset_id, _flagged(given, asset_id))
    frames = frames_of(asset)
    folders = list(campaigns) or default_folders(frames, Path.cwd())
    used = uses(frames, folders, library.root)
    if fmt == "json":
        click.echo(json.dumps({"kind": asset.kind, "id": asset.id, "file": str(asset.path),
                               "searched": [str(f) for f in folders],
                               "frames": [{**f.to_json(), "used_by": [u.to_json() for u in used[f.index]]}
                                          for f in frames]}, indent=2))
        return
    _heading(asset, frames)
    for f in frames:
        note = f"  note: {f.note}" if f.note else ""
        click.echo(f"{f.index}. {f.role:<9} {f.written}  sha256 {f.sha256 or '(missing)'}{note}")
        click.echo(f"   {came_from(f)}")
        for line in detail_lines(f):
            click.echo(f"   {line}")
        shots = used[f.index]
        if not shots:
            click.echo("   used by: no shot in the folders searched")
        for u in shots:
            version = "this version" if u.version == "this" else "an earlier version (stale)"
            click.echo(f"   used by: {u.shot} in {u.folder} ({u.state}, {version})")
    click.echo(f"searched: {', '.join(str(f) for f in folders) or 'no output folder (give --campaign DIR)'}")


def _heading(asset: Any, frames: list[Any]) -> None:
    click.echo(f"{asset.kind} {asset.id}: {len(frames)} reference frame{'s' if len(frames) != 1 else ''} "
               f"({asset.path})")


def _flagged(given: dict[str, str | None], asset_id: str) -> dict[str, str | None]:
    """Kind flags (given without a value) as the asset id of that kind."""
    return {key: asset_id for key, value in given.items() if value is not None}
