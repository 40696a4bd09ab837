"""``compose validate``: check a whole library at once and report every problem, not the first.

Each problem is a ``Finding`` with file, line and field:

* schema: YAML that does not parse, is not UTF-8, or breaks the asset schema (every field error);
* references: a default, ``extends``, relationship, lint exception or shot file that names an
  asset that does not exist; brand inheritance cycles; a sub-brand chain missing a required field;
* frames: reference frames missing, unreadable, not images, too large or outside the library;
* templates: target templates that are missing, fail to parse, use undefined names or fail a
  trial render with every field filled in (and again with every optional field empty);
* duplicates: ids that collide (a character and a product both called ``mug``, ``Mug.yaml`` and
  ``mug.yaml``), palette colours named or coded twice;
* notices: assets, frames and templates nothing uses, files in asset folders that are ignored.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from pydantic import BaseModel, ValidationError

from composer.attachments import Attachments, Frame
from composer.errors import ComposerError, LibraryError, ReferenceFrameError, TemplateError
from composer.frames import check_frame, verify_frame
from composer.library import ASSET_KINDS, CONFIG_FILE, DEFAULT_RUBRIC, Library, Loaded, bundled_library, package_dir
from composer.lint.findings import Finding, Location, Severity, sort_key, summary
from composer.models import BrandKit, Character, LibraryConfig, Product, Scene, ShotDeltas, Style, Target
from composer.render import Renderer
from composer.shot import ShotSpec
from composer.yamlio import line_of, parse_yaml, read_text, validation_errors

SHOT_DIRS = ("shots", "campaigns", "examples")
"""Folders (inside the library) whose YAML files are read as shots or campaigns, for references and use."""
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})
REFERENCE_KEYS = {"brand": "brand", "style": "style", "scene": "scene", "scenes": "scene",
                  "characters": "character", "products": "product", "target": "target", "targets": "target",
                  "rubric": "rubric"}
"""Keys of a shot or campaign file whose values are asset ids (at any depth)."""


@dataclass
class Asset:
    kind: str
    id: str
    path: Path
    text: str = ""
    model: Any = None
    raw: dict[str, Any] = field(default_factory=dict)
    """The parsed YAML, so a file with a schema error still has its frames and references checked."""

    def strings(self, name: str) -> list[str]:
        """A list-of-strings field, from the model or, if the file failed the schema, the raw YAML."""
        value = getattr(self.model, name) if self.model is not None else self.raw.get(name)
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    def keys(self, name: str) -> list[str]:
        """The string keys of a mapping field (model or raw YAML)."""
        value = getattr(self.model, name) if self.model is not None else self.raw.get(name)
        return [k for k in value if isinstance(k, str)] if isinstance(value, dict) else []


@dataclass
class Report:
    """Everything ``validate`` found, plus what the checks share."""

    library: Library
    findings: list[Finding] = field(default_factory=list)
    assets: dict[str, dict[str, Asset]] = field(default_factory=dict)
    used: set[tuple[str, str]] = field(default_factory=set)

    def add(self, severity: Severity, rule: str, message: str, fix: str, path: Path | str,
            line: int | None = None, field_name: str | None = None) -> None:
        self.findings.append(Finding(severity, rule, message, fix, (Location(str(path), line, field_name),)))

    def error(self, exc: ComposerError, rule: str, fix: str) -> None:
        if isinstance(exc, LibraryError | ReferenceFrameError | TemplateError):
            where = Location(str(exc.path) if exc.path is not None else str(self.library.root), exc.line, exc.field)
            self.findings.append(Finding(Severity.ERROR, rule, exc.reason, fix, (where,)))
        else:
            self.add(Severity.ERROR, rule, str(exc), fix, self.library.root)

    def ids(self, kind: str) -> set[str]:
        if kind == "target":
            return set(self.library.targets) if self._targets_ok() else set()
        if kind == "rubric":  # a library without its own rubrics uses the bundled ones
            return set(self.assets.get(kind, {})) | set(Library(bundled_library()).ids("rubric"))
        return set(self.assets.get(kind, {}))

    def _targets_ok(self) -> bool:
        try:
            self.library.targets  # noqa: B018 - loads and validates the targets
        except ComposerError:
            return False
        return True


def validate_library(library: Library) -> list[Finding]:
    """Every problem in the library, worst first, then by file and line."""
    report = Report(library)
    config = _check_config(report)
    _load_assets(report)
    _check_duplicates(report)
    _check_config_references(report, config)
    _check_brands(report)
    _check_characters(report)
    _check_frames(report)
    _check_shot_files(report)
    _check_templates(report)
    _check_unused(report, config)
    return sorted(report.findings, key=sort_key)


# -- schema --------------------------------------------------------------------------------------

def _fix_for(reason: str) -> str:
    if reason.startswith("unknown field"):
        return "remove the field or correct its spelling (the schema is in docs and composer/models.py)"
    if reason.startswith("required field"):
        return "add the field"
    if reason.startswith("YAML"):
        return "fix the YAML syntax at that line"
    if reason.startswith("not UTF-8"):
        return "save the file as UTF-8"
    return "correct the value (see the field's documentation in composer/models.py)"


def _parse(report: Report, path: Path, model: type[BaseModel]) -> tuple[str, dict[str, Any], BaseModel | None]:
    """Read and validate one file, recording every problem: its text, raw data, and model if valid."""
    try:
        text = read_text(path)[0]
        data = parse_yaml(text, path)
    except LibraryError as exc:
        report.error(exc, "schema", _fix_for(exc.reason))
        return "", {}, None
    try:
        return text, data, model.model_validate(data)
    except ValidationError as exc:
        for err in validation_errors(exc, text, path):
            report.error(err, "schema", _fix_for(err.reason))
        return text, data, None


def _check_config(report: Report) -> LibraryConfig:
    path = report.library.root / CONFIG_FILE
    if not path.is_file():
        return LibraryConfig()
    config = _parse(report, path, LibraryConfig)[2]
    return config if isinstance(config, LibraryConfig) else LibraryConfig()


def _load_assets(report: Report) -> None:
    for kind, (folder_name, model) in ASSET_KINDS.items():
        folder = report.library.root / folder_name
        report.assets[kind] = {}
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.is_dir() or path.name.startswith("."):
                continue
            if path.suffix != ".yaml":
                report.add(Severity.NOTICE, "ignored", f"ignored: only .yaml files in {folder_name}/ are assets",
                           "rename it to .yaml if it is an asset, or move it out of the folder", path)
                continue
            text, data, loaded = _parse(report, path, model)
            report.assets[kind][path.stem] = Asset(kind, path.stem, path, text, loaded, data)


# -- duplicates ----------------------------------------------------------------------------------

def _check_duplicates(report: Report) -> None:
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


# -- references ----------------------------------------------------------------------------------

def _dangling(report: Report, kind: str, asset_id: str, path: Path, text: str, loc: list[str | int]) -> bool:
    """Record an error when ``asset_id`` names no asset of ``kind``; True when it exists."""
    known = report.ids(kind)
    if asset_id in known or (not known and kind == "target"):
        report.used.add((kind, asset_id))
        return True
    choices = ", ".join(sorted(known)) or "none"
    report.add(Severity.ERROR, "reference", f"names unknown {kind} '{asset_id}' (known: {choices})",
               f"correct the id, or add {ASSET_KINDS[kind][0] if kind in ASSET_KINDS else 'the target'}",
               path, line_of(text, loc) if text else None, ".".join(str(p) for p in loc))
    return False


def _check_config_references(report: Report, config: LibraryConfig) -> None:
    path = report.library.root / CONFIG_FILE
    text = read_text(path)[0] if path.is_file() else ""
    defaults = config.defaults
    for kind, value in (("brand", defaults.brand), ("style", defaults.style), ("target", defaults.target)):
        if value:
            _dangling(report, kind, value, path, text, ["defaults", kind])


def _check_brands(report: Report) -> None:
    from composer.brands import merge_chain

    brands = report.assets["brand"]
    for asset in brands.values():
        if asset.model is None:
            continue
        for index, exc in enumerate(asset.model.lint_exceptions):
            if exc.asset and not any(exc.asset in report.ids(k) for k in ASSET_KINDS):
                report.add(Severity.WARNING, "reference", f"lint exception names unknown asset '{exc.asset}'",
                           "correct the id, or remove `asset` to apply the exception everywhere",
                           asset.path, line_of(asset.text, ["lint_exceptions", index, "asset"]),
                           f"lint_exceptions.{index}.asset")
        chain = _brand_chain(report, asset)
        if chain is None or any(a.model is None for a in chain):
            continue
        loaded = [Loaded("brand", a.id, a.path, "", a.model) for a in chain]
        data, _ = merge_chain(loaded)
        try:
            BrandKit.model_validate(data)
        except ValidationError as exc:
            after = f" (after merging {', '.join(a.id for a in chain[1:])})" if len(chain) > 1 else ""
            for err in validation_errors(exc, asset.text, asset.path):
                report.add(Severity.ERROR, "schema", err.reason + after, _fix_for(err.reason), asset.path,
                           err.line, err.field)


def _brand_chain(report: Report, asset: Asset) -> list[Asset] | None:
    chain = [asset]
    while chain[-1].model is not None and (parent := chain[-1].model.extends) is not None:
        child = chain[-1]
        if parent in [a.id for a in chain]:
            if child is asset or parent == asset.id:  # report a cycle once, at each member's own extends
                cycle = " -> ".join([*(a.id for a in chain), parent])
                report.add(Severity.ERROR, "reference", f"brand inheritance cycle: {cycle}",
                           "remove one `extends` so the chain ends at a master brand", asset.path,
                           line_of(asset.text, ["extends"]), "extends")
            return None
        if not _dangling(report, "brand", parent, child.path, child.text, ["extends"]):
            return None
        chain.append(report.assets["brand"][parent])
    return chain


def _check_characters(report: Report) -> None:
    for asset in report.assets["character"].values():
        for other in asset.keys("relationships"):
            if other not in report.ids("character") and other not in report.ids("product"):
                report.add(Severity.ERROR, "reference", f"relationship names unknown character '{other}'",
                           "correct the id (relationships are keyed by character id) or remove the entry",
                           asset.path, line_of(asset.text, ["relationships", other]), f"relationships.{other}")


FRAME_KINDS = ("character", "product", "style", "scene", "brand")
"""The asset kinds that may list reference frames."""


def _frame_entries(asset: Asset, kind: str) -> list[tuple[list[str | int], str]]:
    """An asset's frame paths (plain, or the ``path`` of a ``{path, role}`` entry) with where each
    is named, from the parsed YAML (so a file with a schema error still has them checked)."""
    field: list[str | int] = ["logo", "frames"] if kind == "brand" else ["reference_frames"]
    value: Any = asset.raw
    for key in field:
        value = value.get(key) if isinstance(value, dict) else None
    entries = []
    for index, entry in enumerate(value if isinstance(value, list) else []):
        path = entry.get("path") if isinstance(entry, dict) else entry
        if isinstance(path, str):
            entries.append(([*field, index], path))
    return entries


def _check_frames(report: Report) -> None:
    for kind in FRAME_KINDS:
        for asset in report.assets[kind].values():
            for keys, name in _frame_entries(asset, kind):
                line = line_of(asset.text, keys)
                where = ".".join(map(str, keys))
                try:
                    frame = check_frame(asset.path.parent / name, root=report.library.root, source=asset.path,
                                        line=line, field=where)
                    verify_frame(frame, source=asset.path, line=line, field=where)  # decodes: no broken data
                except ReferenceFrameError as exc:
                    report.error(exc, "frames", "put a PNG, JPEG or WebP image (at most 50 MB) at that path, "
                                 "inside the library, or correct the path")
                except OSError as exc:
                    report.add(Severity.ERROR, "frames", f"reference frame {name}: unreadable ({exc.strerror})",
                               "check the file's permissions", asset.path, line, where)
                else:
                    report.used.add(("frame", str(frame)))


# -- shot and campaign files ---------------------------------------------------------------------

def shot_files(root: Path) -> Iterator[Path]:
    for folder in SHOT_DIRS:
        if (root / folder).is_dir():
            yield from sorted((root / folder).rglob("*.yaml"))


def _check_shot_files(report: Report) -> None:
    for path in shot_files(report.library.root):
        try:
            text = read_text(path)[0]
            data = parse_yaml(text, path)
        except LibraryError as exc:
            report.error(exc, "schema", _fix_for(exc.reason))
            continue
        for kind, value, loc in _references(data, []):
            _dangling(report, kind, value, path, text, loc)


def _references(data: Any, loc: list[str | int]) -> Iterator[tuple[str, str, list[str | int]]]:
    """(kind, id, location) of every asset id a shot or campaign file names, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            kind = REFERENCE_KEYS.get(str(key))
            if kind and isinstance(value, str) and value != "*":
                yield kind, value, [*loc, key]
            elif kind and isinstance(value, list):
                yield from ((kind, v, [*loc, key, i]) for i, v in enumerate(value) if isinstance(v, str) and v != "*")
            else:
                yield from _references(value, [*loc, key])
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _references(value, [*loc, index])


# -- templates -----------------------------------------------------------------------------------

def _check_templates(report: Report) -> None:
    library = report.library
    try:
        targets = library.targets
    except ComposerError as exc:
        report.error(exc, "schema", _fix_for(getattr(exc, "reason", "")))
        return
    renderer = Renderer(library.template_dirs())
    config_path = library.root / CONFIG_FILE
    config_text = read_text(config_path)[0] if config_path.is_file() else ""
    own = library.root / "templates"
    for path in sorted(own.rglob("*.j2")) if own.is_dir() else []:
        _parse_template(report, renderer.env, path, None)
    checked: set[str] = set()
    for name, target in sorted(targets.items()):
        if target.template in checked:
            continue
        checked.add(target.template)
        where = (config_path, line_of(config_text, ["targets", name, "template"])) if name in library.config.targets \
            else (package_dir() / "targets.yaml", None)
        found = next((d / target.template for d in library.template_dirs() if (d / target.template).is_file()), None)
        if found is None:
            report.add(Severity.ERROR, "template", f"target {name}: template '{target.template}' not found in "
                       f"{', '.join(map(str, library.template_dirs())) or 'any template folder'}",
                       "add the template or correct the target's `template`", where[0], where[1],
                       f"targets.{name}.template")
            continue
        report.used.add(("template", str(found.resolve())))
        if _parse_template(report, renderer.env, found, target):
            _trial_render(report, renderer, target, found)


def _parse_template(report: Report, env: jinja2.Environment, path: Path, target: Target | None) -> bool:
    try:
        source = read_text(path)[0]
        tree = env.parse(source, path.name, str(path))
    except LibraryError as exc:
        report.error(exc, "template", _fix_for(exc.reason))
        return False
    except jinja2.TemplateSyntaxError as exc:
        report.add(Severity.ERROR, "template", f"template syntax error: {exc.message}",
                   "fix the Jinja syntax at that line", path, exc.lineno)
        return False
    for ref in meta.find_referenced_templates(tree):
        if ref:
            report.used.add(("template-name", ref))
    if target is None:
        return True  # an included block sees its includer's loop variables: checked by the trial render
    known = template_names(target) | set(env.globals)
    ok = True
    for name in sorted(meta.find_undeclared_variables(tree) - known):
        line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), None)
        report.add(Severity.ERROR, "template", f"template uses undefined name '{name}'",
                   f"use one of: {', '.join(sorted(template_names(target)))}", path, line)
        ok = False
    return ok


def _trial_render(report: Report, renderer: Renderer, target: Target, path: Path) -> None:
    """Render with every field filled, then with every optional field empty: both must work."""
    for full in (True, False):
        try:
            renderer.render(target.template, sample_context(target, full=full))
        except TemplateError as exc:
            filled = "every field filled in" if full else "every optional field empty"
            report.add(Severity.ERROR, "template", f"trial render with {filled} fails: {exc.reason}",
                       "use only fields the schema defines (docs and composer/models.py), and guard optional "
                       "ones with {% if %}", exc.path or path, exc.line)
            return


def sample_context(target: Target, *, full: bool) -> dict[str, Any]:
    """The context the composer would pass, for sample assets built from the schemas alone."""
    from composer.compose import ShotAssets  # compose imports lint, which validate must not pull in early

    def loaded(kind: str, model: type[BaseModel], asset_id: str) -> Loaded[Any]:
        return Loaded(kind, asset_id, Path(f"{asset_id}.yaml"), "", model.model_validate(sample(model, full)))

    character = loaded("character", Character, "sample-character")
    if full:  # a relationship to the other cast member, so the relationship loop runs
        character = Loaded("character", character.id, character.path, "", character.model.model_copy(
            update={"relationships": {"sample-product": "sample relationship"}}))
    assets = ShotAssets(
        target_name="sample", target=target,
        brand=loaded("brand", BrandKit, "sample-brand") if full else None,
        style=loaded("style", Style, "sample-style") if full else None,
        scene=loaded("scene", Scene, "sample-scene"),
        characters=[character], products=[loaded("product", Product, "sample-product")],
        attachments=Attachments((Frame(Path("sample.png"), "identity", "Sample", "character"),), cap=1) if full
        else Attachments(),
    )
    deltas = ShotDeltas.model_validate(sample(ShotDeltas, full))
    return assets.context(ShotSpec(characters=[character.id], products=["sample-product"], scene="sample-scene",
                                   deltas=deltas))


def template_names(target: Target) -> frozenset[str]:
    """Every name a template may use: the composer's context, plus section() and part()."""
    return frozenset(sample_context(target, full=True)) | {"section", "part"}


def sample(model: type[BaseModel], full: bool) -> dict[str, Any]:
    """Valid sample data for a model: every field filled (``full``), or only the required ones."""
    data = {}
    for name, info in model.model_fields.items():
        if full or info.is_required():
            data[name] = "#8A9A5B" if name == "hex" else _sample_value(info.annotation, full)
    return data


def _sample_value(annotation: Any, full: bool) -> Any:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        annotation = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list:
        return [_sample_value(args[0], full)]
    if origin is dict:
        return {"sample": _sample_value(args[1], full)}
    if origin is typing.Literal:
        return args[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return sample(annotation, full)
    return {bool: full, int: 1, float: 1.0}.get(annotation, "sample text")


# -- unused --------------------------------------------------------------------------------------

def _check_unused(report: Report, config: LibraryConfig) -> None:
    report.used.add(("rubric", DEFAULT_RUBRIC))  # every campaign that names no rubric uses it
    for asset in report.assets["brand"].values():
        if asset.model is not None and asset.model.extends:
            report.used.add(("brand", asset.model.extends))
        for exc in asset.model.lint_exceptions if asset.model is not None else []:
            report.used.update((k, exc.asset) for k in ASSET_KINDS if exc.asset)
    for asset in report.assets["character"].values():
        for other in asset.keys("relationships"):
            report.used.update({("character", other), ("product", other)})
    where = "composer.yaml defaults, a brand's extends, a relationship, or a shot/campaign file in " + \
        ", ".join(f"{d}/" for d in SHOT_DIRS)
    for kind, assets in report.assets.items():
        for asset in assets.values():
            if asset.model is not None and (kind, asset.id) not in report.used:
                report.add(Severity.NOTICE, "unused", f"{kind} '{asset.id}' is not used by {where}",
                           "nothing, if shots name it on the command line; otherwise remove it", asset.path)
    _unused_files(report)


def _unused_files(report: Report) -> None:
    root = report.library.root
    for kind in FRAME_KINDS:
        frames_dir = root / ASSET_KINDS[kind][0]
        for path in sorted(frames_dir.rglob("*")) if frames_dir.is_dir() else []:
            if path.suffix.lower() in IMAGE_SUFFIXES and ("frame", str(path.resolve())) not in report.used:
                report.add(Severity.NOTICE, "unused", "image is not a reference frame of any asset",
                           "list it under an asset's reference_frames, or remove it", path)
    own = root / "templates"
    for path in sorted(own.rglob("*.j2")) if own.is_dir() else []:
        name = path.relative_to(own).as_posix()
        if ("template", str(path.resolve())) not in report.used and ("template-name", name) not in report.used:
            report.add(Severity.NOTICE, "unused", "template is not used by any target or included by one",
                       "name it in a target's `template` (composer.yaml targets), or remove it", path)


class InvalidLibraryError(ComposerError):
    """``compose validate`` found errors (or, with ``--strict``, warnings)."""


def raise_if_invalid(library: Library, findings: list[Finding], *, strict: bool = False) -> None:
    """Raise ``InvalidLibraryError`` when any finding is an error (or, when ``strict``, a warning)."""
    floor = Severity.WARNING.rank if strict else Severity.ERROR.rank
    if any(f.severity.rank >= floor for f in findings):
        raise InvalidLibraryError(f"library {library.root} is not valid: {summary(findings)}")
