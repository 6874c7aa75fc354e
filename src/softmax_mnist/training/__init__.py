"""The training loop and what it is configured and watched by.

``config`` (TrainConfig and its option table, ``options``) → ``solver`` (the loop; what it
builds and checks from its arguments in ``parts``) with
``callbacks`` (History, early stopping, per-epoch evaluation) and ``checkpoint`` (the
state of an interrupted run). Imports ``nn``; never the preprocessing or the data.
"""

from .callbacks import (
    EPOCH_KEYS,
    Callback,
    EarlyStopping,
    Evaluation,
    EvaluationCurve,
    History,
    PlateauStopping,
    Stopper,
)
from .config import TRAIN_OPTIONS, TrainConfig
from .solver import Solver, TrainingInterrupted

__all__ = ["EPOCH_KEYS", "TRAIN_OPTIONS", "Callback", "EarlyStopping", "Evaluation",
           "EvaluationCurve", "History", "PlateauStopping", "Solver", "Stopper", "TrainConfig",
           "TrainingInterrupted"]
