"""``softmax-mnist train --impl DIR --lab 2``: the course's MLP trained with the student's
layers, loss and SGD (after ``check --lab 2`` passes)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .options import training_options


def run_lab2(args: argparse.Namespace) -> int:
    from .. import signals
    from ..errors import ConfigError
    from ..fileio import printable
    from ..outputs import OutputFolder
    from ..runner import RUN_FILES
    from ..teaching.lab2.fit import COURSE_RUNNER, run_lab2_and_save
    from ..teaching.lab2.learner import refuse_lab2_unsupported
    from ..training import TrainingInterrupted
    from .teach_lab2 import require_lab2_check

    if not args.impl:
        raise ConfigError("--lab 2 trains a student's lab-2 folder: give {impl} DIR "
                          "(softmax-mnist scaffold --lab 2 DIR writes one).", params=("impl",))
    if args.resume:
        raise ConfigError("--lab 2 runs do not resume yet: start the run again without "
                          "--resume.")
    spec, config = training_options(args, COURSE_RUNNER)  # every option checked first
    refuse_lab2_unsupported(spec, config)
    run = {"dataset": args.dataset, "data_dir": args.data_dir, "val_size": args.val_size,
           "allow_download": not args.offline, "spec": spec.to_dict(),
           "config": config.to_dict(), "impl": str(Path(args.impl).resolve())}
    folder = (OutputFolder(Path(args.out), RUN_FILES, overwrite=args.overwrite)
              if args.out else OutputFolder.unique(Path("runs"), "", RUN_FILES))
    out = printable(folder.path)
    with folder, signals.handle_interrupts():
        if not require_lab2_check(run["impl"], run["data_dir"] if run["dataset"] in (
                None, "mnist") else None):
            return 1  # the folder, made for this run, is removed again
        try:
            result = run_lab2_and_save(folder, run, progress=not args.quiet)
        except TrainingInterrupted as exc:
            (folder.path / "curves.png").unlink(missing_ok=True)
            print(f"softmax-mnist: interrupted in epoch {exc.epoch}; lab 2 runs do not "
                  f"resume yet, nothing was saved.", file=sys.stderr)
            return signals.EXIT_CODES[exc.signum]
    print(f"{result.summary()} → {out}/ — trained by the lab-2 classes in "
          f"{printable(run['impl'])}")
    if result.metrics["diverged"]:
        print(f"softmax-mnist: {result.metrics['divergence']}", file=sys.stderr)
        return 3
    return 0
