"""A composer library on disk: where it is, which assets it holds, and loading them by id.

Layout of a library root::

    composer.yaml                 library config: defaults and extra targets (optional)
    brand_kits/<id>.yaml          BrandKitFile (resolved through `extends` into a BrandKit)
    bibles/characters/<id>.yaml   Character   (+ reference frames beside it)
    bibles/products/<id>.yaml     Product
    bibles/styles/<id>.yaml       Style
    bibles/scenes/<id>.yaml       Scene
    rubrics/<id>.yaml             Rubric      (review scorecards; falls back to the bundled ones)
    templates/*.j2                brief templates (falls back to the bundled ones)

Assets load lazily, one file per id, and are cached until the file changes on disk, so composing a
shot reads only the files that shot uses and a long-running TUI sees edits.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from composer.attachments import Frame, entry_path, entry_role
from composer.brands import resolve_brand
from composer.errors import LibraryError, ReferenceFrameError, UnknownAssetError
from composer.frames import check_frame, file_sha256
from composer.loaded import Loaded
from composer.models import (
    BrandKit,
    BrandKitFile,
    Character,
    LibraryConfig,
    Product,
    ReferenceFrame,
    Rubric,
    Scene,
    Style,
    Target,
)
from composer.yamlio import line_of, load_model, parse_yaml, read_text

CONFIG_FILE = "composer.yaml"
MAX_ID_CHARS = 200
"""Longest asset id (its file name, with ``.yaml``, must fit the file system's 255 bytes)."""
DEFAULT_RUBRIC = "default"
"""The rubric a review uses when its campaign names none (``rubrics/default.yaml``, bundled)."""

ASSET_KINDS: dict[str, tuple[str, type[BaseModel]]] = {
    "brand": ("brand_kits", BrandKitFile),
    "character": ("bibles/characters", Character),
    "product": ("bibles/products", Product),
    "style": ("bibles/styles", Style),
    "scene": ("bibles/scenes", Scene),
    "rubric": ("rubrics", Rubric),
}
"""Each asset kind: its folder inside the library and its model."""

PLURALS = {
    "brands": "brand",
    "characters": "character",
    "products": "product",
    "styles": "style",
    "scenes": "scene",
    "targets": "target",
    "rubrics": "rubric",
}

def package_dir() -> Path:
    return Path(__file__).resolve().parent


def bundled_library() -> Path:
    """The example library shipped with the package (inside the wheel, or the source checkout)."""
    in_wheel = package_dir() / "_library"
    return in_wheel if in_wheel.is_dir() else package_dir().parent


def is_library(path: Path) -> bool:
    return (path / CONFIG_FILE).is_file() or (path / "bibles").is_dir() or (path / "brand_kits").is_dir()


def find_library(explicit: Path | None = None, *, origin: str = "--library", cwd: Path | None = None) -> Path:
    """``explicit`` (the settings' ``library``: ``--library`` or ``$COMPOSER_LIBRARY``, named by
    ``origin`` in the error), else the current directory if it is a library, else the bundled
    example library."""
    if explicit:
        path = Path(explicit)
        if not path.is_dir() or not is_library(path):
            raise LibraryError(f"{origin} {path} is not a composer library (no {CONFIG_FILE}, bibles/ or brand_kits/)")
        return path
    here = cwd or Path.cwd()
    return here if is_library(here) else bundled_library()


class Library:
    """Loads and caches the assets of one library root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[Path, tuple[tuple[int, int], Loaded[Any]]] = {}
        self._paths: dict[tuple[str, str], Path] = {}
        self.frame_digests: dict[Path, str] = {}
        """SHA-256 of each checked reference frame, refreshed whenever the frame changes."""
        self._frames: dict[tuple[Path, int, int, int, int], Path] = {}

    @classmethod
    def find(cls, explicit: Path | None = None, *, origin: str = "--library") -> Library:
        return cls(find_library(explicit, origin=origin))

    # -- config and targets -------------------------------------------------------------------
    @cached_property
    def config(self) -> LibraryConfig:
        return self._config[0]

    @cached_property
    def config_source(self) -> dict[str, str] | None:
        """The config file as a brief source, or None when the library has none."""
        digest = self._config[1]
        path = self.root / CONFIG_FILE
        return {"kind": "config", "id": CONFIG_FILE, "path": str(path), "sha256": digest} if digest else None

    @cached_property
    def _config(self) -> tuple[LibraryConfig, str | None]:
        path = self.root / CONFIG_FILE
        return load_model(path, LibraryConfig, root=self.root) if path.is_file() else (LibraryConfig(), None)

    @cached_property
    def targets(self) -> dict[str, Target]:
        builtin_path = package_dir() / "targets.yaml"
        raw = parse_yaml(read_text(builtin_path)[0], builtin_path)
        merged = {name: Target.model_validate(spec) for name, spec in raw.items()}
        merged.update(self.config.targets)
        return merged

    def target(self, name: str) -> Target:
        if name not in self.targets:
            raise UnknownAssetError("target", name, sorted(self.targets), path=self.root / CONFIG_FILE)
        return self.targets[name]

    def template_dirs(self) -> list[Path]:
        """Where templates are looked up: the library's own, then the bundled ones."""
        dirs = [self.root / "templates", bundled_library() / "templates"]
        return [d for i, d in enumerate(dirs) if d.is_dir() and d.resolve() not in {x.resolve() for x in dirs[:i]}]

    # -- assets -------------------------------------------------------------------------------
    def folder(self, kind: str) -> Path:
        return self.root / ASSET_KINDS[kind][0]

    def ids(self, kind: str) -> list[str]:
        if kind == "target":
            return sorted(self.targets)
        folder = self.folder(kind)
        return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []

    def path_of(self, kind: str, asset_id: str) -> Path:
        """The asset's file; an id that cannot name one (a path, a NUL, too long) is an unknown id."""
        path = self.folder(kind) / f"{asset_id}.yaml"
        plausible = len(asset_id) <= MAX_ID_CHARS and not any(c in asset_id for c in "/\\\0")
        if not plausible or asset_id.startswith(".") or not os.path.lexists(path):
            raise UnknownAssetError(kind, asset_id, self.ids(kind))
        return path  # even a broken link or a FIFO: reading it gives the precise reason

    def load(self, kind: str, asset_id: str) -> Loaded[Any]:
        path = self._paths.get((kind, asset_id))
        if path is None:
            path = self._paths[(kind, asset_id)] = self.path_of(kind, asset_id)
        try:
            stat = os.stat(path)  # one system call on the hot path: the cache key, and proof it exists
        except OSError:
            del self._paths[(kind, asset_id)]
            if os.path.lexists(path):  # a symlink loop, a dangling link, no permission: say which
                read_text(path, root=self.root)
            raise UnknownAssetError(kind, asset_id, self.ids(kind)) from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(path)
        if cached and cached[0] == stamp:
            return cached[1]
        model, digest = load_model(path, ASSET_KINDS[kind][1], root=self.root)
        loaded: Loaded[Any] = Loaded(kind, asset_id, path, digest, model)
        self._cache[path] = (stamp, loaded)
        return loaded

    def brand(self, asset_id: str) -> Loaded[BrandKit]:
        """The brand kit with its ``extends`` chain merged in (``load("brand", id)`` is the raw file)."""
        return resolve_brand(self, asset_id)

    def character(self, asset_id: str) -> Loaded[Character]:
        return self.load("character", asset_id)

    def product(self, asset_id: str) -> Loaded[Product]:
        return self.load("product", asset_id)

    def style(self, asset_id: str) -> Loaded[Style]:
        return self.load("style", asset_id)

    def scene(self, asset_id: str) -> Loaded[Scene]:
        return self.load("scene", asset_id)

    def rubric(self, asset_id: str = DEFAULT_RUBRIC) -> Loaded[Rubric]:
        """A review rubric: the library's own, else the bundled one of that id."""
        own = self.folder("rubric") / f"{asset_id}.yaml"
        if own.is_file() or self.root.resolve() == bundled_library().resolve():
            return self.load("rubric", asset_id)
        bundled = Library(bundled_library())
        if asset_id in bundled.ids("rubric"):
            return bundled.load("rubric", asset_id)
        return self.load("rubric", asset_id)  # raises the error listing this library's rubrics

    def _checked_frame(self, path: Path) -> Path:
        """``check_frame``, cached while the file it points to (symlinks followed) is unchanged."""
        try:
            st = os.stat(path)
        except (OSError, ValueError):  # ValueError: a NUL in the name
            return check_frame(path, root=self.root)  # raises the located reason
        key = (path, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        if key not in self._frames:
            resolved = check_frame(path, root=self.root)
            self._frames[key] = resolved
            self.frame_digests[resolved] = file_sha256(resolved)
        return self._frames[key]

    def frames(self, asset: Loaded[Any], owner: str) -> list[Frame]:
        """The asset's reference frames with their roles (``composer.attachments``), resolved and
        checked to be images inside the library; ``owner`` is the name the brief's labels use. A
        brand's are its ``logo.frames``; every other kind's, its ``reference_frames``."""
        field = ("logo", "frames") if asset.kind == "brand" else ("reference_frames",)
        entries = asset.model.logo.frames if asset.kind == "brand" else asset.model.reference_frames
        frames = []
        for index, entry in enumerate(entries):
            try:
                path = self._checked_frame(asset.path.parent / entry_path(entry))
            except ReferenceFrameError as err:
                line = line_of(read_text(asset.path)[0], [*field, index])
                raise ReferenceFrameError(err.reason, path=asset.path, line=line,
                                          field=".".join([*field, str(index)])) from None
            note = entry.note if isinstance(entry, ReferenceFrame) else None
            frames.append(Frame(path, entry_role(entry, asset.kind), owner, asset.kind, asset.id, note, asset.path))
        return frames
