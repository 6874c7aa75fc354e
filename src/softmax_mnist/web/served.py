"""The models a server serves: each with its name, its explainer and a lock."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SoftmaxMnistError
from ..explain import Explainer
from ..model import Model

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
"""What a model's name may be: it goes into URLs (``?model=NAME``) and onto the page."""


@dataclass
class ServedModel:
    """A model as the server holds it.

    ``lock`` serialises the model's computations: the layers keep forward-pass caches
    that the explainer's backward pass reads, so one request at a time uses a model.
    """

    name: str
    model: Model
    explainer: Explainer
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_model(cls, name: str, model: Model) -> ServedModel:
        return cls(name, model, Explainer(model))

    @property
    def kind(self) -> str:
        """"linear" (softmax regression), "mlp" or "cnn" (conv or pool layers)."""
        if self.explainer.linear:
            return "linear"
        return "mlp" if self.model.network.architecture.startswith("fc:") else "cnn"

    def summary(self) -> dict[str, Any]:
        """What ``GET /api/models`` says about the model; ``layers`` is 784-256-10 for
        fully connected layers, the architecture text (conv:32:5,pool:2,…) for a CNN."""
        network = self.model.network
        fcs = network.fc_layers
        sizes = [fcs[0].shape[0], *(fc.shape[1] for fc in fcs)]
        accuracy = self.model.metadata.get("test_accuracy")
        return {
            "name": self.name,
            "kind": self.kind,
            "layers": ("-".join(str(s) for s in sizes) if self.kind != "cnn"
                       else f"{network.architecture} → {network.num_classes}"),
            "preprocess": self.model.preprocess.spec,
            "dataset": self.model.metadata.get("dataset"),
            "test_accuracy": accuracy if isinstance(accuracy, int | float) else None,
            "classes": list(self.model.classes),
            "explanation": self.explainer.method,
            "image_steps": self.explainer.image_steps.spec,
        }


def load_models(specs: Sequence[str]) -> list[ServedModel]:
    """``MODEL.npz`` or ``NAME=MODEL.npz`` arguments -> served models, in order.

    A model is named by its file (``runs/mlp/model.npz`` -> ``mlp``, ``linear.npz`` ->
    ``linear``) unless ``NAME=`` says otherwise; repeated names get ``-2``, ``-3``.
    Raises ModelFileError for a missing or foreign file, SoftmaxMnistError for a bad name.
    """
    named = [_split(spec) for spec in specs]
    names = unique_names([name for name, _ in named])
    return [ServedModel.from_model(name, Model.load(path))
            for name, (_, path) in zip(names, named, strict=True)]


def _split(spec: str) -> tuple[str, Path]:
    name, sep, rest = spec.partition("=")
    if sep and not Path(spec).exists():
        if not NAME.fullmatch(name):
            raise SoftmaxMnistError(f"{spec}: a model name is 1–40 letters, digits, '.', "
                                    f"'_' or '-', starting with a letter or digit.")
        return name, Path(rest)
    path = Path(spec)
    stem = path.parent.name if path.stem == "model" and path.parent.name else path.stem
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:40] or "model"
    return name, path


def unique_names(names: Sequence[str]) -> list[str]:
    """``["a", "a", "b"]`` -> ``["a", "a-2", "b"]``."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}-{n}"
        seen.add(candidate)
        out.append(candidate)
    return out
