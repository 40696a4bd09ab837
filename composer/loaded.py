"""``Loaded``: an asset as loaded, its model and the file it came from (and, for a brand resolved
through ``extends``, how it was merged). Its own module, so ``library`` and ``brands`` both build on
it without importing each other both ways."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from composer.render import plain_text

if TYPE_CHECKING:
    from composer.brands import MergeInfo

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """An asset as loaded: its model and where it came from."""

    kind: str
    id: str
    path: Path
    sha256: str
    model: M
    merged: MergeInfo | None = field(default=None, compare=False, repr=False)
    """For a brand resolved through ``extends``: its parents and which level set each value."""

    @property
    def parents(self) -> tuple[Loaded[Any], ...]:
        """For a merged brand, the files it was merged from, nearest first; otherwise none."""
        return self.merged.chain if self.merged is not None else ()

    def source(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id, "path": str(self.path), "sha256": self.sha256}

    def sources(self) -> list[dict[str, str]]:
        """This file and, for a merged brand, every parent file it was merged from."""
        return self._sources

    @cached_property
    def _sources(self) -> list[dict[str, str]]:
        return [self.source(), *(p.source() for p in self.parents)]

    @cached_property
    def context(self) -> dict[str, Any]:
        """The asset as template data: plain dicts and lists, made once per load."""
        return {"id": self.id, **plain_text(self.model.model_dump())}
