"""Appending a frame to an asset file, keeping every comment and the layout a person gave it.

This is the one place composer writes YAML a person edits, so it uses ruamel.yaml's round-trip
mode (comments, key order, quoting, folded scalars and indentation survive); pyyaml stays the
reader everywhere else, being faster. The text of the file is unchanged but for the new entry,
inserted after the last frame (or, for a file without ``reference_frames``, a new key at the end),
with two exceptions a person would make too:

- a flow list (``reference_frames: [a.png]``) becomes a block list, one entry a line;
- comment lines that follow the last frame stay where they are in the file, after the new entry:
  ruamel.yaml attaches them to the last item, which would leave the new entry below them.

The indentation of lists is read from the file (``load_yaml_guess_indent``); a file without lists
gets the library's own style (items indented two spaces under their key).
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from composer.frames_lifecycle.errors import FrameLifecycleError

FIELD = "reference_frames"
WIDTH = 1 << 20
"""No re-wrapping: a long line written by hand stays one line."""


def append_frame(text: str, entry: dict[str, Any], *, field: str = FIELD) -> str:
    """``text`` (an asset file) with ``entry`` appended to its ``field`` list."""
    yaml = _yaml(text)
    try:
        data = yaml.load(text)
    except YAMLError as exc:
        raise FrameLifecycleError(f"cannot edit the asset file: {' '.join(str(exc).split())}") from None
    if not isinstance(data, CommentedMap):
        raise FrameLifecycleError("cannot edit the asset file: it is not a mapping of fields")
    frames = data.get(field)
    new = _commented(entry)
    if frames is None:
        data[field] = CommentedSeq([new])
    elif isinstance(frames, CommentedSeq):
        if frames.fa.flow_style():
            frames.fa.set_block_style()
        held = _take_trailing_lines(frames)
        frames.append(new)
        if held:
            _give_trailing_lines(frames, held)
    else:
        raise FrameLifecycleError(f"cannot edit the asset file: {field} is not a list")
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _yaml(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    try:
        _, sequence, offset = load_yaml_guess_indent(text)
    except YAMLError:
        sequence, offset = None, None
    yaml.indent(mapping=2, sequence=sequence or 4, offset=offset if offset is not None else 2)
    return yaml


def _commented(value: Any) -> Any:
    """Plain dicts and lists as ruamel's round-trip types (a dict of verdicts on one line)."""
    if isinstance(value, dict):
        node = CommentedMap((k, _commented(v)) for k, v in value.items())
        if value and all(not isinstance(v, dict | list) for v in value.values()) and len(value) <= 4 and \
                all(isinstance(v, str) and len(v) < 20 for v in value.values()):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        return CommentedSeq(_commented(v) for v in value)
    return value


# -- comments after the last item -----------------------------------------------------------------
def _last_slot(node: Any) -> tuple[CommentedBase, Any, int] | None:
    """Where the comment that follows ``node``'s last line is kept: (node, key or index, position)."""
    if isinstance(node, CommentedSeq) and len(node) and not node.fa.flow_style():
        inner = _last_slot(node[-1])
        return inner or (node, len(node) - 1, 0)
    if isinstance(node, CommentedMap) and len(node) and not node.fa.flow_style():
        key = list(node)[-1]
        inner = _last_slot(node[key])
        return inner or (node, key, 2)
    return None


def _take_trailing_lines(frames: CommentedSeq) -> str:
    """Remove and return the comment lines after the last item's own line (its end-of-line
    comment stays with it)."""
    slot = _last_slot(frames)
    if slot is None:
        return ""
    owner, key, position = slot
    comments = owner.ca.items.get(key)
    token = comments[position] if comments and len(comments) > position else None
    if not isinstance(token, CommentToken) or "\n" not in token.value:
        return ""
    own, rest = token.value.split("\n", 1)
    if not rest.strip():
        return ""
    if own.strip():
        token.value = own + "\n"
    else:
        comments[position] = None
    return rest


def _give_trailing_lines(frames: CommentedSeq, lines: str) -> None:
    """Put comment ``lines`` after the (new) last item."""
    slot = _last_slot(frames)
    if slot is None:
        return
    owner, key, position = slot
    comments = owner.ca.items.setdefault(key, [None, None, None, None])
    comments[position] = CommentToken("\n" + lines, CommentMark(0), None)
