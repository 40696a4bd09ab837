"""Reading YAML asset files into models, turning every failure into a located ``LibraryError``.

Encoding, syntax, duplicate keys and schema violations all end as ``path:line: field: reason``.
Line numbers for schema errors come from the YAML node tree, composed only when an error occurs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from composer.errors import LibraryError

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

M = TypeVar("M", bound=BaseModel)


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader that refuses duplicate keys: YAML would silently keep the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def read_text(path: Path) -> tuple[str, str]:
    """The file's text and the SHA-256 of its bytes; non-UTF-8 input is a located error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LibraryError(f"cannot read file ({exc.strerror})", path=path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LibraryError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8",
            path=path,
            line=line,
        ) from None
    return text, hashlib.sha256(data).hexdigest()


def parse_yaml(text: str, path: Path) -> dict[str, Any]:
    """Parse one YAML mapping; syntax errors and non-mappings are located errors."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            problem += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
        raise LibraryError(f"YAML syntax error: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise LibraryError(f"YAML error: {exc}", path=path) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LibraryError(f"expected a mapping of fields, found {type(data).__name__}", path=path, line=1)
    return data


def line_of(text: str, loc: Sequence[int | str]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its closest existing parent)."""
    try:
        node = yaml.compose(text, Loader=_BaseLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((kn for kn, vn in node.value if kn.value == part), None)
            if match is None:
                return line
            line = match.start_mark.line + 1
            node = next(vn for kn, vn in node.value if kn is match)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def validation_errors(exc: ValidationError, text: str, path: Path) -> list[LibraryError]:
    """One located ``LibraryError`` per pydantic error, in file order."""
    found = []
    missing = {tuple(e["loc"][:-1]): str(e["loc"][-1]) for e in exc.errors() if e["type"] == "missing"}
    for err in exc.errors():
        loc = [p for p in err["loc"] if isinstance(p, int | str)]
        field = ".".join(str(p) for p in loc) or None
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field"
            if (guess := missing.get(tuple(err["loc"][:-1]))) is not None:
                message += f" (did you mean '{guess}'?)"
        elif err["type"] == "missing":
            message = "required field is missing"
        found.append(LibraryError(message, path=path, line=line_of(text, loc), field=field))
    # An unknown field usually explains a missing one, so it is reported first.
    return sorted(found, key=lambda e: (not e.reason.startswith("unknown field"), e.line or 0))


def load_model(path: Path, model: type[M]) -> tuple[M, str]:
    """Load and validate one YAML asset; return the model and the file's SHA-256."""
    text, digest = read_text(path)
    data = parse_yaml(text, path)
    try:
        return model.model_validate(data), digest
    except ValidationError as exc:
        errors = validation_errors(exc, text, path)
        first = errors[0]
        if len(errors) > 1:
            raise LibraryError(
                f"{first.reason} (and {len(errors) - 1} more problem(s); run `compose validate`)",
                path=path,
                line=first.line,
                field=first.field,
            ) from None
        raise first from None
