"""TEMPORARY stand-ins for composer.files / composer.images until they land on main. Not committed."""

from __future__ import annotations

import os
from pathlib import Path

def write_bytes(path: Path, data: bytes, *, durable: bool) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)

def cannot_write(path: Path, exc: OSError) -> str:
    return f"cannot write {path}: {exc.strerror or exc}"
