"""Recognise digits in your own image files, prepared the way MNIST itself was made.

MNIST's digits are white ink on black, fitted into a 20×20 box keeping the aspect
ratio and centred by their centre of mass in a 28×28 field. A phone photo or a
paint-program drawing is brought into the same form before the model sees it:

1. read the file with Pillow (PNG, JPEG, BMP, GIF, TIFF, WebP …), apply the EXIF
   rotation of phone photos, and make it grayscale — a transparent background
   counts as background, the opaque strokes as ink;
2. estimate the background from the image border and invert when it is light,
   so that ink is bright and the background 0;
3. stretch the ink to [0, 1] and zero the faint rest (paper texture, JPEG noise);
4. crop to the ink's bounding box and resize it to fit into 20×20, keeping the
   aspect ratio (anti-aliased, as MNIST's were); on the way, at 80×80, thin or
   thicken the strokes towards MNIST's typical width (2 pixels at 28×28), because a
   bold font or a fine pen otherwise looks unlike any training digit;
5. paste it into 28×28 so that its centre of mass lands on the centre.

Every step is a few vectorised NumPy operations on the whole image.

Example::

    from softmax_mnist import Model
    from softmax_mnist.predict import predict_files
    model = Model.load("runs/mlp/model.npz")
    for p in predict_files(model, ["seven.png"]):
        print(p.file, p.prediction, p.top)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from .data import IMAGE_SIDE
from .fileio import atomic_path, describe_os_error, printable
from .imagefile import ImageError, border, decode_gray, gray_from_image, load_gray
from .model import Model

__all__ = ["ImageError", "Prediction", "decode_gray", "gray_from_image", "load_gray",
           "predict_files", "predict_images", "prepare_digit", "prepare_files",
           "save_prepared"]

SIDE = IMAGE_SIDE  # MNIST images are 28×28 …
BOX = 20  # … with the digit fitted into a 20×20 box inside them
MIN_CONTRAST = 24  # gray levels between background and ink below which there is no digit
INK_FLOOR = 0.25  # after stretching the ink to [0, 1], values below this are background
STROKE = 2.0  # median stroke width of MNIST digits in pixels, measured as in stroke_width()
UPSAMPLE = 4  # strokes are normalised at 4 × the final size (80×80)
MAX_DILATE = 4  # thicken hairlines by at most 4 × 2 pixels at 80×80 (2 pixels at 20×20)


@dataclass(frozen=True)
class Prediction:
    """What the model says about one image file.

    Attributes:
        file: the path as given.
        prediction: index of the most probable class (the digit itself for MNIST).
        top: the ``k`` most probable classes as ``(index, class name, probability)``,
            most probable first.
    """

    file: str
    prediction: int
    top: list[tuple[int, str, float]]

    def to_dict(self) -> dict:
        """JSON-ready: ``{"file", "prediction", "top": [{"label", "class", "probability"}]}``."""
        return {"file": self.file, "prediction": self.prediction,
                "top": [{"label": i, "class": name, "probability": p}
                        for i, name, p in self.top]}

    def describe(self) -> str:
        """One line: ``seven.png: 7  (7 97.1%, 1 1.9%, 9 0.4%)``."""
        ranked = ", ".join(f"{name} {p:.1%}" for _, name, p in self.top)
        return f"{self.file}: {self.top[0][1]}  ({ranked})"


# -- preparing ----------------------------------------------------------------------------

def ink_map(gray: np.ndarray) -> np.ndarray:
    """gray: (H, W) levels 0..255 -> ink: (H, W) in [0, 1], background exactly 0.

    The background level is the median of the border pixels; a light background is
    inverted. Raises ImageError when nothing stands out from the background.
    """
    background = float(np.median(border(gray)))
    ink = background - gray if background >= 128 else gray - background
    peak = float(ink.max())
    if peak < MIN_CONTRAST:
        raise ImageError("no digit found: the image is (almost) uniform.")
    ink = np.clip(ink / peak, 0, 1)
    return np.where(ink >= INK_FLOOR, (ink - INK_FLOOR) / (1 - INK_FLOOR), 0.0)


def crop_to_ink(ink: np.ndarray, level: float = 0.5) -> np.ndarray:
    """ink: (H, W) in [0, 1] -> the smallest (h, w) window holding every pixel above
    ``level`` (the faint anti-aliased rim outside it is dropped: MNIST's digits
    were binary when they were fitted into their box, so their ink reaches its edge)."""
    mask = ink > level
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def resize_longer_side(a: np.ndarray, side: int) -> np.ndarray:
    """a: (h, w) -> (h', w') with max(h', w') == side, aspect ratio kept, anti-aliased."""
    h, w = a.shape
    scale = side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # Pillow wants (w, h)
    resized = Image.fromarray(a.astype(np.float32)).resize(size, Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized, dtype=np.float64), 0, None)


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary mask: (h, w), as 2 · area / perimeter, in pixels.

    A stroke of width w and length L covers w·L pixels and has a boundary ≈ 2L long.
    """
    m = mask.astype(np.int8)
    perimeter = np.abs(np.diff(m, axis=0)).sum() + np.abs(np.diff(m, axis=1)).sum()
    return 2 * float(m.sum()) / max(int(perimeter), 1)


def normalize_stroke(ink: np.ndarray, target: float) -> np.ndarray:
    """Thin or thicken the strokes of ink: (h, w) towards ``target`` pixels wide.

    Each 3×3 erosion (dilation) makes strokes 2 pixels thinner (thicker); erosion
    stops at a third of the width so that thin parts of a glyph survive.
    """
    width = stroke_width(ink > 0.5)
    steps = round((width - target) / 2)
    steps = int(np.clip(steps, -MAX_DILATE, int(width / 6)))
    img = Image.fromarray(ink.astype(np.float32))
    morph = ImageFilter.MinFilter(3) if steps > 0 else ImageFilter.MaxFilter(3)
    for _ in range(abs(steps)):
        img = img.filter(morph)
    return np.asarray(img, dtype=np.float64)


def fit_box(ink: np.ndarray, box: int = BOX, stroke: float | None = STROKE) -> np.ndarray:
    """Crop ink: (H, W) to the digit and resize it so the longer side is ``box``.

    With ``stroke`` (pixels at the final size), the strokes are first brought to
    that width at ``UPSAMPLE`` times the final size, so that thin pens and bold
    fonts look like MNIST's strokes. Returns (h, w) float64 in [0, 1],
    max(h, w) == box, aspect ratio kept.
    """
    crop = crop_to_ink(ink)
    if stroke is not None:
        big = normalize_stroke(resize_longer_side(crop, box * UPSAMPLE), stroke * UPSAMPLE)
        crop = crop_to_ink(big) if big.max() > 0.5 else big
    out = resize_longer_side(crop, box)
    return out / out.max() if out.max() > 0 else out


def center_of_mass(a: np.ndarray) -> tuple[float, float]:
    """(row, column) of the intensity-weighted mean position in a: (h, w)."""
    total = a.sum()
    return (float(a.sum(axis=1) @ np.arange(a.shape[0]) / total),
            float(a.sum(axis=0) @ np.arange(a.shape[1]) / total))


def place_centered(patch: np.ndarray, side: int = SIDE) -> np.ndarray:
    """Paste patch: (h, w) into a (side, side) zero field with its centre of mass at
    pixel (side/2, side/2), as in MNIST (whole-pixel shift, clipped at the edges)."""
    field = np.zeros((side, side))
    r, c = center_of_mass(patch)
    mid = side / 2  # where MNIST's centres of mass are: 14.0 ± 0.3 in pixel indices
    top, left = round(mid - r), round(mid - c)
    h, w = patch.shape
    r0, c0, r1, c1 = max(top, 0), max(left, 0), min(top + h, side), min(left + w, side)
    field[r0:r1, c0:c1] = patch[r0 - top:r1 - top, c0 - left:c1 - left]
    return field


def prepare_digit(gray: np.ndarray) -> np.ndarray:
    """gray: (H, W) levels 0..255, any size -> (784,) uint8, an MNIST-style image."""
    field = place_centered(fit_box(ink_map(gray)))
    return np.round(field * 255).astype(np.uint8).reshape(-1)


def prepare_files(paths: Sequence[str | os.PathLike[str]]) -> np.ndarray:
    """Image files -> X: (N, 784) uint8, one MNIST-style row per file, in order."""
    rows = []
    for path in paths:
        try:
            rows.append(prepare_digit(load_gray(path)))
        except ImageError as exc:
            msg = str(exc)
            raise ImageError(msg if msg.startswith(str(path)) else f"{path}: {msg}") from None
    return np.stack(rows) if rows else np.zeros((0, SIDE * SIDE), np.uint8)


def save_prepared(X: np.ndarray, names: Sequence[str],
                  out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write each row of X: (N, 784) uint8 as a 28×28 PNG named after ``names``
    (``seven.png`` -> ``seven.28x28.png``; a repeated name gets ``-2``, ``-3`` …).
    Returns the files written."""
    out = Path(out_dir)
    where = printable(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ImageError(f"{where} is a file; --save-prepared takes a folder.") from None
    except OSError as exc:
        raise ImageError(f"cannot create {where}: {describe_os_error(exc)}.") from None
    written, taken = [], set()
    for row, name in zip(X, names, strict=True):
        stem, k = Path(name).stem or "image", 2
        target = f"{stem}.28x28.png"
        while target in taken:
            target, k = f"{stem}-{k}.28x28.png", k + 1
        taken.add(target)
        try:
            with atomic_path(out / target) as tmp:
                Image.fromarray(row.reshape(SIDE, SIDE)).save(tmp, format="PNG")
        except OSError as exc:
            raise ImageError(f"cannot write into {where}: {describe_os_error(exc)}.") \
                from None
        written.append(out / target)
    return written


# -- predicting ---------------------------------------------------------------------------

def predict_images(model: Model, X: np.ndarray, files: Sequence[str],
                   k: int = 3) -> list[Prediction]:
    """Top-``k`` predictions for prepared images X: (N, 784) uint8 (the model applies its
    own preprocessing, PCA and pooling included)."""
    proba = model.predict_proba(X).astype(np.float64)
    order = np.argsort(-proba, axis=1, kind="stable")[:, :max(1, k)]
    return [Prediction(str(f), int(idx[0]),
                       [(int(i), model.classes[i], float(p[i])) for i in idx])
            for f, p, idx in zip(files, proba, order, strict=True)]


def predict_files(model: Model, paths: Sequence[str | os.PathLike[str]],
                  k: int = 3) -> list[Prediction]:
    """Read, prepare and classify image files; one Prediction per file, in order."""
    return predict_images(model, prepare_files(paths), [str(p) for p in paths], k)
