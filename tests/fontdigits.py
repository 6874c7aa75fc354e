"""Digits drawn with real fonts, as stand-ins for photos of handwriting.

The fonts are the ones matplotlib ships (DejaVu, STIX, Computer Modern), so the
set is the same on every machine that installs the package. Each image varies
canvas size and shape, glyph size, stroke width, position, ink and background
colour (light and dark backgrounds, transparent canvases), noise and file format.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf",
         "DejaVuSerif-Italic.ttf", "STIXGeneral.ttf", "STIXGeneralBol.ttf", "cmss10.ttf")


@dataclass(frozen=True)
class FontDigit:
    path: Path
    digit: int
    font: str
    style: str  # e.g. "dark-on-light png", for failure messages


def render_digit(digit: int, font_file: str, rng: np.random.Generator) -> tuple[Image.Image, str]:
    """One digit in one font with random size, stroke, place and colours."""
    width, height = (int(v) for v in rng.integers(48, 360, size=2))
    size = int(min(width, height) * rng.uniform(0.4, 0.9))
    stroke = int(rng.integers(0, max(1, size // 18) + 1))
    font = ImageFont.truetype(str(FONT_DIR / font_file), size)
    light_bg = bool(rng.random() < 0.6)
    bg_level, ink_level = (rng.integers(190, 256), rng.integers(0, 90)) if light_bg else \
        (rng.integers(0, 70), rng.integers(170, 256))
    tint = rng.integers(-30, 31, size=3)
    bg = tuple(int(v) for v in np.clip(bg_level + tint, 0, 255))
    ink = tuple(int(v) for v in np.clip(ink_level - tint, 0, 255))
    transparent = bool(rng.random() < 0.15)
    img = Image.new("RGBA" if transparent else "RGB", (width, height),
                    (0, 0, 0, 0) if transparent else bg)
    draw = ImageDraw.Draw(img)
    left, top, right, bottom = draw.textbbox((0, 0), str(digit), font=font, stroke_width=stroke)
    x = rng.integers(-left, max(-left + 1, width - right))
    y = rng.integers(-top, max(-top + 1, height - bottom))
    fill = (*ink, 255) if transparent else ink
    draw.text((int(x), int(y)), str(digit), font=font, fill=fill, stroke_width=stroke,
              stroke_fill=fill)
    look = "transparent" if transparent else "dark-on-light" if light_bg else "light-on-dark"
    style = f"{look} {width}x{height} size {size} stroke {stroke}"
    if not transparent and rng.random() < 0.3:
        noisy = np.asarray(img, dtype=np.float64) + rng.normal(0, 12, (height, width, 3))
        img = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
        style += " noise"
    return img, style


def write_font_digits(directory: Path, seed: int = 0, fonts: tuple[str, ...] = FONTS,
                      variants: int = 1) -> list[FontDigit]:
    """Render every digit 0-9 ``variants`` times in every font into ``directory``,
    as PNG or JPEG; returns what was written, in order."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for font_file, variant, digit in itertools.product(fonts, range(variants), range(10)):
        img, style = render_digit(digit, font_file, rng)
        jpeg = img.mode == "RGB" and rng.random() < 0.5
        stem = f"{Path(font_file).stem}-{variant}-{digit}"
        path = directory / f"{stem}.{'jpg' if jpeg else 'png'}"
        img.save(path, **({"quality": int(rng.integers(60, 95))} if jpeg else {}))
        out.append(FontDigit(path, digit, font_file, f"{style} {path.suffix[1:]}"))
    return out
