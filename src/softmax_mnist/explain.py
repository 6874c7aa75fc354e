"""Why a model decided: each pixel's evidence for a class, as an image.

**Softmax regression** is a sum over pixels, so its decision can be taken apart
exactly. Every affine preprocessing step (scaling, centring, ``standardize``, ``pca``,
``pool``, ``blur``) folds into the weights: for an image x (pixels 0…255),

    z_c(x) = Σ_i x_i w_ic + β_c,          e_i = x_i w_ic,          Σ_i e_i + β_c = z_c(x),

where w_c: (784,) is the class's *effective weight image* (the network's W_c seen
through the preprocessing; ``W_c / 255`` for the default scale + centre) and β_c the
logit of a blank image. The evidence map e is "pixels × W_c": red where ink pushes
towards c, blue where it pushes away; nothing where nothing was drawn. The ten w_c are
the model's templates.

**Preprocessing that is not affine** (``deskew``, ``moment-norm``, ``denoise``) changes
the image before the affine part sees it. The evidence is then drawn on that image,
``seen`` (the deskewed digit), where the sum above still holds exactly.

**An MLP or a convolutional network** has no such sum. Its map is input × gradient,
e_i = x_i ∂z_c/∂x_i at this image: the first-order picture of which pixels raise or lower
z_c, by the full backward pass of :meth:`Network.input_gradient` (through convolutions
and max pooling alike) and the chain rule through the affine steps. What the map leaves
out, z_c − Σ_i e_i, is reported as the ``offset``.

Example::

    explainer = Explainer(Model.load("model.npz"))
    ex = explainer.explain(x, [7])        # x: (784,) uint8, an MNIST-style image
    ex.evidence[0].pixels                 # (28, 28): the evidence for 7
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .data.registry import IMAGE_PIXELS
from .model import Model
from .nn import Network
from .preprocessing import Pipeline
from .preprocessing.imageops import image_side

EXACT = "exact"
INPUT_X_GRADIENT = "input×gradient"
INK = 255.0  # a probe pixel's value: full ink, as in MNIST


@dataclass(frozen=True)
class Evidence:
    """One class's evidence on the explained image.

    Attributes:
        label: the class index; name: its name.
        logit: z_c of the image.
        offset: z_c − Σ pixels: the blank image's logit β_c for a linear model, what
            input × gradient leaves unexplained for an MLP.
        pixels: (S, S) float64, each pixel's contribution to z_c.
    """

    label: int
    name: str
    logit: float
    offset: float
    pixels: np.ndarray


@dataclass(frozen=True)
class Explanation:
    """Evidence maps for some classes of one image.

    Attributes:
        method: ``EXACT`` (linear model: the maps sum to logit − offset) or
            ``INPUT_X_GRADIENT`` (MLP, CNN).
        seen: (S, S) float64, 0…255: the image the maps are drawn on — the input after
            the model's non-affine image steps (the input itself when there are none).
        evidence: one Evidence per requested class, in the order asked.
    """

    method: str
    seen: np.ndarray
    evidence: list[Evidence]


class Explainer:
    """Evidence maps for one model (see the module docstring).

    Built once per model: the affine part of the preprocessing is measured by
    probing it with a blank image and one image per lit pixel (its matrix A: (P, F)
    and offset t: (F,), features = x A + t), and for a linear model folded into the
    effective weights. ``explain`` runs its own float64 copy of the network (exact
    sums, BLAS-speed products), whose layers keep caches between the forward and the
    backward pass: call it from one thread at a time per explainer.
    """

    def __init__(self, model: Model):
        steps = model.preprocess.steps
        split = max((i + 1 for i, step in enumerate(steps) if not step.affine), default=0)
        self.image_steps = Pipeline(steps[:split])
        """The non-affine steps (deskew, moment-norm, denoise) and those before them."""
        self.affine_steps = Pipeline(steps[split:])
        """The rest: affine, folded into the weights (linear) or the chain rule (MLP)."""
        net = model.network
        self.network = Network.build(net.num_inputs, net.num_classes,
                                     activation=model.activation, dtype=np.float64,
                                     architecture=net.architecture)
        self.network.set_weights(net.get_weights())
        self.classes = model.classes
        pixels = self.image_steps.output_size(IMAGE_PIXELS)
        self.side = image_side(pixels)
        probes = np.vstack([np.zeros(pixels), INK * np.eye(pixels)])
        out = np.asarray(self.affine_steps.transform(probes), np.float64)
        self._t = out[0]
        self._A = (out[1:] - out[0]) / INK
        self.linear = not net.architecture
        self.method = EXACT if self.linear else INPUT_X_GRADIENT
        if self.linear:
            W, b = (self.network.fc_layers[0].params[k] for k in ("W", "b"))
            self._weights = self._A @ W  # (P, C): the effective weight images
            self._blank = self._t @ W + b  # (C,): β, the logits of a blank image

    def templates(self) -> np.ndarray:
        """A linear model's templates: (C, S, S) float64, the evidence each pixel would give
        each class at full ink (255 · w_c; the evidence maps' units).

        Raises ValueError for an MLP or a CNN, whose evidence depends on the image.
        """
        if not self.linear:
            raise ValueError("a network with hidden layers has no weight templates; its "
                             "evidence is input × gradient of each image")
        return INK * self._weights.T.reshape(-1, self.side, self.side)

    def explain(self, x: np.ndarray, labels: Sequence[int]) -> Explanation:
        """Evidence for the classes ``labels`` on x: (784,), an MNIST-style image 0…255."""
        labels = [int(c) for c in labels]
        if any(not 0 <= c < len(self.classes) for c in labels):
            raise ValueError(f"class labels must be 0 … {len(self.classes) - 1}, got {labels}")
        seen = np.asarray(self.image_steps.transform(
            np.asarray(x, np.float64).reshape(1, -1)), np.float64)
        features = np.asarray(self.affine_steps.transform(seen), np.float64)
        logits = self.network.forward(features)[0]
        if self.linear:
            maps = seen * self._weights[:, labels].T  # (k, P)
            offsets = self._blank[labels]
        else:
            onehot = np.eye(len(self.classes))[labels]
            grads = self.network.input_gradient(np.repeat(features, len(labels), axis=0),
                                                onehot) @ self._A.T  # (k, P): ∂z_c/∂x
            maps = seen * grads
            offsets = logits[labels] - maps.sum(axis=1)
        evidence = [Evidence(c, self.classes[c], float(logits[c]), float(offset),
                             m.reshape(self.side, self.side))
                    for c, offset, m in zip(labels, offsets, maps, strict=True)]
        return Explanation(self.method, seen.reshape(self.side, self.side), evidence)
