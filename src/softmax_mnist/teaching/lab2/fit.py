"""``train --impl DIR --lab 2``: the student's lab-2 classes trained by our Solver on our
data, and the run written like any other (model.npz, metrics.json, curves.png).

TO MERGE: this is the lab-2 twin of ``runner.fit_network``'s ``impl`` branch and of
``runner.train``/``run_and_save``, kept apart only until the Learner seam lands
(``runner`` then picks the course learner of the lab: :func:`.learner.lab2_parts`). Until
then a lab-2 run does not resume after Ctrl-C.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...data import load_dataset
from ...model import Model, ModelSpec
from ...outputs import OutputFolder
from ...plots import LiveCurves
from ...presets import Preset
from ...runner import Prepared, RunResult, prepare
from ...runner.run import _metrics
from ...training import Callback, Solver, TrainConfig
from .course import FILES
from .learner import lab2_parts

COURSE_RUNNER = Preset("the course's lab-2 runner", {"hidden": [128]}, {
    "max_epoch": 20, "batch_size": 100, "learning_rate": 0.001, "weight_decay": 0.1,
    "momentum": 0.0, "lr_decay": 1.0, "early_stop": "none"})
"""The course's runner: 784-128-10 ReLU, batch 100, 20 epochs, lr 0.001, weight decay 0.1,
plain SGD, no decay, no early stopping (the options given on the command line win)."""


def fit_lab2(prepared: Prepared, spec: ModelSpec, config: TrainConfig, num_classes: int,
             impl: str | os.PathLike[str], *, callbacks: Sequence[Callback] = (),
             progress: bool = False) -> Solver:
    """Train the student's classes in ``impl`` from our seeded initial weights; the
    returned Solver's ``network`` is one of ours holding their trained weights."""
    initial = spec.network(prepared.num_features, num_classes, config.seed)
    parts = lab2_parts(impl, initial, spec, config)
    solver = Solver(parts.network, *prepared.splits["train"], *prepared.splits["val"],
                    config, loss=parts.loss, optimizer=parts.optimizer,
                    features=prepared.features, val_features=prepared.features_of("val"),
                    callbacks=callbacks, progress=progress)
    solver.train()
    solver.network = parts.network.to_network()
    return solver


def train_lab2(run: dict[str, Any], *, progress: bool = True,
               callbacks: Sequence[Callback] = ()) -> RunResult:
    """``runner.train`` for a lab-2 folder: ``run`` holds ``dataset``, ``data_dir``,
    ``val_size``, ``allow_download``, ``spec`` and ``config`` (dicts) and ``impl``."""
    spec, config = ModelSpec.from_dict(run["spec"]), TrainConfig.from_dict(run["config"])
    data = load_dataset(run["dataset"], run["data_dir"], val_size=run["val_size"],
                        allow_download=run["allow_download"], progress=progress)
    prepared = prepare(spec.pipeline(), data.splits())
    started = time.perf_counter()
    solver = fit_lab2(prepared, spec, config, len(data.classes), run["impl"],
                      callbacks=callbacks, progress=progress)
    metrics = _metrics(data, config, spec, prepared, solver, time.perf_counter() - started)
    metrics["implementation"] = {"by": "student", "lab": 2,
                                 "folder": str(Path(run["impl"]).resolve()),
                                 "files": lab2_digests(run["impl"])}
    model = Model(solver.network, prepared.pipeline, data.classes, activation=spec.activation,
                  metadata={k: metrics[k] for k in ("dataset", "config", "test_accuracy",
                                                    "val_accuracy", "hidden", "architecture",
                                                    "preprocess", "version",
                                                    "implementation")})
    return RunResult(model, solver.history, metrics)


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
