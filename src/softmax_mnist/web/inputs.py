"""What a request asks for: its query parameters and its body as one MNIST-style image.

Every mistake is an ``HTTPException`` with a status in the 4xx and a message saying
what to send instead; nothing here touches the file system. The body is either

- an image file's bytes, any format Pillow reads: prepared exactly as
  ``softmax-mnist predict`` prepares files (:func:`softmax_mnist.predict.prepare_digit`);
- a JSON 28×28 array of numbers 0…255: an MNIST-style image (white ink on black),
  taken as it is — a row of the MNIST files gets the same answer as ``Model.predict``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from starlette.exceptions import HTTPException

from ..data.registry import IMAGE_SIDE
from ..predict import ImageError, decode_gray, prepare_digit

MAX_BODY = 5 * 1024 * 1024
"""Largest request body in bytes; more is refused with 413 while it is being read."""
MAX_PIXELS = 25_000_000
"""Largest image decoded, in pixels (a JPEG counts at the 1/2…1/8 size it is decoded at)."""
PREDICT_PARAMETERS = ("model", "top", "evidence")
SEND = ("send an image file's bytes as the body (curl --data-binary @digit.png), or a JSON "
        f"{IMAGE_SIDE}×{IMAGE_SIDE} array of numbers 0…255")


@dataclass(frozen=True)
class PredictQuery:
    """``POST /api/predict?model=NAME&top=K&evidence=top|all|none|3,8``.

    Attributes:
        model: the served model's name, None for the first one.
        top: how many classes ``top`` lists.
        evidence: "top" (the predicted class) or the class labels to explain.
    """

    model: str | None
    top: int
    evidence: str | tuple[int, ...]

    def labels(self, prediction: int) -> list[int]:
        """The classes to explain, given the predicted one."""
        return [prediction] if self.evidence == "top" else list(self.evidence)


def predict_query(params: Mapping[str, str], num_classes: int) -> PredictQuery:
    """Check the query of a predict request; 400 for unknown or bad parameters."""
    unknown = sorted(set(params) - set(PREDICT_PARAMETERS))
    if unknown:
        raise HTTPException(400, f"unknown query parameter {unknown[0]!r}; the parameters "
                                 f"are {', '.join(PREDICT_PARAMETERS)}.")
    top = params.get("top", "3")
    if not (top.isdecimal() and 1 <= int(top) <= num_classes):
        raise HTTPException(400, f"top must be a whole number 1 … {num_classes}, got {top!r}.")
    return PredictQuery(params.get("model"), int(top),
                        _evidence(params.get("evidence", "top"), num_classes))


def _evidence(text: str, num_classes: int) -> str | tuple[int, ...]:
    if text in ("top", "all", "none"):
        return {"top": "top", "all": tuple(range(num_classes)), "none": ()}[text]
    labels = [t.strip() for t in text.split(",")]
    if not all(t.isdecimal() and int(t) < num_classes for t in labels) or len(labels) > 100:
        raise HTTPException(400, f"evidence must be top, all, none or class labels 0 … "
                                 f"{num_classes - 1} separated by commas, got {text[:40]!r}.")
    return tuple(dict.fromkeys(int(t) for t in labels))


def image_from_body(body: bytes, content_type: str,
                    max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """A request body -> (784,) the MNIST-style image to classify (see the module):
    uint8 from an image file, float32 from JSON."""
    media = content_type.partition(";")[0].strip().lower()
    if not body:
        raise HTTPException(400, f"empty body: {SEND}.")
    if media == "multipart/form-data":
        raise HTTPException(415, f"a form upload is not read: {SEND}.")
    if media == "application/json" or body.lstrip()[:1] in (b"[", b"{"):
        return image_from_json(body)
    try:
        return prepare_digit(decode_gray(body, "the body", max_pixels))
    except ImageError as exc:
        raise HTTPException(400, str(exc)) from None


def image_from_json(body: bytes) -> np.ndarray:
    """A JSON 28×28 array of numbers 0…255 -> (784,) float32 (the model's own precision:
    whole numbers give exactly the answers of uint8 images); anything else is a 400."""
    try:
        value = json.loads(body, parse_constant=_no_constants)
    except RecursionError:
        raise HTTPException(400, "malformed JSON: nested too deeply.") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, NaN/Infinity
        raise HTTPException(400, f"malformed JSON: {exc}.") from None
    if not _is_grid(value):
        raise HTTPException(400, f"expected a JSON {IMAGE_SIDE}×{IMAGE_SIDE} array (a list of "
                                 f"{IMAGE_SIDE} rows of {IMAGE_SIDE} numbers 0…255), got "
                                 f"{_describe(value)}.")
    pixels = [v for row in value for v in row]
    if not all(type(v) in (int, float) for v in pixels):
        raise HTTPException(400, "every pixel must be a number 0…255 (no strings, booleans, "
                                 "null or lists).")
    try:
        image = np.array(pixels, dtype=np.float64)
    except OverflowError:
        image = np.array([np.inf])
    if not (np.isfinite(image).all() and image.min() >= 0 and image.max() <= 255):
        raise HTTPException(400, "every pixel must be a finite number 0…255.")
    return image.astype(np.float32)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _is_grid(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == IMAGE_SIDE
            and all(isinstance(row, list) and len(row) == IMAGE_SIDE for row in value))


def _describe(value: Any) -> str:
    if isinstance(value, list):
        rows = {len(r) if isinstance(r, list) else None for r in value[:IMAGE_SIDE + 1]}
        return (f"{len(value)} rows of {rows.pop()}" if len(rows) == 1 and None not in rows
                else f"a list of {len(value)} items")
    kinds = {dict: "an object", str: "a string", bool: "a boolean", type(None): "null"}
    return kinds.get(type(value), "a number")

