"""``train --impl DIR --lab 2``: the student's lab-2 classes trained by our Solver on our
data (``runner.train`` with :func:`.learner.lab2_learner` as its learner), and the run
written like any other (model.npz, metrics.json, curves.png). A lab-2 run does not
resume after Ctrl-C yet.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...model import ModelSpec
from ...outputs import OutputFolder
from ...plots import LiveCurves
from ...presets import Preset
from ...runner import RunResult, train
from ...training import Callback
from .course import FILES
from .learner import lab2_learner

COURSE_RUNNER = Preset("the course's lab-2 runner", {"hidden": [128]}, {
    "max_epoch": 20, "batch_size": 100, "learning_rate": 0.001, "weight_decay": 0.1,
    "momentum": 0.0, "lr_decay": 1.0, "early_stop": "none"})
"""The course's runner: 784-128-10 ReLU, batch 100, 20 epochs, lr 0.001, weight decay 0.1,
plain SGD, no decay, no early stopping (the options given on the command line win)."""


def train_lab2(run: dict[str, Any], *, progress: bool = True,
               callbacks: Sequence[Callback] = ()) -> RunResult:
    """``runner.train`` with the student's lab-2 classes as its learner: ``run`` holds
    ``dataset``, ``data_dir``, ``val_size``, ``allow_download``, ``spec`` and ``config``
    (dicts) and ``impl``."""
    spec = ModelSpec.from_dict(run["spec"])
    return train(run["dataset"], run["data_dir"], run["config"], spec=spec,
                 val_size=run["val_size"], allow_download=run["allow_download"],
                 progress=progress, callbacks=callbacks, learner=lab2_learner(run["impl"], spec),
                 implementation={"by": "student", "lab": 2,
                                 "folder": str(Path(run["impl"]).resolve()),
                                 "files": lab2_digests(run["impl"])})


def lab2_digests(impl: str | os.PathLike[str]) -> dict[str, str]:
    """SHA-256 (12 hex digits) of each of the student's lab-2 files."""
    return {f: hashlib.sha256((Path(impl) / f).read_bytes()).hexdigest()[:12] for f in FILES
            if (Path(impl) / f).is_file()}


def run_lab2_and_save(folder: OutputFolder, run: dict[str, Any], *,
                      progress: bool = True) -> RunResult:
    """Train and write the outputs into the claimed ``folder``, all at once (curves.png
    redrawn while it trains)."""
    from ... import signals

    live = LiveCurves(folder.path / "curves.png")
    result = train_lab2(run, progress=progress, callbacks=[live])
    with signals.deferred(), folder.staging() as stage:
        result.save(stage)
    return result
