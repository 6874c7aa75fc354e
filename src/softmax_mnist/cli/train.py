"""``softmax-mnist train``: train and test a model, write model.npz, metrics.json, curves.png."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .options import add_data_options, add_training_options, training_options


def register(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("train", help="train a model and write model.npz, metrics.json, "
                                     "curves.png", description="Train and test a model. "
                       "Defaults are the seed write-up's best setting.")
    add_data_options(t)
    t.add_argument("--val-size", type=int, metavar="N",
                   help="last N training images validate (default 5000; 1000 for the sample)")
    add_training_options(t)
    t.add_argument("--impl", metavar="DIR",
                   help="train the student's loss.py and optimizer.py in DIR (the course "
                        "interface) instead of ours; softmax-mnist check runs on them first")
    t.add_argument("--lab", type=int, choices=(1, 2), default=1,
                   help="with --impl: 1 (loss.py, optimizer.py) or 2 (the course's MLP: "
                        "layers/, criterion/, optimizer.py, network.py; its runner's "
                        "defaults: --hidden 128, 20 epochs, --lr 0.001, --weight-decay 0.1, "
                        "no momentum) (default %(default)s)")
    o = t.add_argument_group("output")
    o.add_argument("--out", metavar="DIR",
                   help="output folder (default: a new runs/<timestamp>[-N])")
    o.add_argument("--overwrite", action="store_true",
                   help="replace the run already in --out (refused otherwise)")
    o.add_argument("--resume", metavar="DIR",
                   help="continue the interrupted run in DIR with its own options; outputs "
                        "go to DIR")
    o.add_argument("--quiet", action="store_true", help="no progress bars or epoch lines")
    o.add_argument("--fresh", action="store_true",
                   help="train even when the run cache holds this run (same options, seed, "
                        "data and code); by default it is written out again instead")
    t.set_defaults(handler=run)


RESUME_KEEPS = {"--resume", "--quiet", "--data-dir", "--offline"}  # what --resume may take


def run(args: argparse.Namespace) -> int:
    from .. import signals
    from ..errors import ConfigError
    from ..fileio import printable
    from ..outputs import OutputFolder
    from ..runner import RUN_FILES
    from ..teaching.adapter import refuse_unsupported
    from ..teaching.impls import lab_of
    from ..training import TrainingInterrupted
    from ..training.checkpoint import NAME, load_checkpoint
    from .teach import require_passing_check

    if args.resume:
        others = sorted({a.split("=")[0] for a in args.argv if a.startswith("--")}
                        - RESUME_KEEPS)
        if others:
            raise ConfigError(f"--resume continues a run with the options it was started "
                              f"with; drop {', '.join(others)} (or start a new run).")
        resume_state, run_args = load_checkpoint(Path(args.resume) / NAME)
        if args.data_dir:
            run_args["data_dir"] = args.data_dir
        folder = OutputFolder(Path(args.resume), RUN_FILES, resuming=True)
        print(f"resuming {printable(folder.path)} after epoch {resume_state['epoch']}",
              file=sys.stderr)
    else:
        if args.lab == 2:
            from .train_lab2 import lab2_options

            spec, config = lab2_options(args)
        else:
            spec, config = training_options(args)  # every option checked before any work
        resume_state = None
        run_args = {"dataset": args.dataset, "data_dir": args.data_dir,
                    "val_size": args.val_size, "allow_download": not args.offline,
                    "spec": spec.to_dict(), "config": config.to_dict()}
        if args.impl:
            if args.lab == 1:
                refuse_unsupported(spec, config)
            run_args["impl"] = str(Path(args.impl).resolve())
        folder = (OutputFolder(Path(args.out), RUN_FILES, overwrite=args.overwrite)
                  if args.out else OutputFolder.unique(Path("runs"), "", RUN_FILES))
    out = printable(folder.path)
    impl = run_args.get("impl")
    with folder, signals.handle_interrupts():
        if impl and not require_passing_check(impl, run_args["data_dir"] if run_args[
                "dataset"] in (None, "mnist") else None, lab=lab_of(impl) if args.resume
                else args.lab):
            return 1  # the folder, made for this run, is removed again
        try:
            result, reused = _train_or_reuse(folder, run_args, fresh=args.fresh,
                                             progress=not args.quiet,
                                             resume_state=resume_state)
        except TrainingInterrupted as exc:
            print(f"softmax-mnist: interrupted in epoch {exc.epoch}; saved the state after "
                  f"epoch {exc.checkpoint['epoch']} to {out}/{NAME}. Continue with: "
                  f"softmax-mnist train --resume {out}", file=sys.stderr)
            return signals.EXIT_CODES[exc.signum]
    by = (f" — trained by the {'lab-2 ' if lab_of(impl) == 2 else ''}classes in "
          f"{printable(impl)}" if impl else "")
    again = " (reused from the run cache; --fresh trains it again)" if reused else ""
    print(f"{result.summary()} → {out}/{by}{again}")
    if result.metrics["diverged"]:
        print(f"softmax-mnist: {result.metrics['divergence']}", file=sys.stderr)
        return 3
    return 0


def _train_or_reuse(folder: Any, run_args: dict[str, Any], *, fresh: bool, progress: bool,
                    resume_state: dict[str, Any] | None) -> tuple[Any, bool]:
    """Write out the run cache's copy of this run, or train it (and keep it there);
    returns (RunResult, whether it was reused). A resumed run is trained on and not kept
    (its test curve misses the epochs before the interruption)."""
    from .. import signals
    from ..data import load_dataset
    from ..experiments.execute import training_threads
    from ..experiments.runcache import RunCache
    from ..experiments.train_runs import OUTPUTS, TestCurve, kept_result, train_record, train_spec
    from ..model import ModelSpec
    from ..runner import run_and_save
    from ..teaching.impls import impl_learner, impl_record
    from ..training import TrainConfig

    data = load_dataset(run_args["dataset"], run_args["data_dir"],
                        val_size=run_args["val_size"],
                        allow_download=run_args["allow_download"], progress=progress)
    spec = train_spec(ModelSpec.from_dict(run_args["spec"]),
                      TrainConfig.from_dict(run_args["config"]), run_args.get("impl"))
    cache, threads = RunCache(fresh=fresh), training_threads(1, "loky", 1)
    if resume_state is None:
        kept = kept_result(cache, spec, data, threads)
        if kept is not None:
            with signals.deferred(), folder.staging() as stage:
                kept.save(stage)
            return kept, True
    curve = TestCurve()
    impl = run_args.get("impl")
    result = run_and_save(folder, run_args, progress=progress, resume_state=resume_state,
                          data=data, callbacks=[curve],
                          learner=impl_learner(impl, spec.model) if impl else None,
                          implementation=impl_record(impl))
    if resume_state is None:
        cache.save(spec, train_record(spec, result, curve), data, threads,
                   outputs={name: folder.path / name for name in OUTPUTS})
    return result, False
