"""The training loop and what it is configured and watched by.

``config`` (TrainConfig and its option table, ``options``) → ``learner`` (the Learner
protocol the loop trains, and NetworkLearner, ours) → ``solver`` (the loop) with
``callbacks`` (History, early stopping, per-epoch evaluation) and ``checkpoint`` (the
state of an interrupted run). Imports ``nn``; never the preprocessing or the data.
"""

from .callbacks import (
    EPOCH_KEYS,
    BestEpoch,
    Callback,
    EarlyStopping,
    Evaluation,
    EvaluationCurve,
    History,
    PlateauStopping,
    Stopper,
)
from .config import TRAIN_OPTIONS, TrainConfig
from .learner import Learner, LearnerFactory, NetworkLearner
from .solver import Solver, TrainingInterrupted

__all__ = ["EPOCH_KEYS", "TRAIN_OPTIONS", "BestEpoch", "Callback", "EarlyStopping", "Evaluation",
           "EvaluationCurve", "History", "Learner", "LearnerFactory", "NetworkLearner",
           "PlateauStopping", "Solver", "Stopper", "TrainConfig", "TrainingInterrupted"]
