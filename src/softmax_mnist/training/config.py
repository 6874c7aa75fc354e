"""Training options in one validated place, with the course's key names.

``TrainConfig`` holds the defaults; ``TRAIN_OPTIONS`` holds, for each field, its type,
range, help text and command-line flag. Every value is checked against that table
before any work starts, and ``TrainConfig.from_dict`` rejects unknown keys loudly (with a
suggestion), the way CS231n's Solver rejects unknown options.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from .options import Option, Rule, check_options, reject_unknown

EARLY_STOP_RULES = ("plateau", "patience", "none")
OPTIMIZERS = ("sgd", "adam")
LOSSES = ("cross-entropy", "mse")  # nn.LOSSES by name
AUGMENTATIONS = ("none", "affine", "elastic")  # preprocessing.augment.AUGMENTERS by name

TRAIN_OPTIONS: dict[str, Option] = {
    "max_epoch": Option(int, "most epochs", "--epochs", low=1, metavar="N"),
    "batch_size": Option(int, "samples per step, 1 … training size", "--batch-size", low=1,
                         metavar="B"),
    "learning_rate": Option(float, "learning rate η", "--lr", low=1e-7,
                            hint="try 0.1 for sgd, 0.001 for adam; below 1e-7 float32 "
                                 "weights do not move", metavar="LR"),
    "momentum": Option(float, "μ in v = μv + ηg, 0 = plain SGD; β₁ for adam", "--momentum",
                       low=0, high=1, closed="left", hint="0 = plain SGD, 0.9 is usual",
                       metavar="M"),
    "nesterov": Option(bool, "Nesterov momentum", "--nesterov"),
    "weight_decay": Option(float, "L2 penalty λ on weight matrices", "--weight-decay", low=0,
                           high=1, closed="left", hint="0 = off, try 1e-4", metavar="L2"),
    "lr_decay": Option(float, "multiply η by F after every epoch, 1 = off", "--lr-decay", low=0,
                       high=1, closed="right", hint="1 = no decay, 0.9 is usual", metavar="F"),
    "early_stop": Option(str, "plateau: the seed's rule, changed < min-delta in each of the "
                              "last 2 epochs; patience: Keras's rule; none: run every epoch",
                         "--stop-rule", choices=EARLY_STOP_RULES),
    "patience": Option(int, "epochs without improvement for --stop-rule patience",
                       "--patience", low=1, metavar="N"),
    "min_delta": Option(float, "accuracy change that counts; 0.0002 = 0.02 points",
                        "--min-delta", low=0, metavar="D"),
    "restore_best_weights": Option(bool, "end with the weights of the best validation epoch",
                                   "--restore-best"),
    "optimizer": Option(str, "sgd: the lab's update; adam: steps scaled per parameter "
                             "(use --lr 0.001)", "--optimizer", choices=OPTIMIZERS),
    "loss": Option(str, "cross-entropy: softmax + cross-entropy (the lab); mse: lab 2's "
                        "Euclidean loss on the raw outputs", "--loss", choices=LOSSES),
    "augment": Option(str, "distort every training batch at random: affine (shift ±2 px, "
                           "rotate ±10°, scale ±10 %), elastic (affine + Simard's elastic "
                           "distortion); the flag alone means affine", "--augment",
                      choices=AUGMENTATIONS, const="affine"),
    "seed": Option(int, "fixes initialisation, shuffling, dropout and augmentation", "--seed",
                   low=0, metavar="S"),
    "display_freq": Option(int, "iterations between progress-bar updates", low=1),
}

TRAIN_RULES = (
    Rule(("nesterov", "momentum"), lambda c: not (c["nesterov"] and c["momentum"] == 0),
         "{nesterov} needs {momentum} > 0."),
    Rule(("nesterov", "optimizer"), lambda c: not (c["nesterov"] and c["optimizer"] != "sgd"),
         "{nesterov} is a variant of {optimizer} sgd; adam has none here."),
)


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one training run. Defaults: the seed write-up's best setting.

    Attributes:
        max_epoch: most epochs to train.
        batch_size: samples per SGD step (1 … training-set size; the last batch may be short).
        learning_rate: η at epoch 1.
        momentum: μ in v = μ v + η g (0 = plain SGD).
        nesterov: use Nesterov momentum.
        weight_decay: L2 penalty λ on weight matrices.
        lr_decay: η is multiplied by this after every epoch (1 = constant).
        early_stop: "plateau" (the seed's rule: validation accuracy changed by less than
            ``min_delta`` in each of the last two epochs), "patience" (Keras's rule) or "none".
        patience: epochs without improvement before the "patience" rule stops.
        min_delta: smallest change of validation accuracy that counts (0.0002 = 0.02 points).
        restore_best_weights: end with the weights of the best validation epoch.
        optimizer: "sgd" (with ``momentum`` and ``nesterov``) or "adam" (``momentum`` is
            its β₁).
        loss: "cross-entropy" (softmax + cross-entropy) or "mse" (lab 2's Euclidean loss).
        augment: "none", "affine" or "elastic": random distortions of the training
            images, drawn anew for every batch (see ``preprocessing.augment``).
        seed: fixes initialisation, shuffling, dropout masks and distortions.
        display_freq: iterations between progress-bar updates.

    The allowed values of each are in ``TRAIN_OPTIONS``.
    """

    max_epoch: int = 20
    batch_size: int = 100
    learning_rate: float = 0.1
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 0.0
    lr_decay: float = 0.9
    early_stop: str = "plateau"
    patience: int = 3
    min_delta: float = 0.0002
    restore_best_weights: bool = True
    optimizer: str = "sgd"
    loss: str = "cross-entropy"
    augment: str = "none"
    seed: int = 0
    display_freq: int = 50

    def __post_init__(self) -> None:
        check_options(self.to_dict(), TRAIN_OPTIONS, TRAIN_RULES)

    @classmethod
    def from_dict(cls, options: dict[str, Any]) -> TrainConfig:
        """Build from a dict, refusing keys that are not options."""
        reject_unknown(options, [f.name for f in fields(cls)], "training option")
        return cls(**options)

    def to_dict(self) -> dict[str, Any]:
        """The options as a plain dict (``TrainConfig.from_dict`` reads it back)."""
        return asdict(self)
