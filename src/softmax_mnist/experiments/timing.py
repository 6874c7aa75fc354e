"""A serial timing pass: time per epoch measured with nothing else of ours running.

The parallel runs share the cores, so their own seconds say as much about their
neighbours as about themselves (the report's first version showed 0.08 / 0.10 / 0.13 s per
epoch for SGD / momentum / Nesterov with two runs at a time, 0.06 s for all three alone).
After them, :func:`time_epochs` trains each distinct *speed setting* once more in this
process, alone, through the one training path (``runner.prepare`` + ``fit_network``):

- a speed setting is what decides the cost of an epoch — the model, the batch size,
  the optimizer's work per step (SGD or Adam, momentum, Nesterov, weight decay), the
  loss, the augmentation and the implementation
  (ours, or a student's ``--impl``) — and not the learning
  rate, its decay or the stopping rule, which change the numbers but not the work;
- one epoch of each setting is timed in each of ``repeats`` rounds over all settings and
  the fastest kept (as ``timeit`` does: slower repeats measured other programs; rounds
  spread a busy moment of the machine over all settings alike); an epoch longer than
  ``max_steps`` mini-batches is timed on its first ``max_steps`` batches and scaled to the
  whole epoch (batch size 1 has 55,000 steps, all the same size);
- the epoch's validation pass is timed with it, as the Solver's ``seconds`` are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ..data import Dataset
from ..runner import fit_network, prepare
from .run import RunSpec

MAX_STEPS = 2000  # mini-batches timed per epoch at most (batch size 1 → 2,000 of 55,000)
QUICK_MAX_STEPS = 200  # … in a --quick report: a first look, in a few seconds


@dataclass(frozen=True)
class EpochTiming:
    """Seconds per epoch of one speed setting, measured alone.

    Attributes:
        seconds: one epoch (training pass + validation pass), the fastest repeat.
        steps_timed, steps: mini-batches timed and mini-batches in a whole epoch.
        repeats: how often it was timed.
    """

    seconds: float
    steps_timed: int
    steps: int
    repeats: int


def speed_key(spec: RunSpec) -> str:
    """What decides the cost of an epoch (see the module docstring), as text."""
    c = spec.config
    return (f"{spec.model.preprocess}|{spec.model.center}|{spec.model.architecture}|"
            f"{spec.model.activation}|b{c.batch_size}|{c.optimizer}|m{c.momentum > 0}|"
            f"n{c.nesterov}|wd{c.weight_decay > 0}|{c.loss}|{c.augment}|{spec.impl or ''}")


def time_epochs(specs: Iterable[RunSpec], data: Dataset, *, repeats: int = 3,
                max_steps: int = MAX_STEPS) -> dict[str, EpochTiming]:
    """Time one epoch of each distinct speed setting in ``specs``, serially, in this process.

    Returns {speed_key: EpochTiming}. Pipelines that are not cheap (deskew, PCA …) are
    fitted here once per setting; the report only times cheap ones.
    """
    by_key: dict[str, RunSpec] = {}
    for spec in specs:  # per setting the smallest learning rate: a diverging epoch ends early
        old = by_key.get(speed_key(spec))
        if old is None or spec.config.learning_rate < old.config.learning_rate:
            by_key[speed_key(spec)] = spec
    subsets = {}  # key -> (prepared subset, steps timed, steps in an epoch)
    prepared_by_model = {}
    n = len(data.y_train)
    for key, spec in by_key.items():
        keep_raw = spec.config.augment != "none"
        if (spec.model, keep_raw) not in prepared_by_model:
            prepared_by_model[spec.model, keep_raw] = prepare(spec.model.pipeline(),
                                                              data.splits(), keep_raw)
        prepared = prepared_by_model[spec.model, keep_raw]
        batch = spec.config.batch_size
        steps = math.ceil(n / batch)
        timed = min(steps, max_steps)
        X, y = prepared.splits["train"]
        subsets[key] = (replace(prepared, splits={**prepared.splits, "train": (
            X[:timed * batch], y[:timed * batch])}), timed, steps)
    best = dict.fromkeys(by_key, math.inf)
    for _ in range(repeats):  # rounds over all settings: a slow moment hits each alike
        for key, spec in by_key.items():
            subset, timed, steps = subsets[key]
            config = replace(spec.config, max_epoch=1, early_stop="none", lr_decay=1.0)
            solver = fit_network(subset, spec.model, config, len(data.classes),
                                 learner=spec.learner)
            if solver.history.diverged:
                continue
            train = solver.train_seconds
            validate = solver.history.history["seconds"][0] - train
            best[key] = min(best[key], train * steps / timed + validate)
    return {key: EpochTiming(seconds, subsets[key][1], subsets[key][2], repeats)
            for key, seconds in best.items() if math.isfinite(seconds)}
