"""Reference-frame facts for the TUI: file, size, pixel dimensions and a tiny colour preview.

The preview is drawn with half-block characters (one cell = two pixels, top one as foreground,
bottom as background), which every terminal Textual runs in can show; terminals without true
colour get Textual's nearest colours. Decoding a large photo is slow, so results are cached by
file stamp and the TUI computes them in a worker. No Textual import here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rich.style import Style
from rich.text import Text

from composer.errors import ImageError

PREVIEW_COLUMNS = 24
PREVIEW_ROWS = 8


@dataclass(frozen=True)
class FrameInfo:
    """What the frames panel shows for one reference frame."""

    path: Path
    bytes: int
    width: int | None
    height: int | None
    preview: Text | None
    problem: str | None = None
    """Why there are no dimensions or preview (the file could not be decoded)."""

    def size_label(self) -> str:
        size = f"{self.bytes / 1024:,.1f} KB" if self.bytes < 1_048_576 else f"{self.bytes / 1_048_576:,.1f} MB"
        if self.width and self.height:
            return f"{self.width}x{self.height} px, {size}"
        return size


def describe_frame(path: Path, columns: int = PREVIEW_COLUMNS, rows: int = PREVIEW_ROWS) -> FrameInfo:
    """Facts and preview of one frame; a file Pillow cannot read yields a ``problem``, not an error."""
    try:
        stat = path.stat()
    except OSError as exc:
        return FrameInfo(path, 0, None, None, None, f"cannot read ({exc.strerror})")
    return _describe(path, stat.st_mtime_ns, stat.st_size, columns, rows)


@lru_cache(maxsize=64)
def _describe(path: Path, _mtime_ns: int, size: int, columns: int, rows: int) -> FrameInfo:
    from composer import images  # imported here: only the frames panel needs Pillow

    try:  # never a FIFO, a bomb or a broken file; JPEGs decoded at reduced scale
        facts = images.probe(path)
        thumb = images.thumbnail(path, (columns, rows * 2))
    except ImageError as exc:
        return FrameInfo(path, size, None, None, None, f"no preview ({exc.reason})")
    return FrameInfo(path, size, facts.width, facts.height, _half_blocks(thumb))


def _half_blocks(image: object) -> Text:
    """Pixels to text: each cell shows two vertically stacked pixels with '▀'."""
    from PIL import Image

    assert isinstance(image, Image.Image)
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    text = Text()
    for y in range(0, height, 2):
        for x in range(width):
            top = pixels[x, y]
            bottom = pixels[x, y + 1] if y + 1 < height else None
            text.append("▀", Style(color=_hex(top), bgcolor=_hex(bottom) if bottom else None))
        if y + 2 < height:
            text.append("\n")
    return text


def _hex(pixel: object) -> str:
    r, g, b = pixel if isinstance(pixel, tuple) else (pixel, pixel, pixel)
    return f"#{int(r):02x}{int(g):02x}{int(b):02x}"
