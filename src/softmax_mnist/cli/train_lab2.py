"""``softmax-mnist train --impl DIR --lab 2``: the options of a lab-2 run — the course's
runner's defaults under the flags given, each checked against what the course's classes
can train — before ``train`` trains it as any ``--impl`` run (check first, the run cache,
``--resume``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .options import training_options


def lab2_options(args: argparse.Namespace):
    """-> (ModelSpec, TrainConfig) of ``train --impl DIR --lab 2``; a ConfigError or
    SoftmaxMnistError (one line) for what the course's lab-2 classes cannot train, or for
    a folder that holds no lab 2."""
    from ..errors import ConfigError
    from ..teaching.lab2.fit import COURSE_RUNNER
    from ..teaching.lab2.learner import refuse_lab2_unsupported

    if not args.impl:
        raise ConfigError("--lab 2 trains a student's lab-2 folder: give {impl} DIR "
                          "(softmax-mnist scaffold --lab 2 DIR writes one).", params=("impl",))
    spec, config = training_options(args, COURSE_RUNNER)  # every option checked first
    refuse_lab2_unsupported(spec, config)
    refuse_lab1_folder_as_lab2(args.impl)
    return spec, config


def refuse_lab1_folder_as_lab2(impl: str) -> None:
    """A SoftmaxMnistError when ``impl`` is a folder with lab 1's ``loss.py`` (given with
    ``--lab 2``)."""
    from ..errors import SoftmaxMnistError
    from ..teaching.impls import lab_of

    if Path(impl).is_dir() and lab_of(impl) == 1 and (Path(impl) / "loss.py").is_file():
        raise SoftmaxMnistError(f"{impl} holds lab 1's loss.py: drop --lab 2 (it trains lab "
                                f"2's layers/, criterion/, optimizer.py and network.py).")
