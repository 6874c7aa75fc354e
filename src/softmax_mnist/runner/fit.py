"""The one training path: ``prepare`` fits the preprocessing on the training split and
readies every split; ``fit_network`` builds the network, hands it to its Learner and the
Solver, and trains. ``train``, every run of the experiments, the grader and the
scikit-learn estimator go through them. The test set is touched once, after training, to
report; nothing is chosen on it."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..model import ModelSpec
from ..preprocessing import Pipeline
from ..preprocessing.augment import augmenter
from ..training import Callback, LearnerFactory, NetworkLearner, Solver, TrainConfig

Splits = dict[str, tuple[np.ndarray, np.ndarray]]  # "train"/"val"/"test" -> (X, y)
RAW_SPLITS = ("train", "val")  # the Solver's: mapped by Prepared.features when it has one


@dataclass(frozen=True)
class Prepared:
    """A fitted pipeline and the splits as the Solver takes them.

    When every step is cheap (or the raw images are needed: ``--augment``), the splits the
    Solver walks (train and val) keep their raw rows (uint8 images: 4× less memory to
    walk through every epoch) and ``features`` maps each batch; the test split, evaluated
    after training (and by per-epoch test curves), holds its features already. Otherwise
    every split holds its features and ``features`` is None.
    """

    pipeline: Pipeline
    splits: Splits
    features: Callable[[np.ndarray], np.ndarray] | None
    num_features: int
    seconds: float  # spent fitting and precomputing

    def features_of(self, split: str) -> Callable[[np.ndarray], np.ndarray] | None:
        """The map that turns ``splits[split]`` rows into the network's input."""
        return self.features if split in RAW_SPLITS else None


def prepare(pipeline: Pipeline, splits: Splits, keep_raw: bool = False) -> Prepared:
    """Fit ``pipeline`` on ``splits["train"]`` only, then ready every split for training;
    ``keep_raw``: keep the raw rows even when the pipeline is not cheap (augmentation
    distorts the raw images of each batch, before the pipeline)."""
    started = time.perf_counter()
    X_train = splits["train"][0]
    train_features = pipeline.fit_transform(X_train)
    features = pipeline.transform if pipeline.cheap or keep_raw else None
    ready = {name: (X if name in RAW_SPLITS and features else
                    train_features if name == "train" else pipeline.transform(X), y)
             for name, (X, y) in splits.items()}
    return Prepared(pipeline, ready, features, train_features.shape[1],
                    time.perf_counter() - started)


def fit_network(prepared: Prepared, spec: ModelSpec, config: TrainConfig, num_classes: int,
                *, callbacks: Sequence[Callback] = (), progress: bool = False,
                resume_state: dict[str, Any] | None = None,
                learner: LearnerFactory | None = None) -> Solver:
    """Build ``spec``'s network for the prepared features and train it on their splits.

    Returns the Solver after training: its ``network``, ``history``, ``train_seconds``
    and ``divergence``. With ``resume_state`` (a Solver ``state_dict``) training goes on
    from there. ``learner`` builds the Learner that trains from the seeded initial network
    (default ``NetworkLearner.from_config``: ours); e.g.
    ``teaching.adapter.course_learner(folder)`` trains a student's ``loss.py`` and
    ``optimizer.py`` (the course interface) from the same initial weights, and the
    Solver's ``network`` is then one of ours holding their trained W and b.

    With ``config.augment``, every training batch is distorted at random before its
    features are computed (``prepared`` must keep the raw images: ``prepare(…,
    keep_raw=True)``).

    Raises:
        TrainingInterrupted: on Ctrl-C; it carries a checkpoint of the last epoch.
    """
    (X_train, y_train), (X_val, y_val) = prepared.splits["train"], prepared.splits["val"]
    augment = augmenter(config.augment)
    if augment is not None and prepared.features is None:
        raise ConfigError("{augment} distorts raw images, but the splits hold precomputed "
                          "features: prepare(…, keep_raw=True).", params=("augment",))
    network = spec.network(prepared.num_features, num_classes, config.seed)
    start = learner if learner is not None else NetworkLearner.from_config
    solver = Solver(start(network, config), X_train, y_train, X_val, y_val, config,
                    features=prepared.features, augment=augment, callbacks=callbacks,
                    progress=progress)
    if resume_state is not None:
        solver.load_state(resume_state)
    solver.train()
    return solver
