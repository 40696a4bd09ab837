"""Reference checks: defaults, ``extends`` chains (through ``brands.chain_of``), relationships and
lint exceptions that name an asset that does not exist; a sub-brand chain missing a required field."""

from __future__ import annotations

from pydantic import ValidationError

from composer.brands import BrandChainError, chain_of, merge_chain
from composer.library import ASSET_KINDS, CONFIG_FILE
from composer.loaded import Loaded
from composer.location import Severity
from composer.models import BrandKit, BrandKitFile
from composer.validate.report import Asset, Report, fix_for
from composer.yamlio import line_of, read_text, validation_errors


def check_references(report: Report) -> None:
    _check_config_references(report)
    _check_brands(report)
    _check_characters(report)


def _check_config_references(report: Report) -> None:
    path = report.library.root / CONFIG_FILE
    text = read_text(path, root=report.library.root)[0] if path.is_file() else ""
    defaults = report.config.defaults
    for kind, value in (("brand", defaults.brand), ("style", defaults.style), ("target", defaults.target)):
        if value:
            report.reference(kind, value, path, text, ["defaults", kind])


def _check_brands(report: Report) -> None:
    for asset in report.assets["brand"].values():
        if asset.model is None:
            continue
        for index, exc in enumerate(asset.model.lint_exceptions):
            if exc.asset and not any(exc.asset in report.ids(k) for k in ASSET_KINDS):
                report.add(Severity.WARNING, "reference", f"lint exception names unknown asset '{exc.asset}'",
                           "correct the id, or remove `asset` to apply the exception everywhere",
                           asset.path, line_of(asset.text, ["lint_exceptions", index, "asset"]),
                           f"lint_exceptions.{index}.asset")
        chain = _brand_chain(report, asset)
        if chain is None:
            continue
        data, _ = merge_chain(chain)
        try:
            BrandKit.model_validate(data)
        except ValidationError as exc:
            after = f" (after merging {', '.join(a.id for a in chain[1:])})" if len(chain) > 1 else ""
            for err in validation_errors(exc, asset.text, asset.path):
                report.add(Severity.ERROR, "schema", err.reason + after, fix_for(err.reason), asset.path,
                           err.line, err.field)


class _Broken(Exception):
    """A level of the chain failed the schema (already reported): the chain is not checked further."""


def _brand_chain(report: Report, asset: Asset) -> list[Loaded[BrandKitFile]] | None:
    """The asset's chain over the files already parsed; a broken link is reported, once per cycle member."""
    brands = report.assets["brand"]

    def load(brand_id: str) -> Loaded[BrandKitFile] | None:
        found = brands.get(brand_id)
        if found is not None and found.model is None:
            raise _Broken
        return None if found is None else Loaded("brand", found.id, found.path, "", found.model)

    try:
        return chain_of(report.library, asset.id, load=load)
    except _Broken:
        return None
    except BrandChainError as exc:
        if exc.cycle is None:
            child = brands[exc.child.id]
            report.reference("brand", exc.parent, child.path, child.text, ["extends"])
        elif exc.parent == asset.id:  # report a cycle once, at each member's own extends
            report.add(Severity.ERROR, "reference", f"brand inheritance cycle: {' -> '.join(exc.cycle)}",
                       "remove one `extends` so the chain ends at a master brand", asset.path,
                       line_of(asset.text, ["extends"]), "extends")
        return None


def _check_characters(report: Report) -> None:
    for asset in report.assets["character"].values():
        for other in asset.keys("relationships"):
            if other not in report.ids("character") and other not in report.ids("product"):
                report.add(Severity.ERROR, "reference", f"relationship names unknown character '{other}'",
                           "correct the id (relationships are keyed by character id) or remove the entry",
                           asset.path, line_of(asset.text, ["relationships", other]), f"relationships.{other}")

