"""Digits as pen strokes, the way a person draws them on the page's pad.

Each digit is a list of strokes; a stroke is a polyline of (x, y) points in the unit
square (x to the right, y down). The browser tests move the mouse along them; ``render``
draws them with Pillow, as the pad would, for tests that need no browser.
"""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

Stroke = list[tuple[float, float]]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float,
        n: int = 24) -> Stroke:
    """Points on an ellipse from angle ``start`` to ``end`` (degrees, 0 = right, 90 = down)."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in (start + (end - start) * i / n for i in range(n + 1))]


DIGITS: dict[int, list[Stroke]] = {
    0: [arc(0.5, 0.5, 0.26, 0.4, -90, 270, 36)],
    1: [[(0.42, 0.2), (0.55, 0.1), (0.55, 0.9)]],
    2: [[*arc(0.5, 0.3, 0.24, 0.2, 200, 370, 16), (0.25, 0.88), (0.8, 0.88)]],
    3: [arc(0.48, 0.3, 0.24, 0.19, 210, 450, 16) + arc(0.48, 0.68, 0.27, 0.21, -90, 150, 16)],
    4: [[(0.62, 0.88), (0.62, 0.1), (0.2, 0.62), (0.8, 0.62)]],
    5: [[(0.74, 0.12), (0.33, 0.12), (0.3, 0.45), *arc(0.5, 0.65, 0.26, 0.23, -130, 150, 18)]],
    6: [[(0.68, 0.1), (0.5, 0.2), (0.35, 0.4), *arc(0.5, 0.67, 0.2, 0.22, 180, 540, 30)]],
    7: [[(0.2, 0.14), (0.8, 0.14), (0.42, 0.9)]],
    8: [arc(0.5, 0.3, 0.18, 0.18, 90, 450, 28), arc(0.5, 0.7, 0.22, 0.2, -90, 270, 30)],
    9: [[*arc(0.5, 0.32, 0.22, 0.2, 0, 360, 28), (0.71, 0.4), (0.68, 0.9)]],
}
"""Each digit's strokes, roughly as they are written by hand."""

PAD = 280  # the page's pad: 280×280 pixels …
PEN = 18  # … and its pen width


def render(strokes: list[Stroke], side: int = PAD, pen: int = PEN) -> bytes:
    """PNG bytes of ``strokes`` drawn in dark ink on white, as on the page's pad."""
    img = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        points = [(x * side, y * side) for x, y in stroke]
        draw.line(points, fill=20, width=pen, joint="curve")
        for x, y in (points[0], points[-1]):
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=20)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
