"""Hostile image files, built byte by byte: bombs, broken streams, bad animation chunks."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image


def chunk(kind: bytes, data: bytes, *, crc: int | None = None) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) if crc is None else crc)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png(width: int, height: int, idat: bytes, *, extra: bytes = b"", colour_type: int = 2) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def png_bomb(width: int, height: int) -> bytes:
    """A small PNG whose header declares ``width`` x ``height`` RGB pixels (zeros compress ~1000:1)."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + 3 * width)
    data = b"".join(compressor.compress(row) for _ in range(min(height, 64))) + compressor.flush()
    return png(width, height, data)


def good_png(size: tuple[int, int] = (8, 8), colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def broken_stream_png() -> bytes:
    """Valid chunks and CRCs, but the IDAT is not a zlib stream."""
    return png(8, 8, b"\x78\x9c this is not deflate data at all")


def bad_crc_png() -> bytes:
    data = good_png()
    return data[:-20] + bytes([data[-20] ^ 0xFF]) + data[-19:]  # one byte of the IDAT's CRC flipped


def truncated_png() -> bytes:
    data = good_png((64, 64))
    return data[: len(data) // 2]


def bad_animation_png() -> bytes:
    """An APNG that promises two frames (acTL) but carries one, with a frame control chunk that is too short."""
    raw = zlib.compress(b"".join(b"\0" + b"\x80" * 24 for _ in range(8)))
    actl = chunk(b"acTL", struct.pack(">II", 2, 0))
    fctl = chunk(b"fcTL", b"\0\0\0\0\0\0\0\x08")
    return png(8, 8, raw, extra=actl + fctl)


def gif_bomb() -> bytes:
    """A GIF whose logical screen is 65535 x 65535 (GIF is not one of composer's formats at all)."""
    return b"GIF89a" + struct.pack("<HHBBB", 65535, 65535, 0, 0, 0) + b",\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;"


def big_jpeg(path: Path, size: tuple[int, int]) -> Path:
    Image.new("RGB", size, (30, 90, 160)).save(path, "JPEG", quality=60)
    return path
