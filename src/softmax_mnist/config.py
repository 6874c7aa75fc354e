"""Training options in one validated place, with the course's key names.

``TrainConfig.from_dict`` rejects unknown keys loudly (with a suggestion), the way
CS231n's Solver rejects unknown options, and every value is range-checked before
any work starts.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from .errors import ConfigError
from .optimizer import check_hyperparameters

EARLY_STOP_RULES = ("plateau", "patience", "none")


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
        seed: fixes initialisation and shuffling.
        display_freq: iterations between progress-bar updates.
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
    seed: int = 0
    display_freq: int = 50

    def __post_init__(self) -> None:
        _int_at_least("max_epoch", self.max_epoch, 1)
        _int_at_least("batch_size", self.batch_size, 1)
        _int_at_least("patience", self.patience, 1)
        _int_at_least("display_freq", self.display_freq, 1)
        _int_at_least("seed", self.seed, 0)
        check_hyperparameters(self.learning_rate, self.momentum, self.weight_decay)
        if not (math.isfinite(self.lr_decay) and 0 < self.lr_decay <= 1):
            raise ConfigError(f"lr_decay must be in (0, 1] (1 = no decay, 0.9 is usual), "
                              f"got {self.lr_decay}.")
        if self.early_stop not in EARLY_STOP_RULES:
            raise ConfigError(f"early_stop must be one of {', '.join(EARLY_STOP_RULES)}, "
                              f"got {self.early_stop!r}.")
        if not (math.isfinite(self.min_delta) and self.min_delta >= 0):
            raise ConfigError(f"min_delta must be ≥ 0, got {self.min_delta}.")
        if self.nesterov and self.momentum == 0:
            raise ConfigError("Nesterov momentum needs momentum > 0.")

    @classmethod
    def from_dict(cls, options: dict[str, Any]) -> TrainConfig:
        """Build from a dict, refusing keys that are not options."""
        reject_unknown(options, [f.name for f in fields(cls)], "training option")
        return cls(**options)

    def to_dict(self) -> dict[str, Any]:
        """The options as a plain dict (``TrainConfig.from_dict`` reads it back)."""
        return asdict(self)


def reject_unknown(table: Iterable[str], known: Sequence[str], what: str,
                   source: str = "") -> None:
    """ConfigError for the first key of ``table`` not in ``known``, with a suggestion."""
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            where = f"{source}: " if source else ""
            raise ConfigError(f"{where}unknown {what} {key!r}.{hint} "
                              f"Known: {', '.join(known)}.")


def _int_at_least(name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{name} must be a whole number ≥ {low}, got {value!r}.")
