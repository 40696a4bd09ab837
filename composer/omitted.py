"""What a target's template leaves out: the deltas a shot sets that the template never reads.

A template is free to use only part of a shot: the Sora motion template (``motion.txt.j2``) says
nothing of counts, left-to-right order, composition or notes, because a short cinematic prompt
animates a first frame that already shows them. Leaving them out silently would let a designer
believe a clip honours "exactly 4 candles". So the template reads the shot's deltas through a
``ReadDeltas`` mapping that remembers every field it looked at, and ``left_out`` reports each set
field the template never read, one line each, as the guard reports its cuts
(``Brief.dropped``: the stderr summary, ``--format json`` and every exported ``.json``/``.md``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

NOT_FOR_THE_PROMPT = frozenset({"lint_exceptions"})
"""Delta fields that are never part of a prompt (they are for lint), so never reported."""


class ReadDeltas(dict[str, Any]):
    """The template's ``deltas``: a plain dict that records which fields the template read.

    Jinja reads ``deltas.counts`` (attribute syntax falls back to item lookup on a dict subclass),
    ``deltas["counts"]`` and ``deltas.get("counts")`` through ``__getitem__``/``get``; walking the
    whole mapping (``items()``, a ``for`` loop, ``tojson``) counts as reading every field.
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.read.add(key)
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def _all(self) -> None:
        self.read.update(super().keys())

    def __iter__(self) -> Iterator[str]:
        self._all()
        return super().__iter__()

    def items(self) -> Any:
        self._all()
        return super().items()

    def values(self) -> Any:
        self._all()
        return super().values()

    def keys(self) -> Any:
        self._all()
        return super().keys()


def left_out(set_fields: Mapping[str, Any], deltas: ReadDeltas, template: str) -> list[str]:
    """One line per delta the shot sets (non-empty) that ``template`` never read, in field order."""
    return [f"deltas.{name} left out ({template} does not use it)"
            for name, value in set_fields.items()
            if value not in (None, "", []) and name not in NOT_FOR_THE_PROMPT and name not in deltas.read]
