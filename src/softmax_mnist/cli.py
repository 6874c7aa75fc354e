"""The ``softmax-mnist`` command: a thin layer over the library.

Subcommands: ``train``, ``evaluate``, ``gradcheck``. A user mistake ends in one
line on stderr and exit status 2; Ctrl-C ends with 130.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from . import __version__
from .config import TrainConfig
from .data import DATASET_NAMES
from .errors import SoftmaxMnistError

DEFAULTS = TrainConfig()


def _hidden(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sizes like 256 or 512,256, got {text!r}") from None
    return sizes


def _add_data_options(p: argparse.ArgumentParser, dataset_default: str | None) -> None:
    g = p.add_argument_group("data")
    g.add_argument("--dataset", choices=DATASET_NAMES, default=dataset_default,
                   help="which data set (default: %(default)s)")
    g.add_argument("--data-dir", metavar="DIR",
                   help="folder with the four IDX files (.gz or raw, '-' or '.' names); "
                        "default: $SOFTMAX_MNIST_DATA, the cache, a download, the sample")
    g.add_argument("--offline", action="store_true",
                   help="never download; fall back to the bundled sample instead")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="softmax-mnist",
        description="Softmax regression for handwritten digits (MNIST), from scratch in NumPy.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    t = sub.add_parser("train", help="train a model and write model.npz, metrics.json, "
                                     "curves.png", description="Train and test a model. "
                       "Defaults are the seed write-up's best setting.")
    _add_data_options(t, "mnist")
    t.add_argument("--val-size", type=int, metavar="N",
                   help="last N training images validate (default 5000; 1000 for the sample)")
    h = t.add_argument_group("hyperparameters")
    h.add_argument("--epochs", type=int, default=DEFAULTS.max_epoch, metavar="N",
                   help="most epochs (default %(default)s)")
    h.add_argument("--batch-size", type=int, default=DEFAULTS.batch_size, metavar="B",
                   help="samples per step, 1 … training size (default %(default)s)")
    h.add_argument("--lr", type=float, default=DEFAULTS.learning_rate,
                   help="learning rate η (default %(default)s)")
    h.add_argument("--momentum", type=float, default=DEFAULTS.momentum, metavar="M",
                   help="μ in v = μv + ηg, 0 = plain SGD (default %(default)s)")
    h.add_argument("--nesterov", action="store_true", help="Nesterov momentum")
    h.add_argument("--lr-decay", type=float, default=DEFAULTS.lr_decay, metavar="F",
                   help="multiply η by F after every epoch, 1 = off (default %(default)s)")
    h.add_argument("--weight-decay", type=float, default=DEFAULTS.weight_decay, metavar="L2",
                   help="L2 penalty on weights (default %(default)s)")
    h.add_argument("--center", choices=("pixel", "image", "none"), default="pixel",
                   help="subtract the training mean per pixel (default), per image "
                        "(the course template), or not at all")
    h.add_argument("--preprocess", default="", metavar="STEPS",
                   help="extra preprocessing, comma-separated, fitted on the training split: "
                        "image steps deskew, denoise[:T], blur[:SIGMA], pool:K (run on raw "
                        "pixels, before scaling and --center) and feature steps standardize, "
                        "pca:K (after them); e.g. deskew,pca:100 (default: none)")
    h.add_argument("--hidden", type=_hidden, default=[], metavar="SIZES",
                   help="hidden layer sizes for an MLP, e.g. 256 or 512,256 (default: none)")
    h.add_argument("--activation", choices=("relu", "sigmoid"), default="relu",
                   help="hidden-layer activation (default %(default)s)")
    h.add_argument("--seed", type=int, default=DEFAULTS.seed,
                   help="fixes initialisation and shuffling (default %(default)s)")
    e = t.add_argument_group("early stopping")
    e.add_argument("--early-stop", action=argparse.BooleanOptionalAction, default=True,
                   help="stop when validation accuracy stops moving (default: on)")
    e.add_argument("--stop-rule", choices=("plateau", "patience"), default="plateau",
                   help="plateau: the seed's rule, changed < min-delta in each of the last 2 "
                        "epochs; patience: Keras's rule (default %(default)s)")
    e.add_argument("--patience", type=int, default=DEFAULTS.patience,
                   help="epochs without improvement for --stop-rule patience "
                        "(default %(default)s)")
    e.add_argument("--min-delta", type=float, default=DEFAULTS.min_delta,
                   help="accuracy change that counts; 0.0002 = 0.02 points (default %(default)s)")
    e.add_argument("--restore-best", action=argparse.BooleanOptionalAction, default=True,
                   help="end with the weights of the best validation epoch (default: on)")
    o = t.add_argument_group("output")
    o.add_argument("--out", metavar="DIR", help="output folder (default runs/<timestamp>)")
    o.add_argument("--resume", metavar="DIR",
                   help="continue the interrupted run in DIR (its options are used; "
                        "outputs go to DIR)")
    o.add_argument("--quiet", action="store_true", help="no progress bars or epoch lines")

    ev = sub.add_parser("evaluate", help="test a saved model",
                        description="Print test loss and accuracy of a saved model.")
    ev.add_argument("model", metavar="MODEL.npz")
    _add_data_options(ev, None)
    ev.add_argument("--json", action="store_true", help="one machine-readable JSON line")

    g = sub.add_parser("gradcheck", help="check gradients against numerical ones",
                       description="Compare analytic gradients with centred finite "
                                   "differences on a small random float64 problem.")
    g.add_argument("--hidden", type=_hidden, default=[], metavar="SIZES",
                   help="also check through hidden layers, e.g. 16,8")
    g.add_argument("--activation", choices=("relu", "sigmoid"), default="relu")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--tol", type=float, default=1e-6,
                   help="largest relative error that passes (default %(default)s)")
    return parser


def cmd_train(args: argparse.Namespace) -> int:
    from .checkpoint import NAME, load_checkpoint
    from .runner import run_and_save
    from .solver import TrainingInterrupted

    if args.resume:
        out = Path(args.resume)
        resume_state, run = load_checkpoint(out / NAME)
        print(f"resuming {out} after epoch {resume_state['epoch']}", file=sys.stderr)
    else:
        out = Path(args.out) if args.out else Path("runs") / datetime.now().strftime(
            "%Y%m%d-%H%M%S")
        resume_state, run = None, _run_arguments(args)
    TrainConfig.from_dict(run["config"])  # every option checked before any work
    try:
        result = run_and_save(out, run, progress=not args.quiet, resume_state=resume_state)
    except TrainingInterrupted as exc:
        print(f"softmax-mnist: interrupted in epoch {exc.epoch}; saved the state after "
              f"epoch {exc.checkpoint['epoch']} to {out / NAME}. Continue with: "
              f"softmax-mnist train --resume {out}", file=sys.stderr)
        return 130
    print(f"{result.summary()} → {out}/")
    if result.metrics["diverged"]:
        print(f"softmax-mnist: {result.metrics['divergence']}", file=sys.stderr)
        return 3
    return 0


def _run_arguments(args: argparse.Namespace) -> dict:
    """The options of a training run as plain data (they go into checkpoints)."""
    config = TrainConfig(
        max_epoch=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
        momentum=args.momentum, nesterov=args.nesterov, weight_decay=args.weight_decay,
        lr_decay=args.lr_decay, early_stop=args.stop_rule if args.early_stop else "none",
        patience=args.patience, min_delta=args.min_delta,
        restore_best_weights=args.restore_best, seed=args.seed)
    return {"dataset": args.dataset, "data_dir": args.data_dir, "val_size": args.val_size,
            "center": args.center, "preprocess": args.preprocess,
            "hidden": list(args.hidden), "activation": args.activation,
            "allow_download": not args.offline, "config": config.to_dict()}


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .data import load_dataset
    from .model import Model

    model = Model.load(args.model)
    dataset = args.dataset or model.metadata.get("dataset", "mnist")
    data = load_dataset(dataset, args.data_dir, allow_download=not args.offline,
                        val_size=0)
    loss, acc = model.evaluate(data.X_test, data.y_test)
    if args.json:
        print(json.dumps({"model": args.model, "dataset": data.name, "source": data.source,
                          "test_loss": loss, "test_accuracy": acc, "n": len(data.y_test)}))
    else:
        print(f"test accuracy {acc:.2%}, loss {loss:.4f} on {len(data.y_test)} {data.name} "
              f"test images ({data.source})")
    return 0


def cmd_gradcheck(args: argparse.Namespace) -> int:
    from .gradcheck import check_gradients, random_problem

    network, X, y = random_problem(hidden=args.hidden, activation=args.activation,
                                   seed=args.seed)
    errors = check_gradients(network, X, y)
    for name, err in errors.items():
        print(f"{name:>12}  relative error {err:.2e}")
    worst = max(errors.values())
    ok = worst < args.tol
    print(f"worst relative error {worst:.2e} ({network.describe()}): "
          f"{'OK' if ok else 'FAILED'} (tolerance {args.tol:g})")
    return 0 if ok else 1


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "gradcheck": cmd_gradcheck}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except SoftmaxMnistError as exc:
        print(f"softmax-mnist: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("softmax-mnist: interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

