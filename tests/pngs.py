"""Huge PNG files for the adversarial tests, written row by row: a 30,000×30,000 image is
a ~110 kB file whose pixels never exist in memory (Image.new would take 900 MB)."""

from __future__ import annotations

import functools
import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


@functools.cache
def blank_png(width: int, height: int, bit_depth: int = 1) -> bytes:
    """A valid grayscale PNG of width×height black pixels (1 or 8 bits a pixel)."""
    row = b"\0" * (1 + (width * bit_depth + 7) // 8)  # filter byte 0, then the pixels
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
