"""``softmax-mnist gradcheck``: analytic gradients against centred finite differences."""

from __future__ import annotations

import argparse
import math

from ..errors import ConfigError
from ..model import MODEL_OPTIONS, ModelSpec
from ..presets import PRESETS
from ..training import TRAIN_OPTIONS, TrainConfig
from ..training.options import check_options
from .options import add_table, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    g = sub.add_parser("gradcheck", help="check gradients against numerical ones",
                       description="Compare analytic gradients with centred finite "
                                   "differences on a small random float64 problem (8×8 "
                                   "images for conv layers), in training mode: dropout "
                                   "with one fixed mask. An array passes when "
                                   "‖a − n‖ / (‖a‖ + ‖n‖) is below --tol.")
    g.add_argument("--model", choices=PRESETS, default="linear",
                   help="check the network of a preset (default: %(default)s)")
    add_table(g, MODEL_OPTIONS, ModelSpec(), only=("hidden", "activation", "layers"),
              given_only=True)
    add_table(g, TRAIN_OPTIONS, TrainConfig(), only=("loss",))
    g.add_argument("--seed", type=int, default=0, help="the random problem, ≥ 0 (default 0)")
    g.add_argument("--tol", type=float, default=1e-6,
                   help="largest relative error that passes (default %(default)s)")
    g.add_argument("--entries", type=positive_int, default=1000, metavar="K",
                   help="compare at most K entries of each array, drawn at random "
                        "(default %(default)s)")
    g.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..nn import LOSSES
    from ..nn.gradcheck import check_gradients, random_problem

    given = {k: v for k, v in vars(args).items() if k in ("hidden", "activation", "layers")}
    spec, _ = PRESETS[args.model].resolve(given, {})
    check_options({"seed": args.seed, "loss": args.loss}, TRAIN_OPTIONS)
    if not (args.tol > 0 and math.isfinite(args.tol)):
        raise ConfigError(f"--tol must be a number > 0, got {args.tol}.")
    network, X, y = random_problem(hidden=spec.hidden, activation=spec.activation,
                                   seed=args.seed, architecture=spec.layers)
    checks = check_gradients(network, X, y, loss_fn=LOSSES[args.loss](), seed=args.seed,
                             max_entries=args.entries)
    for c in checks:
        part = "" if c.entries == c.size else f"; {c.entries} of {c.size} entries"
        print(f"{c.name:>12}  relative error {c.relative_error:.2e}  "
              f"(worst entry {c.worst_entry:.1e}{part})")
    worst = max(c.relative_error for c in checks)
    ok = worst < args.tol
    print(f"worst relative error {worst:.2e} ({network.describe()}; {args.loss} loss): "
          f"{'OK' if ok else 'FAILED'} (tolerance {args.tol:g})")
    return 0 if ok else 1
