"""What the checks of ``compose validate`` share: the library's parsed files and the findings so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from composer.errors import ComposerError, LibraryError, LocatedError
from composer.library import ASSET_KINDS, Library, bundled_library
from composer.lint.findings import Finding
from composer.location import Location, Severity
from composer.models import LibraryConfig
from composer.yamlio import line_of, parse_yaml, read_text, validation_errors


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
    config: LibraryConfig = field(default_factory=LibraryConfig)
    """``composer.yaml`` as parsed (the defaults when it is missing or broken)."""
    assets: dict[str, dict[str, Asset]] = field(default_factory=dict)
    used: set[tuple[str, str]] = field(default_factory=set)
    """(kind, id) of what something names: assets, frames, templates; the rest is reported unused."""

    def add(self, severity: Severity, rule: str, message: str, fix: str, path: Path | str,
            line: int | None = None, field_name: str | None = None) -> None:
        self.findings.append(Finding(severity, rule, message, fix, (Location(str(path), line, field_name),)))

    def error(self, exc: ComposerError, rule: str, fix: str) -> None:
        if isinstance(exc, LocatedError):
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

    def reference(self, kind: str, asset_id: str, path: Path, text: str, loc: list[str | int]) -> bool:
        """Record an error when ``asset_id`` names no asset of ``kind``; True (and used) when it exists."""
        known = self.ids(kind)
        if asset_id in known or (not known and kind == "target"):
            self.used.add((kind, asset_id))
            return True
        choices = ", ".join(sorted(known)) or "none"
        self.add(Severity.ERROR, "reference", f"names unknown {kind} '{asset_id}' (known: {choices})",
                 f"correct the id, or add {ASSET_KINDS[kind][0] if kind in ASSET_KINDS else 'the target'}",
                 path, line_of(text, loc) if text else None, ".".join(str(p) for p in loc))
        return False

    def parse(self, path: Path, model: type[BaseModel]) -> tuple[str, dict[str, Any], BaseModel | None]:
        """Read and validate one file, recording every problem: its text, raw data, and model if valid."""
        try:
            text = read_text(path, root=self.library.root)[0]
            data = parse_yaml(text, path)
        except LibraryError as exc:
            self.error(exc, "schema", fix_for(exc.reason))
            return "", {}, None
        try:
            return text, data, model.model_validate(data)
        except ValidationError as exc:
            for err in validation_errors(exc, text, path):
                self.error(err, "schema", fix_for(err.reason))
            return text, data, None


def fix_for(reason: str) -> str:
    """The fix hint for a file that could not be read or failed the schema, by the error's reason."""
    if reason.startswith("unknown field"):
        return "remove the field or correct its spelling (the schema is in docs and composer/models/)"
    if reason.startswith("required field"):
        return "add the field"
    if reason.startswith("YAML"):
        return "fix the YAML syntax at that line"
    if reason.startswith("not UTF-8"):
        return "save the file as UTF-8"
    if reason.startswith("resolves outside the library root"):
        return "copy the file into the library instead of linking to it"
    if reason.startswith(("too large", "not a regular file", "symlink loop", "file name too long", "permission",
                          "I/O error", "the path contains")):
        return "replace it with a readable file of the right kind"
    return "correct the value (see the field's documentation in composer/models/)"
