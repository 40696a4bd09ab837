"""TEMPORARY stand-ins for composer.files / composer.images until they land on main. Not committed."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from composer.errors import ComposerError


def write_bytes(path: Path, data: bytes, *, durable: bool) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def cannot_write(path: Path, exc: OSError) -> str:
    return f"cannot write {path}: {exc.strerror or exc}"


def thumbnail(path: Path, box: tuple[int, int]) -> Image.Image:
    try:
        with Image.open(path) as image:
            image.draft("RGB", box)
            image.thumbnail(box, reducing_gap=2.0)
            return image.convert("RGB")
    except OSError as exc:
        raise ComposerError(f"{path}: broken image data ({exc})") from None
