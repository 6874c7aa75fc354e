"""``train --impl DIR --lab 2``: the course's runner's options. The run itself is any
``--impl`` run's (``runner.train`` with :func:`.learner.lab2_learner` as its learner, see
:mod:`..impls`): checked first, kept in the run cache, resumed after Ctrl-C.
"""

from __future__ import annotations

from ...presets import Preset

COURSE_RUNNER = Preset("the course's lab-2 runner", {"hidden": [128]}, {
    "max_epoch": 20, "batch_size": 100, "learning_rate": 0.001, "weight_decay": 0.1,
    "momentum": 0.0, "lr_decay": 1.0, "early_stop": "none"})
"""The course's runner: 784-128-10 ReLU, batch 100, 20 epochs, lr 0.001, weight decay 0.1,
plain SGD, no decay, no early stopping (the options given on the command line win)."""
