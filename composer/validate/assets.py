"""Schema and duplicate checks: every asset file parsed once (every field error), ids that collide."""

from __future__ import annotations

from composer.library import ASSET_KINDS, CONFIG_FILE
from composer.location import Severity
from composer.models import LibraryConfig
from composer.validate.report import Asset, Report
from composer.yamlio import line_of


def load_library(report: Report) -> None:
    """Parse ``composer.yaml`` and every asset file, recording each schema problem."""
    path = report.library.root / CONFIG_FILE
    if path.is_file():
        config = report.parse(path, LibraryConfig)[2]
        if isinstance(config, LibraryConfig):
            report.config = config
    for kind, (folder_name, model) in ASSET_KINDS.items():
        folder = report.library.root / folder_name
        report.assets[kind] = {}
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or (path.is_dir() and path.suffix != ".yaml"):
                continue  # (a folder named like an asset is reported: reading it says what it is)
            if path.suffix != ".yaml":
                report.add(Severity.NOTICE, "ignored", f"ignored: only .yaml files in {folder_name}/ are assets",
                           "rename it to .yaml if it is an asset, or move it out of the folder", path)
                continue
            text, data, loaded = report.parse(path, model)
            report.assets[kind][path.stem] = Asset(kind, path.stem, path, text, loaded, data)


def check_duplicates(report: Report) -> None:
    """Ids equal but for case, an id that is both a character and a product, palette repeats."""
    for kind, assets in report.assets.items():
        seen: dict[str, Asset] = {}
        for asset in assets.values():
            other = seen.setdefault(asset.id.casefold(), asset)
            if other is not asset:
                report.add(Severity.ERROR, "duplicate",
                           f"{kind} ids '{other.id}' and '{asset.id}' differ only in case "
                           "(one file on macOS and Windows)",
                           "rename one of the two files", asset.path)
    for asset_id in sorted(report.ids("character") & report.ids("product")):
        product = report.assets["product"][asset_id]
        report.add(Severity.ERROR, "duplicate",
                   f"'{asset_id}' is both a character and a product; a brief's cast needs unique ids",
                   "rename one of them", product.path, 1)
    for asset in report.assets["brand"].values():
        if asset.model is None:
            continue
        for key in ("name", "hex"):
            seen_values: dict[str, int] = {}
            for index, colour in enumerate(asset.model.palette):
                value = str(getattr(colour, key)).casefold()
                if value in seen_values:
                    report.add(Severity.ERROR, "duplicate",
                               f"palette colour {index} repeats the {key} of colour {seen_values[value]} "
                               f"({getattr(colour, key)})",
                               "give each palette colour its own name and hex, or remove the repeat",
                               asset.path, line_of(asset.text, ["palette", index, key]), f"palette.{index}.{key}")
                seen_values.setdefault(value, index)
