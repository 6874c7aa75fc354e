"""Image files and bytes as grayscale arrays: the reading half of ``predict`` (and ``serve``).

Pillow reads the file (PNG, JPEG, BMP, GIF, TIFF, WebP …) with the decompression-bomb
check on, applies the EXIF rotation of phone photos and makes it grayscale: a transparent
canvas's opaque strokes are the ink; 16-bit, 32-bit and float images are brought to 0…255
from their own range. Every problem is an :class:`ImageError` whose message names the file.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import SoftmaxMnistError

MAX_SIDE = 1024  # larger photos are shrunk first: a 12-megapixel photo needs no more
REFUSED_FORMATS = frozenset({"EPS"})  # Pillow hands these to an external interpreter


class ImageError(SoftmaxMnistError):
    """An image file is missing, unreadable, or holds no visible digit."""


def load_gray(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file as grayscale: (H, W) float64 in 0..255 (see :func:`gray_from_image`)."""
    path = Path(path)
    if path.is_dir():
        raise ImageError(f"{path}: is a folder; give image files (e.g. {path}/*.png).")
    if not path.is_file():
        raise ImageError(f"{path}: no such image file.")
    return _read_gray(path, str(path))


def decode_gray(data: bytes, name: str = "image", max_pixels: int | None = None) -> np.ndarray:
    """Image bytes in any format Pillow reads -> grayscale (H, W) float64 in 0..255.

    ``max_pixels`` refuses larger images before their pixels are decoded (a JPEG counts
    at the reduced size it is decoded at); ``name`` starts the error messages.
    """
    return _read_gray(io.BytesIO(data), name, max_pixels)


def _read_gray(source: Path | BinaryIO, name: str, max_pixels: int | None = None) -> np.ndarray:
    """Open ``source`` with Pillow and make it gray; every failure is an ImageError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as img:
                if img.format in REFUSED_FORMATS:
                    raise ImageError(f"{name}: {img.format} images are not read (Pillow would "
                                     f"run Ghostscript on them); use PNG or JPEG.")
                img.draft(None, (MAX_SIDE, MAX_SIDE))  # JPEG: decode at 1/2, 1/4 or 1/8 size
                width, height = img.size
                if max_pixels is not None and width * height > max_pixels:
                    raise ImageError(f"{name}: image too large ({width}×{height} pixels; at "
                                     f"most {max_pixels:,} are read). Shrink it first.")
                return gray_from_image(img)
    except UnidentifiedImageError:
        raise ImageError(f"{name}: not an image file (Pillow reads PNG, JPEG, BMP, GIF, "
                         f"TIFF, WebP …).") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        size = re.search(r"\((\d+) pixels\)", str(exc))
        what = f"{int(size[1]):,} pixels" if size else _first_line(exc)
        raise ImageError(f"{name}: image too large to read safely ({what}: a decompression "
                         f"bomb?).") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:  # truncated or damaged data
        raise ImageError(f"{name}: cannot read the image ({_first_line(exc)}).") from None


def gray_from_image(img: Image.Image) -> np.ndarray:
    """A Pillow image -> grayscale (H, W) float64 in 0..255, at most MAX_SIDE on a side.

    The EXIF rotation of phone photos is applied. Transparent pixels become black
    (background) and opaque ones keep their brightness when the image's border is
    transparent, so a digit drawn on a transparent canvas works whatever its colour.
    """
    img = ImageOps.exif_transpose(img)
    img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BOX)
    return _to_gray(img)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _to_gray(img: Image.Image) -> np.ndarray:
    """A Pillow image -> (H, W) float64 gray levels 0..255 (16-bit, 32-bit and float
    images are brought to that range from their own: 0…65535, 0…1)."""
    if img.mode.startswith(("I", "F")):
        return _wide_to_gray(np.asarray(img, dtype=np.float64), img.mode)
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (
        img.mode == "P" and "transparency" in img.info)
    if has_alpha:
        rgba = np.asarray(img.convert("RGBA"), dtype=np.float64)
        alpha = rgba[..., 3] / 255
        if np.median(border(alpha)) < 0.5:  # transparent canvas: ink is what is opaque
            return alpha * 255
        gray = np.asarray(img.convert("RGBA").convert("L"), dtype=np.float64)
        return gray * alpha + 255 * (1 - alpha)  # over white paper
    return np.asarray(img.convert("L"), dtype=np.float64)


def _wide_to_gray(a: np.ndarray, mode: str) -> np.ndarray:
    """Levels of a 16-bit (``I;16``), 32-bit (``I``) or float (``F``) image -> 0..255."""
    a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
    if a.ndim == 3:  # e.g. I;16 with an alpha band read as two planes
        a = a[..., 0]
    peak = float(a.max()) if a.size else 0.0
    if mode.startswith("I;16") or (mode == "I" and 255 < peak <= 65535):
        return a * (255 / 65535)
    if mode == "F" and peak <= 1.0:
        return np.clip(a, 0, 1) * 255
    return np.clip(a * (255 / peak), 0, 255) if peak > 255 else np.clip(a, 0, 255)


def border(a: np.ndarray) -> np.ndarray:
    """The outermost rows and columns of a: (H, W), as one flat array."""
    return np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
