"""Presets: ``--model linear|mlp|cnn``, each a network and the training options that suit
it. A preset only sets defaults: every option given as well wins, and ``--hidden`` or
``--layers`` replace the preset's network.

The ``cnn`` preset is the classic two-convolution network (as in TensorFlow's "Deep
MNIST" tutorial, with a smaller fully connected layer) trained by Adam; its options were
chosen on the validation split (see README: "From 92 % to 99 %").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import ModelSpec
from .training import TrainConfig

NETWORK_KEYS = ("hidden", "layers")


@dataclass(frozen=True)
class Preset:
    """A named starting point: ModelSpec options and TrainConfig options."""

    description: str
    model: dict[str, Any] = field(default_factory=dict)
    train: dict[str, Any] = field(default_factory=dict)

    def resolve(self, model: Mapping[str, Any], train: Mapping[str, Any],
                ) -> tuple[ModelSpec, TrainConfig]:
        """The ModelSpec and TrainConfig of this preset with the options ``model`` and
        ``train`` (those given explicitly) on top; each validated."""
        return self.model_spec(model), self.train_config(train)

    def model_spec(self, model: Mapping[str, Any]) -> ModelSpec:
        """The preset's ModelSpec with ``model`` options on top (``hidden`` or ``layers``
        replace the preset's network)."""
        mine = dict(self.model)
        if any(k in model for k in NETWORK_KEYS):
            for key in NETWORK_KEYS:
                mine.pop(key, None)
        return ModelSpec.from_dict({**mine, **model})

    def train_config(self, train: Mapping[str, Any]) -> TrainConfig:
        """The preset's TrainConfig with ``train`` options on top."""
        return TrainConfig.from_dict({**self.train, **train})

    def summary(self, flags: Mapping[str, str]) -> str:
        """The preset in one line for ``--help``, options named by their ``flags``."""
        options = {**self.model, **self.train}
        shown = " ".join(f"{flags[k]} {','.join(map(str, v)) if isinstance(v, list) else v}"
                         for k, v in options.items())
        return self.description + (f" ({shown})" if shown else "")


CNN_LAYERS = "conv:32:5,pool:2,conv:64:5,pool:2,fc:128,dropout:0.5"

PRESETS: dict[str, Preset] = {
    "linear": Preset("softmax regression, the lab"),
    "mlp": Preset("one hidden layer of 256 ReLUs, lab 2", {"hidden": [256]}),
    "cnn": Preset("a convolutional network", {"layers": CNN_LAYERS},
                  {"optimizer": "adam", "learning_rate": 0.001, "max_epoch": 12,
                   "lr_decay": 0.8, "early_stop": "none"}),
}
"""Every preset by name (the ``--model`` flag's choices)."""

