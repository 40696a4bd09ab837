"""Reading YAML asset files into models, turning every failure into a located ``LibraryError``.

Encoding, syntax, duplicate keys and schema violations all end as ``path:line: field: reason``.
Line numbers for schema errors come from the YAML node tree, composed only when an error occurs.

Library files are untrusted, so loading is bounded before anything is built:

- a file over ``MAX_YAML_BYTES`` (2 MB; the largest bundled asset is under 10 KB) is refused
  unread, and a file outside the library root (a symlink out) is refused (``composer.paths``);
- the node tree is composed first (aliases are shared nodes there, so it is as small as the
  text), then its size *as expanded* is counted: more than ``MAX_NODES`` nodes or
  ``MAX_EXPANDED_CHARS`` characters of scalars (the billion-laughs alias bomb), nesting deeper
  than ``MAX_DEPTH`` or an alias that contains itself is refused before any object is built;
- merge keys (``<<: *base``) are accepted; a key that is a list or mapping, an integer over
  ``MAX_INT_DIGITS`` digits, and any other value that cannot be built (a 13th month) are one
  located error, like a syntax error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from composer.errors import LibraryError
from composer.paths import read_bytes

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

M = TypeVar("M", bound=BaseModel)

MAX_YAML_BYTES = 2 * 1024 * 1024
"""Largest library text file read (YAML assets, composer.yaml, campaign and shot files, templates)."""
MAX_NODES = 100_000
"""Most YAML nodes a document may expand to, every alias counted as the copy it stands for."""
MAX_EXPANDED_CHARS = 4 * MAX_YAML_BYTES
"""Most characters of scalars a document may expand to (an alias to a long string counts again)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences (an asset needs about five levels)."""
MAX_INT_DIGITS = 100
"""Longest integer literal (Python refuses over 4,300 digits with an error that names no line)."""

_MERGE_TAG = "tag:yaml.org,2002:merge"
ConstructorError = yaml.constructor.ConstructorError


class _StrictLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader that refuses duplicate and non-scalar keys (YAML would silently keep the last
    duplicate), accepts merge keys, and turns any value that cannot be built into a located error."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # merged keys may be overridden here: only this mapping's own keys must be unique
            if not isinstance(key_node, yaml.ScalarNode):
                kind = "list" if isinstance(key_node, yaml.SequenceNode) else "mapping"
                raise ConstructorError(None, None, f"a key must be plain text, not a {kind}", key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:  # e.g. a timestamp with month 13
            raise ConstructorError(None, None, f"cannot read value {_short(node)}: {exc}", node.start_mark) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(c.isdigit() for c in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise ConstructorError(None, None, f"integer of {digits:,} digits (at most {MAX_INT_DIGITS}); "
                                   "quote it if it is text", node.start_mark)
        return super().construct_yaml_int(node)  # type: ignore[no-any-return]


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)


def _short(node: yaml.Node) -> str:
    value = str(node.value) if isinstance(node, yaml.ScalarNode) else node.tag
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _codepoint(character: str | int) -> str:
    return f"U+{character if isinstance(character, int) else ord(character):04X}"


def _check_size(root: yaml.Node) -> None:
    """Refuse a node tree whose expansion (aliases counted as copies) is over the budgets.

    Sizes are memoised per node, so the count takes time linear in the composed tree even when the
    expansion is astronomically large.
    """
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node, depth: int) -> tuple[int, int]:
        if id(node) in sizes:
            return sizes[id(node)]
        if depth > MAX_DEPTH:
            raise ConstructorError(None, None, f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
        if id(node) in open_nodes:
            raise ConstructorError(None, None, "an alias refers to a node that contains it", node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            total = (1, len(node.value))
        else:
            open_nodes.add(id(node))
            children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
            counted = [size(child, depth + 1) for child in children]
            open_nodes.discard(id(node))
            total = (1 + sum(n for n, _ in counted), sum(c for _, c in counted))
        if total[0] > MAX_NODES or total[1] > MAX_EXPANDED_CHARS:
            raise ConstructorError(
                None, None, f"document expands to over {MAX_NODES:,} nodes or {MAX_EXPANDED_CHARS:,} characters "
                "(anchors and aliases repeat what they point to); refused before building it", node.start_mark)
        sizes[id(node)] = total
        return total

    size(root, 0)


def _load(text: str) -> Any:
    """The document in ``text``, built only after its expanded size was checked."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_text(path: Path, *, root: Path | None = None, limit: int = MAX_YAML_BYTES) -> tuple[str, str]:
    """The file's text and the SHA-256 of its bytes; non-UTF-8 input is a located error.

    ``root``: the library the file must resolve inside (None for a file named on the command line).
    """
    data = read_bytes(path, root=root, limit=limit)
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
        data = _load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            problem += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
        raise LibraryError(f"YAML syntax error: {problem}", path=path, line=line) from None
    except yaml.reader.ReaderError as exc:  # libyaml refuses control characters before parsing
        line = text[: exc.position].count("\n") + 1
        raise LibraryError(f"YAML error: character {_codepoint(exc.character)} is not allowed in YAML ({exc.reason})",
                           path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise LibraryError(f"YAML error: {' '.join(str(exc).split())}", path=path) from None
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


def load_model(path: Path, model: type[M], *, root: Path | None = None) -> tuple[M, str]:
    """Load and validate one YAML asset (inside ``root`` when given); return the model and SHA-256."""
    text, digest = read_text(path, root=root)
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
