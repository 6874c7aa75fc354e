"""``softmax-mnist train``: train and test a model, write model.npz, metrics.json, curves.png."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from .options import add_data_options, add_training_options, training_options


def register(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("train", help="train a model and write model.npz, metrics.json, "
                                     "curves.png", description="Train and test a model. "
                       "Defaults are the seed write-up's best setting.")
    add_data_options(t, "mnist")
    t.add_argument("--val-size", type=int, metavar="N",
                   help="last N training images validate (default 5000; 1000 for the sample)")
    add_training_options(t)
    t.add_argument("--impl", metavar="DIR",
                   help="train the student's loss.py and optimizer.py in DIR (the course "
                        "interface) instead of ours; softmax-mnist check runs on them first")
    o = t.add_argument_group("output")
    o.add_argument("--out", metavar="DIR", help="output folder (default runs/<timestamp>)")
    o.add_argument("--resume", metavar="DIR",
                   help="continue the interrupted run in DIR (its options are used; "
                        "outputs go to DIR)")
    o.add_argument("--quiet", action="store_true", help="no progress bars or epoch lines")
    t.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..runner import run_and_save
    from ..teaching.adapter import refuse_unsupported
    from ..training import TrainingInterrupted
    from ..training.checkpoint import NAME, load_checkpoint
    from .teach import require_passing_check

    if args.resume:
        out = Path(args.resume)
        resume_state, run_args = load_checkpoint(out / NAME)
        print(f"resuming {out} after epoch {resume_state['epoch']}", file=sys.stderr)
    else:
        spec, config = training_options(args)  # every option checked before any work
        out = Path(args.out) if args.out else Path("runs") / datetime.now().strftime(
            "%Y%m%d-%H%M%S")
        resume_state = None
        run_args = {"dataset": args.dataset, "data_dir": args.data_dir,
                    "val_size": args.val_size, "allow_download": not args.offline,
                    "spec": spec.to_dict(), "config": config.to_dict()}
        if args.impl:
            refuse_unsupported(spec.hidden, config)
            run_args["impl"] = str(Path(args.impl).resolve())
    impl = run_args.get("impl")
    if impl and not require_passing_check(impl, run_args["data_dir"] if run_args["dataset"]
                                          == "mnist" else None):
        return 1
    try:
        result = run_and_save(out, run_args, progress=not args.quiet, resume_state=resume_state)
    except TrainingInterrupted as exc:
        print(f"softmax-mnist: interrupted in epoch {exc.epoch}; saved the state after "
              f"epoch {exc.checkpoint['epoch']} to {out / NAME}. Continue with: "
              f"softmax-mnist train --resume {out}", file=sys.stderr)
        return 130
    by = f" — trained by the classes in {impl}" if impl else ""
    print(f"{result.summary()} → {out}/{by}")
    if result.metrics["diverged"]:
        print(f"softmax-mnist: {result.metrics['divergence']}", file=sys.stderr)
        return 3
    return 0
