"""A run that owns an output folder: live curves while it trains, a checkpoint on Ctrl-C
or SIGTERM, every file written at once when it ends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import signals
from ..data import Dataset
from ..errors import ConfigError
from ..outputs import OutputFolder
from ..plots import LiveCurves
from ..training import Callback, History, LearnerFactory, TrainingInterrupted
from ..training.checkpoint import NAME as CHECKPOINT
from ..training.checkpoint import save_checkpoint
from .result import RunResult
from .run import train

RUN_KEYS = ("dataset", "data_dir", "val_size", "allow_download", "spec", "config")
"""The arguments of a run as ``run_and_save`` takes them (and checkpoints keep them)."""
OPTIONAL_RUN_KEYS = ("impl",)  # a student's folder (train --impl), kept for --resume
RUN_FILES = ("model.npz", "metrics.json", CHECKPOINT)
"""The files that mark a folder as holding a run (``curves.png`` goes with them)."""
LIVE_CURVES = ".curves-live.png"
"""The live curves while a run replaces an earlier complete one (removed at the end)."""


def run_and_save(folder: OutputFolder, run: dict[str, Any], *, progress: bool = True,
                 resume_state: dict[str, Any] | None = None,
                 learner: LearnerFactory | None = None,
                 implementation: dict[str, Any] | None = None, data: Dataset | None = None,
                 callbacks: Sequence[Callback] = ()) -> RunResult:
    """``train(**run)`` and write its outputs into the claimed ``folder``, all at once.

    ``curves.png`` is redrawn while training runs (:class:`~softmax_mnist.plots.LiveCurves`).
    ``run`` holds the run's arguments as plain data (``dataset``, ``data_dir``,
    ``val_size``, ``allow_download``, ``spec`` and ``config`` as dicts; ``impl``: the
    folder of a student's implementation, which ``learner`` and ``implementation`` train
    and describe, see :func:`train`): on Ctrl-C or SIGTERM it goes into
    ``checkpoint.npz`` with the solver's state before the TrainingInterrupted is passed
    on; a finished run removes the checkpoint. ``data``: the data set already loaded
    from ``run``'s arguments; ``callbacks``: more callbacks.
    """
    if not set(RUN_KEYS) <= set(run) <= {*RUN_KEYS, *OPTIONAL_RUN_KEYS}:
        raise ConfigError(f"run arguments must be {', '.join(RUN_KEYS)} (and may be "
                          f"{', '.join(OPTIONAL_RUN_KEYS)}), got {sorted(run)}.")
    if ("impl" in run) != (learner is not None):
        raise ConfigError("a run with impl trains by the student's classes and only then: "
                          "give learner=teaching.adapter.course_learner(impl) with it.")
    start = History.from_dict(resume_state["history"]) if resume_state is not None else None
    # watch curves.png in an image viewer while it trains; an earlier complete run being
    # overwritten keeps its curves.png until this one is complete
    replacing = (folder.path / "metrics.json").exists()
    live_path = folder.path / (LIVE_CURVES if replacing else "curves.png")
    live = LiveCurves(live_path, start=start)
    try:
        try:
            result = train(**{k: run[k] for k in RUN_KEYS}, progress=progress,
                           resume_state=resume_state, callbacks=[live, *callbacks],
                           learner=learner, implementation=implementation, data=data)
        except TrainingInterrupted as exc:
            with signals.deferred():
                save_checkpoint(folder.path / CHECKPOINT, exc.checkpoint, run)
            raise
        with signals.deferred():
            with folder.staging() as stage:
                result.save(stage)
            (folder.path / CHECKPOINT).unlink(missing_ok=True)
    finally:
        if replacing:
            live_path.unlink(missing_ok=True)
    return result
