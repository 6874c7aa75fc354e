"""The ``softmax-mnist`` command: a thin layer over the library.

Subcommands: ``train``, ``evaluate``, ``predict``, ``gradcheck``, ``report``,
``experiment``. A user mistake ends in one line on stderr and exit status 2; Ctrl-C ends
with 130.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from . import __version__
from .config import TrainConfig
from .data import DATASET_NAMES
from .errors import SoftmaxMnistError

DEFAULTS = TrainConfig()


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (plus a pointer to --help), exit 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _hidden(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sizes like 256 or 512,256, got {text!r}") from None
    return sizes


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return value


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
    parser = Parser(
        prog="softmax-mnist",
        description="Softmax regression for handwritten digits (MNIST), from scratch in NumPy.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=Parser)

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
                        "image steps deskew, moment-norm[:STD], denoise[:T], blur[:SIGMA], "
                        "pool:K (run on raw pixels, before scaling and --center) and feature "
                        "steps standardize, pca:K (after them); e.g. deskew,pca:100 "
                        "(default: none)")
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

    pr = sub.add_parser("predict", help="recognise digits in image files (PNG, JPEG, …)",
                        description="Prepare each image the way MNIST was made (grayscale, "
                                    "invert a light background, crop to the ink, fit into "
                                    "20×20, centre by centre of mass in 28×28) and print the "
                                    "most probable classes.")
    pr.add_argument("model", metavar="MODEL.npz")
    pr.add_argument("images", nargs="+", metavar="IMAGE", help="one digit per image file")
    pr.add_argument("--top", type=_positive, default=3, metavar="K",
                    help="how many classes to list per image (default %(default)s)")
    pr.add_argument("--json", action="store_true",
                    help="one JSON object per image and line: file, prediction, top")
    pr.add_argument("--save-prepared", metavar="DIR",
                    help="also write the 28×28 image the model sees, as DIR/<name>.28x28.png")

    g = sub.add_parser("gradcheck", help="check gradients against numerical ones",
                       description="Compare analytic gradients with centred finite "
                                   "differences on a small random float64 problem.")
    g.add_argument("--hidden", type=_hidden, default=[], metavar="SIZES",
                   help="also check through hidden layers, e.g. 16,8")
    g.add_argument("--activation", choices=("relu", "sigmoid"), default="relu")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--tol", type=float, default=1e-6,
                   help="largest relative error that passes (default %(default)s)")

    r = sub.add_parser("report", help="run the lab's studies (Q1–Q4) and write the report",
                       description="Run every study (Q1 default run and diagnostics, Q2 "
                                   "momentum, Q3 batch size × learning rate, epochs / early "
                                   "stopping / decay) and write report.md, report.html, "
                                   "results.json and the figures.")
    _add_data_options(r, "mnist")
    _add_study_options(r, "reports/<timestamp>")

    x = sub.add_parser("experiment", help="run one study and write its part of the report",
                       description="Run one study: baseline (Q1), momentum (Q2), batch-lr "
                                   "or epochs (Q3). Its grid is a TOML file: copy it from "
                                   "the package's studies/ folder, edit it, pass --config.")
    x.add_argument("name", metavar="NAME", help="study name (baseline, momentum, batch-lr, "
                                                "epochs) or any name with --config")
    x.add_argument("--config", metavar="FILE", help="the study's grid as a TOML file")
    _add_data_options(x, "mnist")
    _add_study_options(x, "experiments/<name>-<timestamp>")
    return parser


def _add_study_options(p: argparse.ArgumentParser, out_default: str) -> None:
    p.add_argument("--out", metavar="DIR", help=f"output folder (default {out_default})")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the report's text (default %(default)s)")
    p.add_argument("--quick", action="store_true",
                   help="fewer epochs and a smaller grid: a first look in seconds")
    p.add_argument("--seeds", type=int, default=1, metavar="K",
                   help="seeds per setting; tables show mean ± std (default %(default)s)")
    p.add_argument("--jobs", type=int, default=-1, metavar="N",
                   help="runs in parallel (default: all cores; 1 = in this process)")
    p.add_argument("--backend", choices=("loky", "dask"), default="loky",
                   help="joblib worker processes (loky) or a Dask cluster (default %(default)s)")
    p.add_argument("--scheduler", metavar="ADDR",
                   help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --backend "
                        "dask; without it a local Dask cluster is started)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


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


def cmd_predict(args: argparse.Namespace) -> int:
    from .model import Model
    from .predict import predict_images, prepare_files, save_prepared

    model = Model.load(args.model)
    X = prepare_files(args.images)  # every file is checked before anything is printed
    if args.save_prepared:
        save_prepared(X, args.images, args.save_prepared)
    for p in predict_images(model, X, args.images, args.top):
        print(json.dumps(p.to_dict()) if args.json else p.describe())
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


def cmd_report(args: argparse.Namespace) -> int:
    from .experiments import REPORT_STUDIES, load_study

    studies = [load_study(name, quick=args.quick) for name in REPORT_STUDIES]
    out = Path(args.out) if args.out else Path("reports") / _stamp()
    return _run_studies(args, studies, out)


def cmd_experiment(args: argparse.Namespace) -> int:
    from .experiments import load_study

    study = load_study(args.name, args.config, quick=args.quick)
    out = Path(args.out) if args.out else Path("experiments") / f"{study.name}-{_stamp()}"
    return _run_studies(args, [study], out)


def _run_studies(args: argparse.Namespace, studies: list, out: Path) -> int:
    from .data import load_dataset
    from .report import make_report

    if args.scheduler and args.backend != "dask":
        raise SoftmaxMnistError("--scheduler is a Dask scheduler address: add --backend dask.")
    data = load_dataset(args.dataset, args.data_dir, allow_download=not args.offline,
                        progress=not args.quiet)
    command = "softmax-mnist " + shlex.join(args.argv)
    results = make_report(studies, data, out, lang=args.lang, seeds=args.seeds,
                          jobs=args.jobs, backend=args.backend, scheduler=args.scheduler,
                          quick=args.quick, progress=not args.quiet, command=command)
    meta = results["meta"]
    print(f"{meta['runs_trained']} runs on {meta['dataset']} in {meta['wall_seconds']} s "
          f"→ {out}/report.md, report.html, results.json")
    return 0


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict,
            "gradcheck": cmd_gradcheck, "report": cmd_report, "experiment": cmd_experiment}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
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

