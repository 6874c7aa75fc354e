"""A network's architecture as text, and the layers it stands for.

    conv:32:5,pool:2,conv:64:5,pool:2,fc:128,dropout:0.5

reads from the input to the output layer, which is implied (an ``FCLayer`` with one
unit per class):

- ``conv:F:K`` — F filters of K×K, stride 1, zero padding "same" (``conv:F:K:valid``
  pads nothing), then the activation;
- ``pool:S`` — S×S max pooling with stride S;
- ``fc:M`` — a fully connected layer of M units, then the activation;
- ``dropout:P`` — inverted dropout of rate P (while training only).

conv and pool layers come before the fc layers: the network turns its input rows
(N, S·S) into one-channel S×S images before the first of them and the feature maps back
into rows before the first fc layer. ``--hidden 512,256`` is ``fc:512,fc:256``; the
empty text is softmax regression.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

from .conv import (
    PADDINGS,
    Conv2D,
    Flatten,
    MaxPool2D,
    Unflatten,
    conv_output_shape,
    pool_output_shape,
)
from .layers import ACTIVATIONS, DTYPE, Dropout, FCLayer, Layer, ReLU

MAX_UNITS = 16384  # per fc layer: 13M weights from 784 pixels, minutes an epoch
MAX_FILTERS = 1024  # per conv layer
MAX_KERNEL = 32  # larger than the image: nothing to slide
MAX_PARAMETERS = 1 << 25  # 33M: 134 MB of float32 weights, four times that while training


class Spec:
    """One layer of an architecture: its ``kind`` and its values, as dataclass fields."""

    kind: ClassVar[str]

    @property
    def token(self) -> str:
        """How the text writes it: ``kind:value:…``, a value at its default left out."""
        values = [getattr(self, f.name) for f in fields(self)  # type: ignore[arg-type]
                  if getattr(self, f.name) != f.default]
        return ":".join([self.kind, *(f"{v:g}" if isinstance(v, float) else str(v)
                                      for v in values)])


@dataclass(frozen=True)
class ConvSpec(Spec):
    kind: ClassVar[str] = "conv"
    filters: int
    size: int
    padding: str = "same"


@dataclass(frozen=True)
class PoolSpec(Spec):
    kind: ClassVar[str] = "pool"
    size: int


@dataclass(frozen=True)
class FCSpec(Spec):
    kind: ClassVar[str] = "fc"
    units: int


@dataclass(frozen=True)
class DropoutSpec(Spec):
    kind: ClassVar[str] = "dropout"
    rate: float


LayerSpec = ConvSpec | PoolSpec | FCSpec | DropoutSpec
USAGE = "conv:F:K[:valid], pool:S, fc:M, dropout:P"


def _whole(token: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ValueError(f"{token!r}: {text!r} must be a whole number in [{low}, {high}].")
    return value


def parse_layer(token: str) -> LayerSpec:
    """``"conv:32:5"`` -> ConvSpec(32, 5); ValueError saying what is wrong."""
    kind, *args = [part.strip() for part in token.strip().lower().split(":")]
    if kind == "conv" and len(args) in (2, 3):
        padding = args[2] if len(args) == 3 else "same"
        if padding not in PADDINGS:
            raise ValueError(f"{token!r}: the padding must be {' or '.join(PADDINGS)}, "
                             f"got {padding!r}.")
        return ConvSpec(_whole(token, args[0], 1, MAX_FILTERS),
                        _whole(token, args[1], 1, MAX_KERNEL), padding)
    if kind == "pool" and len(args) == 1:
        return PoolSpec(_whole(token, args[0], 2, MAX_KERNEL))
    if kind == "fc" and len(args) == 1:
        return FCSpec(_whole(token, args[0], 1, MAX_UNITS))
    if kind == "dropout" and len(args) == 1:
        try:
            rate = float(args[0])
        except ValueError:
            rate = math.nan
        if not 0 <= rate < 1:
            raise ValueError(f"{token!r}: a dropout rate must be a number in [0, 1).")
        return DropoutSpec(rate)
    if kind in ("conv", "pool", "fc", "dropout"):
        raise ValueError(f"{token!r} has the wrong number of values; layers are {USAGE}.")
    raise ValueError(f"unknown layer {token.strip()!r}; layers are {USAGE}.")


def parse_architecture(text: str) -> tuple[LayerSpec, ...]:
    """``"conv:32:5,pool:2,fc:128"`` -> layer specs; ValueError for anything malformed,
    or for a conv or pool layer after an fc layer."""
    tokens = text.split(",") if text.strip() else []  # "": softmax regression
    if any(not t.strip() for t in tokens):
        raise ValueError(f"{text!r} has an empty layer between commas; write {USAGE}.")
    specs = tuple(parse_layer(t) for t in tokens)
    seen_fc = False
    for spec in specs:
        seen_fc = seen_fc or isinstance(spec, FCSpec)
        if seen_fc and isinstance(spec, ConvSpec | PoolSpec):
            raise ValueError(f"{spec.token!r} comes after an fc layer; conv and pool layers "
                             f"work on images and come first.")
    return specs


def architecture_text(specs: Sequence[LayerSpec]) -> str:
    """The canonical text of ``specs`` (what :func:`parse_architecture` reads back)."""
    return ",".join(spec.token for spec in specs)


def is_convolutional(specs: Sequence[LayerSpec]) -> bool:
    return any(isinstance(s, ConvSpec | PoolSpec) for s in specs)


def image_shape(num_input: int) -> tuple[int, int, int]:
    """(1, S, S) for rows of S·S values; ValueError when they are not square images."""
    side = math.isqrt(num_input)
    if side * side != num_input:
        raise ValueError(f"conv and pool layers need square images, but the network's "
                         f"input rows hold {num_input} values (after --preprocess: "
                         f"pca makes rows that are no images).")
    return 1, side, side


def walk(specs: Sequence[LayerSpec], num_input: int, num_classes: int,
         ) -> list[tuple[LayerSpec, tuple[int, ...], tuple[int, ...]]]:
    """(spec, input shape, output shape) of every layer of ``specs`` and the output layer,
    per sample: (C, H, W) for images, (D,) for rows. ValueError when the input rows are
    not square images for conv layers, or a pool or 'valid' conv layer leaves nothing."""
    image = image_shape(num_input) if is_convolutional(specs) else None
    shape: tuple[int, ...] = image or (num_input,)
    steps = []
    for spec in (*specs, FCSpec(num_classes)):
        if isinstance(spec, ConvSpec):
            out = conv_output_shape(shape, spec.filters, spec.size, spec.padding)
        elif isinstance(spec, PoolSpec):
            out = pool_output_shape(shape, spec.size)
        elif isinstance(spec, FCSpec):
            out = (spec.units,)
        else:
            out = shape
        if min(out) < 1:
            raise ValueError(f"{spec.token!r} leaves nothing of the {image[1]}×{image[2]} "
                             f"input images: use fewer or smaller pool and 'valid' conv "
                             f"layers.")
        steps.append((spec, shape, out))
        shape = out
    return steps


def count_parameters(specs: Sequence[LayerSpec], num_input: int, num_classes: int) -> int:
    """The number of trainable values of ``specs`` for ``num_input`` features and
    ``num_classes`` classes, without building anything; ValueError as :func:`walk`, or
    for more than MAX_PARAMETERS."""
    total = 0
    for spec, shape, _ in walk(specs, num_input, num_classes):
        if isinstance(spec, ConvSpec):
            total += spec.filters * (shape[0] * spec.size ** 2 + 1)
        elif isinstance(spec, FCSpec):
            total += (math.prod(shape) + 1) * spec.units
    if total > MAX_PARAMETERS:
        raise ValueError(f"these layers have {total:,} parameters, more than the "
                         f"{MAX_PARAMETERS:,} this tool trains; pool before the fc layers "
                         f"or make them smaller.")
    return total


def count_macs(specs: Sequence[LayerSpec], num_input: int, num_classes: int) -> int:
    """Multiply-adds of one forward pass of one sample (the products of conv and fc
    layers): what an epoch's cost grows with."""
    total = 0
    for spec, shape, out in walk(specs, num_input, num_classes):
        if isinstance(spec, ConvSpec):
            total += math.prod(out) * shape[0] * spec.size ** 2
        elif isinstance(spec, FCSpec):
            total += math.prod(shape) * spec.units
    return total


def build_layers(specs: Sequence[LayerSpec], num_input: int, num_classes: int,
                 activation: str, rng: np.random.Generator,
                 dtype: np.dtype | type = DTYPE) -> list[Layer]:
    """The layers of ``specs`` for rows of ``num_input`` features and ``num_classes``
    outputs, initialised from ``rng``.

    A pooling layer right after a conv layer goes before its activation: max pooling
    and a monotone activation commute (max(relu(a), relu(b)) = relu(max(a, b))), and
    the activation then runs on a quarter of the values. Weights followed by a ReLU get
    a √2 gain (He's scaling); the output layer none.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, "
                         f"got {activation!r}.")
    count_parameters(specs, num_input, num_classes)
    act = ACTIVATIONS[activation]
    gain = np.sqrt(2.0) if act is ReLU else 1.0
    shape: tuple[int, ...] = (num_input,)
    layers: list[Layer] = []

    def add(layer: Layer) -> None:
        nonlocal shape
        layers.append(layer)
        shape = layer.output_shape(shape)

    if is_convolutional(specs):
        add(Unflatten(image_shape(num_input)))
    pending = None  # a conv layer's activation, waiting to see whether a pool follows
    for spec in specs:
        if pending is not None and not isinstance(spec, PoolSpec):
            add(pending)
            pending = None
        if isinstance(spec, ConvSpec):
            add(Conv2D(shape[0], spec.filters, spec.size, spec.padding, rng=rng, gain=gain,
                       dtype=dtype))
            pending = act()
        elif isinstance(spec, PoolSpec):
            add(MaxPool2D(spec.size))
        elif isinstance(spec, FCSpec):
            if len(shape) == 3:
                add(Flatten())
            add(FCLayer(shape[0], spec.units, rng=rng, gain=gain, dtype=dtype))
            add(act())
        else:
            add(Dropout(spec.rate))
    if pending is not None:
        add(pending)
    if len(shape) == 3:
        add(Flatten())
    add(FCLayer(shape[0], num_classes, rng=rng, dtype=dtype))
    return layers


def describe_layers(layers: Sequence[Layer]) -> str:
    """The architecture text of built layers (the output layer and reshapes left out)."""
    tokens = []
    for layer in layers[:-1]:
        if isinstance(layer, Conv2D):
            tokens.append(ConvSpec(layer.num_filters, layer.size, layer.padding).token)
        elif isinstance(layer, MaxPool2D):
            tokens.append(PoolSpec(layer.size).token)
        elif isinstance(layer, FCLayer):
            tokens.append(FCSpec(layer.shape[1]).token)
        elif isinstance(layer, Dropout):
            tokens.append(DropoutSpec(layer.rate).token)
    return ",".join(tokens)
