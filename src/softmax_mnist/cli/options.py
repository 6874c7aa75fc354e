"""Command-line options generated from the option tables, and the flags errors are named by.

Every training and model option's flag, type, ``choices``, default and help come from
``TRAIN_OPTIONS`` and ``MODEL_OPTIONS``; the library's errors name parameters
(``learning_rate``) and :data:`FLAGS` turns them into the flags a user typed (``--lr``).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..data import DATASET_NAMES
from ..experiments import BACKENDS
from ..model import MODEL_OPTIONS, ModelSpec
from ..presets import PRESETS, Preset
from ..report.words import LANGS
from ..training import TRAIN_OPTIONS, TrainConfig
from ..training.options import Option

FLAGS: dict[str, str] = {
    **{name: opt.flag for name, opt in {**TRAIN_OPTIONS, **MODEL_OPTIONS}.items() if opt.flag},
    "val_size": "--val-size", "data_dir": "--data-dir", "jobs": "--jobs",
    "backend": "--backend", "scheduler": "--scheduler", "seeds": "--seeds", "lang": "--lang",
    "impl": "--impl", "time_limit": "--time-limit", "memory_limit": "--memory-limit",
}
"""Parameter name -> command-line flag, for error messages."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (plus a pointer to --help), exit 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def layer_sizes(text: str) -> list[int]:
    """``"512,256"`` -> [512, 256] (ranges are checked by the option table)."""
    try:
        return [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected sizes like 256 or 512,256, got {text!r}") from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return value


def add_table(group: argparse._ArgumentGroup, table: Mapping[str, Option],
              defaults: Any, only: tuple[str, ...] | None = None,
              given_only: bool = False) -> None:
    """One flag per option of ``table`` that has one (``dest`` is the option's name).

    With ``given_only`` an option not given on the command line is left out of the
    parsed namespace (a preset then supplies its default); ``--help`` still shows the
    table's default.
    """
    for name, opt in table.items():
        if opt.flag is None or (only is not None and name not in only):
            continue
        default = getattr(defaults, name)
        shown = ("on" if default else "off") if opt.kind is bool else (
            default if default not in ("", ()) else "none")
        kwargs: dict[str, Any] = {"dest": name, "default": default,
                                  "help": f"{opt.help} (default: {shown})".replace("%", "%%")}
        if opt.kind is bool:
            kwargs.update(action=argparse.BooleanOptionalAction)
        elif opt.kind is list:
            kwargs.update(type=layer_sizes, default=list(default), metavar=opt.metavar)
        else:
            kwargs.update(type=opt.kind, metavar=opt.metavar)
            if opt.choices:
                kwargs.update(choices=opt.choices, metavar=None)
            if opt.const is not None:
                kwargs.update(nargs="?", const=opt.const)
        if given_only:
            kwargs["default"] = argparse.SUPPRESS
        group.add_argument(opt.flag, **kwargs)


def add_training_options(p: argparse.ArgumentParser) -> None:
    """The model and training options of ``train``, from the option tables; the defaults
    shown are the ``linear`` preset's, ``--model`` names the others."""
    m = p.add_argument_group("model")
    m.add_argument("--model", choices=PRESETS, default="linear",
                   help="a preset: its network and training options, which the options "
                        "given as well override — " + "; ".join(
                            f"{name}: {preset.summary(FLAGS)}" for name, preset in PRESETS.items())
                        + " (default: %(default)s)")
    add_table(m, MODEL_OPTIONS, ModelSpec(), given_only=True)
    h = p.add_argument_group("hyperparameters")
    add_table(h, TRAIN_OPTIONS, TrainConfig(), only=(
        "max_epoch", "batch_size", "optimizer", "learning_rate", "momentum", "nesterov",
        "lr_decay", "weight_decay", "loss", "augment", "seed"), given_only=True)
    e = p.add_argument_group("early stopping")
    add_table(e, TRAIN_OPTIONS, TrainConfig(), only=("early_stop", "patience", "min_delta",
                                                     "restore_best_weights"), given_only=True)
    e.add_argument("--no-early-stop", dest="early_stop", action="store_const", const="none",
                   default=argparse.SUPPRESS,
                   help="run every epoch (the same as --stop-rule none)")


def training_options(args: argparse.Namespace, preset: Preset | None = None,
                     ) -> tuple[ModelSpec, TrainConfig]:
    """The ModelSpec and TrainConfig of the ``--model`` preset (or ``preset``) and the
    flags given on top of it, each validated."""
    given = vars(args)
    model = {f.name: given[f.name] for f in fields(ModelSpec) if f.name in given}
    train = {name: given[name] for name, opt in TRAIN_OPTIONS.items()
             if opt.flag and name in given}
    return (preset or PRESETS[args.model]).resolve(model, train)


def add_data_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data")
    g.add_argument("--dataset", choices=DATASET_NAMES,
                   help="which data set (default: MNIST; with --data-dir, whatever set its "
                        "files are)")
    g.add_argument("--data-dir", metavar="DIR",
                   help="folder with the four IDX files (.gz or raw, '-' or '.' names); "
                        "default: $SOFTMAX_MNIST_DATA, the cache, a download, the sample")
    g.add_argument("--offline", action="store_true",
                   help="never download; fall back to the bundled sample instead")


def add_study_options(p: argparse.ArgumentParser, out_default: str) -> None:
    p.add_argument("--out", metavar="DIR", help=f"output folder (default {out_default})")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the report already in --out (refused otherwise)")
    p.add_argument("--resume", metavar="DIR",
                   help="continue the interrupted report in DIR with its own options")
    p.add_argument("--lang", choices=LANGS, default="en",
                   help="language of the report's text (default %(default)s)")
    p.add_argument("--quick", action="store_true",
                   help="fewer epochs and a smaller grid: a first look in seconds")
    p.add_argument("--seeds", type=int, default=1, metavar="K",
                   help="seeds per setting; tables show mean ± std (default %(default)s)")
    p.add_argument("--jobs", type=int, default=-1, metavar="N",
                   help="runs in parallel (default: all cores; 1 = in this process)")
    p.add_argument("--backend", choices=BACKENDS, default="loky",
                   help="joblib worker processes (loky) or a Dask cluster (default %(default)s)")
    p.add_argument("--scheduler", metavar="ADDR",
                   help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with --backend "
                        "dask; without it a local Dask cluster is started)")
    p.add_argument("--fresh", action="store_true",
                   help="train every run again instead of reusing the run cache's (what "
                        "trains is kept in it all the same)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def check_output_file(path: str | None, flag: str) -> None:
    """Refuse, before any work, a file option (``--csv``, ``--output``) that cannot be
    written: its folder missing or read-only, or a folder in its place."""
    from ..errors import SoftmaxMnistError

    if path is None:
        return
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise SoftmaxMnistError(f"{flag} {path}: is a folder; give a file name.")
    if not parent.is_dir():
        raise SoftmaxMnistError(f"{flag} {path}: the folder {parent} does not exist; create it "
                                f"or choose another {flag}.")
    if not os.access(parent, os.W_OK):
        raise SoftmaxMnistError(f"{flag} {path}: cannot write into {parent} (permission "
                                f"denied); choose another {flag}.")


def write_output_file(path: str, data: bytes, flag: str) -> None:
    """Write ``data`` to ``path`` all at once; an OS error is one line, nothing half-written."""
    from ..errors import SoftmaxMnistError
    from ..fileio import atomic_open

    try:
        with atomic_open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise SoftmaxMnistError(f"{flag} {path}: cannot be written "
                                f"({exc.strerror or exc}); choose another {flag}.") from None
